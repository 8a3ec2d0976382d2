package dev.agegate.gateway.config;

import io.helidon.config.Config;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the gateway's public edge allows (config {@code agegate.limits.*}, gateway/README.md):
 * which peers are trusted proxies and which header they name the client in, the per-address
 * budget of each endpoint family, and the caps on open event streams. Immutable.
 *
 * @param trustedProxies the address blocks whose forwarding header is believed; empty: none
 * @param forwardedHeader the one header a trusted proxy names the client in
 * @param budgets the per-address budget of every endpoint family ({@link #FAMILIES})
 * @param streamsPerCheck open event streams allowed per check (on one node)
 * @param streamsPerAddress open event streams allowed per client address (on one node)
 * @param streamsTotal open event streams allowed in total (on one node)
 */
public record EdgeLimits(
    List<Cidr> trustedProxies,
    ForwardedHeader forwardedHeader,
    Map<String, RateLimit> budgets,
    int streamsPerCheck,
    int streamsPerAddress,
    int streamsTotal) {

  /** The header a trusted proxy names the client in. */
  public enum ForwardedHeader {
    /** {@code X-Forwarded-For: client, proxy1, proxy2} (nginx, HAProxy, most cloud balancers). */
    X_FORWARDED_FOR,
    /** RFC 7239 {@code Forwarded: for=client, for=proxy1}. */
    FORWARDED
  }

  /**
   * The endpoint families, each with its own per-address bucket. {@code checks} is
   * {@code POST /v1/checks}, {@code token} its redemption, {@code requests} and
   * {@code responses} the wallet's two calls; {@code poll}, {@code events} and {@code qr} the
   * widget's reads of one check; {@code trust-list}, {@code proving-key}, {@code circuits},
   * {@code jwks} the public documents; {@code static} the widget's and the wallet's files;
   * {@code demo} the demo issuer; {@code other} every other path and method (404, 405,
   * preflights).
   */
  public static final Set<String> FAMILIES = Set.of("checks", "token", "requests", "responses", "poll", "events", "qr",
      "trust-list", "proving-key", "circuits", "jwks", "static", "demo", "other");

  /** Families whose default budget is not {@code agegate.limits.per-ip} (permits, window). */
  static final Map<String, RateLimit> DEFAULTS = Map.of(
      // a widget polls about once a second while its check is open
      "poll", new RateLimit(600, Duration.ofMinutes(1)),
      // a page load fetches a handful of files; the web wallet a few more (its wasm prover)
      "static", new RateLimit(600, Duration.ofMinutes(1)),
      // tens of megabytes each, cached by wallets for a year (immutable)
      "proving-key", new RateLimit(30, Duration.ofMinutes(10)),
      // one stream per open check; reconnects after network changes
      "events", new RateLimit(60, Duration.ofMinutes(1)));

  public EdgeLimits {
    trustedProxies = List.copyOf(trustedProxies);
    budgets = Map.copyOf(budgets);
  }

  /** The budget of one family; an unknown family is a bug, never a free pass. */
  public RateLimit budget(String family) {
    RateLimit r = budgets.get(family);
    if (r == null) {
      throw new IllegalArgumentException("no endpoint family '" + family + "'");
    }
    return r;
  }

  /**
   * Reads {@code agegate.limits.*} except {@code max-body-bytes} and {@code per-site}.
   *
   * @param limits the {@code agegate.limits} node
   * @param perIp the default per-address budget ({@code agegate.limits.per-ip})
   * @throws IllegalArgumentException naming the key, for an invalid value
   */
  static EdgeLimits from(Config limits, RateLimit perIp) {
    List<Cidr> proxies = new ArrayList<>();
    List<String> texts = limits.get("trusted-proxies").asList(String.class).orElse(List.of());
    for (int i = 0; i < texts.size(); i++) {
      try {
        proxies.add(Cidr.parse(texts.get(i)));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("agegate.limits.trusted-proxies." + i + ": " + e.getMessage());
      }
    }
    String h = limits.get("forwarded-header").asString().orElse("x-forwarded-for").strip().toLowerCase(java.util.Locale.ROOT);
    ForwardedHeader header = switch (h) {
      case "x-forwarded-for" -> ForwardedHeader.X_FORWARDED_FOR;
      case "forwarded" -> ForwardedHeader.FORWARDED;
      default -> throw new IllegalArgumentException("agegate.limits.forwarded-header: '" + h + "' is not x-forwarded-for or forwarded");
    };
    Config endpoints = limits.get("endpoints");
    for (Config n : endpoints.asNodeList().orElse(List.of())) {
      if (!FAMILIES.contains(n.name())) {
        throw new IllegalArgumentException("agegate.limits.endpoints." + n.name() + ": no such endpoint family (one of "
            + new java.util.TreeSet<>(FAMILIES) + ")");
      }
    }
    Map<String, RateLimit> budgets = new LinkedHashMap<>();
    for (String f : FAMILIES) {
      RateLimit d = DEFAULTS.getOrDefault(f, perIp);
      Config n = endpoints.get(f);
      int permits = n.get("permits").asInt().orElse(d.permits());
      Duration window = Settings.duration(n, "window", d.window().toString());
      if (permits < 0 || window.isNegative() || window.isZero()) {
        throw new IllegalArgumentException("agegate.limits.endpoints." + f + ": " + permits + " per " + window + " is out of range");
      }
      budgets.put(f, new RateLimit(permits, window));
    }
    Config streams = limits.get("event-streams");
    int perCheck = streams.get("per-check").asInt().orElse(4);
    int perAddress = streams.get("per-address").asInt().orElse(16);
    int total = streams.get("total").asInt().orElse(1000);
    if (perCheck < 1 || perAddress < 1 || total < 1) {
      throw new IllegalArgumentException("agegate.limits.event-streams: per-check " + perCheck + ", per-address " + perAddress
          + ", total " + total + ": each must be at least 1");
    }
    return new EdgeLimits(proxies, header, budgets, perCheck, perAddress, total);
  }

  /** No trusted proxy, every family at {@code perIp}, generous stream caps (tests, benchmarks). */
  public static EdgeLimits uniform(RateLimit perIp) {
    Map<String, RateLimit> b = new LinkedHashMap<>();
    FAMILIES.forEach(f -> b.put(f, perIp));
    return new EdgeLimits(List.of(), ForwardedHeader.X_FORWARDED_FOR, b, 1000, 1000, 10000);
  }
}
