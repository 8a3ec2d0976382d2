package dev.agegate.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.agegate.gateway.checks.Qr;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Three tiny HTTP servers on loopback for the widget's browser tests, each its own origin: a
 * site (a gate page WITHOUT any CSP unless asked, the widget script, the callback), a fake
 * gateway that answers the widget's calls in the way a test's {@code mode} names (honest, slow,
 * hostile), and a third party that only counts the requests it gets. The widget is the jar's
 * {@code META-INF/resources/widget/v1/age-gate.js}, or the file named by the system property
 * {@code agegate.widget.script} (to run the tests against another version of the script).
 */
final class FakeGateway implements AutoCloseable {
  static final String SENTINEL = "__agegatePwned";

  final HttpServer site;
  final HttpServer gateway;
  final HttpServer thirdParty;
  private final ExecutorService pool = Executors.newCachedThreadPool();
  private final byte[] script;
  /** Requests the third party got (path and query). */
  final List<String> thirdPartyRequests = new CopyOnWriteArrayList<>();
  /** Callback bodies the site got. */
  final List<String> callbacks = new CopyOnWriteArrayList<>();
  /** Per mode: checks created, token requests. */
  final Map<String, AtomicInteger> created = new ConcurrentHashMap<>();
  final Map<String, AtomicInteger> tokenCalls = new ConcurrentHashMap<>();
  /** Modes whose check status the test has moved on (e.g. "move": pending, then rejected). */
  final Map<String, Boolean> flipped = new ConcurrentHashMap<>();
  /** Bodies and Origin headers of the {@code dc-response} posts (the Digital Credentials API path). */
  final List<String> dcResponses = new CopyOnWriteArrayList<>();
  final List<String> dcOrigins = new CopyOnWriteArrayList<>();
  /** The {@code digital} of the "dc" modes: one request the widget may send, two it must drop. */
  static final String DIGITAL = "{\"requests\":[{\"protocol\":\"x-unknown\",\"data\":{\"a\":1}},"
      + "{\"protocol\":\"org-iso-mdoc\",\"data\":{\"deviceRequest\":\"omd2ZXJzaW9u\",\"encryptionInfo\":\"gmVkY2FwaQ\"}},"
      + "{\"protocol\":\"openid4vp-v1-signed\",\"data\":{\"request\":\"eyJ.eyJ.sig\"}}]}";
  /** Released by the test: the "never" mode's creation then answers. */
  final CountDownLatch answer = new CountDownLatch(1);

  FakeGateway() throws IOException {
    script = loadScript();
    InetAddress lo = InetAddress.getLoopbackAddress();
    site = HttpServer.create(new InetSocketAddress(lo, 0), 0);
    gateway = HttpServer.create(new InetSocketAddress(lo, 0), 0);
    thirdParty = HttpServer.create(new InetSocketAddress(lo, 0), 0);
    for (HttpServer s : List.of(site, gateway, thirdParty)) {
      s.setExecutor(pool);
    }
    site.createContext("/", this::site);
    gateway.createContext("/", this::gateway);
    thirdParty.createContext("/", ex -> {
      thirdPartyRequests.add(ex.getRequestURI().toString());
      send(ex, 404, "text/plain", "", Map.of());
    });
    site.start();
    gateway.start();
    thirdParty.start();
  }

  private static byte[] loadScript() throws IOException {
    String path = System.getProperty("agegate.widget.script", "");
    if (!path.isBlank()) {
      System.out.println("widget under test: " + path);
      return Files.readAllBytes(Path.of(path));
    }
    try (InputStream in = FakeGateway.class.getResourceAsStream("/META-INF/resources/widget/v1/age-gate.js")) {
      if (in == null) {
        throw new IllegalStateException("the widget jar is not on the test class path");
      }
      return in.readAllBytes();
    }
  }

  String siteUrl() {
    return "http://127.0.0.1:" + site.getAddress().getPort();
  }

  String gatewayUrl() {
    return "http://127.0.0.1:" + gateway.getAddress().getPort();
  }

  String thirdPartyUrl() {
    return "http://127.0.0.1:" + thirdParty.getAddress().getPort();
  }

  /** The gate page for {@code mode}; {@code query} adds e.g. {@code &tt=1&lang=fr&timeout=2}. */
  String page(String mode, String query) {
    return siteUrl() + "/page?mode=" + mode + query;
  }

  /** The wallet link of a check made in {@code mode}. */
  String walletLink(String mode) {
    return "openid4vp://?client_id=" + enc(gatewayUrl()) + "&request_uri=" + enc(gatewayUrl() + "/v1/requests/req-" + mode);
  }

  private static String enc(String s) {
    return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  // ---- the site ---------------------------------------------------------------------------
  private void site(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getPath();
    Map<String, String> q = query(ex.getRequestURI().getRawQuery());
    switch (path) {
      case "/age-gate.js" -> send(ex, 200, "text/javascript", script, Map.of());
      case "/page" -> {
        String lang = q.getOrDefault("lang", "en");
        String timeout = q.containsKey("timeout") ? " timeout=\"" + q.get("timeout") + "\"" : "";
        if (q.containsKey("wallet-origin")) {
          timeout += " wallet-origin=\"" + q.get("wallet-origin") + "\"";
        }
        // pre=1: the check made by the site's backend (servlet filter site-secret), in the page
        if ("1".equals(q.get("pre"))) {
          timeout += " check=\"" + checkJson(q.get("mode")).replace("&", "&amp;").replace("\"", "&quot;")
              + "\" code-verifier=\"" + "v".repeat(43) + "\"";
        }
        String html = "<!doctype html><html lang=\"" + lang + "\"><head><meta charset=\"utf-8\">"
            + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>gate</title>"
            + "<script src=\"/age-gate.js\" defer></script></head><body><main><h1>Shop</h1>"
            + "<age-gate gateway=\"" + gatewayUrl() + "\" site=\"" + q.get("mode") + "\" min-age=\"18\"" + timeout
            + " callback=\"/agegate/callback\" return=\"/adult/\"></age-gate></main></body></html>";
        // No CSP at all: the widget alone must keep gateway data from running script or fetching.
        // tt=1: Trusted Types enforced, nothing else restricted.
        Map<String, String> headers = "1".equals(q.get("tt")) ? Map.of("Content-Security-Policy", "require-trusted-types-for 'script'") : Map.of();
        send(ex, 200, "text/html; charset=utf-8", html, headers);
      }
      case "/agegate/callback" -> {
        callbacks.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        send(ex, 200, "text/html; charset=utf-8", "<!doctype html><html lang=\"en\"><title>ok</title><p id=\"unlocked\">unlocked</p></html>", Map.of());
      }
      default -> send(ex, 404, "text/plain", "", Map.of());
    }
  }

  // ---- the fake gateway ---------------------------------------------------------------------
  private static final Pattern SITE = Pattern.compile("\"site\"\\s*:\\s*\"([A-Za-z0-9_]*)\"");
  private static final Pattern CHECK = Pattern.compile("/v1/checks/tx-([A-Za-z0-9_]+)-0123456789abcdef(/token|/events|/dc-response)?");

  private void gateway(HttpExchange ex) throws IOException {
    Map<String, String> cors = Map.of("Access-Control-Allow-Origin", "*", "Access-Control-Allow-Methods", "GET, POST",
        "Access-Control-Allow-Headers", "Content-Type");
    if ("OPTIONS".equals(ex.getRequestMethod())) {
      send(ex, 204, "text/plain", "", cors);
      return;
    }
    String path = ex.getRequestURI().getPath();
    if (path.equals("/v1/checks") && "POST".equals(ex.getRequestMethod())) {
      String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      Matcher m = SITE.matcher(body);
      String mode = m.find() ? m.group(1) : "ok";
      created.computeIfAbsent(mode, k -> new AtomicInteger()).incrementAndGet();
      if (mode.equals("never")) {
        try {
          answer.await(5, TimeUnit.MINUTES); // a gateway that does not answer (until the test says so)
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
      send(ex, 201, "application/json", checkJson(mode), cors);
      return;
    }
    Matcher c = CHECK.matcher(path);
    if (!c.matches()) {
      send(ex, 404, "application/problem+json", "{\"reason\":\"check_not_found\"}", cors);
      return;
    }
    String mode = c.group(1);
    if ("/events".equals(c.group(2))) {
      send(ex, 404, "application/problem+json", "{\"reason\":\"check_not_found\"}", cors); // no SSE: the widget polls
      return;
    }
    if ("/dc-response".equals(c.group(2)) && "POST".equals(ex.getRequestMethod())) {
      dcResponses.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      dcOrigins.add(String.valueOf(ex.getRequestHeaders().getFirst("Origin")));
      flipped.put(mode, true);
      if (mode.equals("dc_young") || mode.equals("dc_untrusted")) {
        String reason = mode.equals("dc_young") ? "too_young" : "mdoc_invalid";
        send(ex, 422, "application/problem+json", "{\"status\":422,\"reason\":\"" + reason + "\"}", cors);
      } else {
        send(ex, 200, "application/json", "{\"status\":\"verified\",\"expires_in\":100}", cors);
      }
      return;
    }
    if ("/token".equals(c.group(2))) {
      int n = tokenCalls.computeIfAbsent(mode, k -> new AtomicInteger()).incrementAndGet();
      if (mode.equals("token503") && n <= 2) {
        send(ex, 503, "application/problem+json", "{\"reason\":\"unavailable\"}", cors);
      } else {
        send(ex, 200, "application/json", "{\"token\":\"aaa.bbb.ccc\"}", cors);
      }
      return;
    }
    String status = switch (mode) {
      case "proto_constructor" -> "{\"status\":\"rejected\",\"reason\":\"constructor\"}";
      case "proto_proto" -> "{\"status\":\"rejected\",\"reason\":\"__proto__\"}";
      case "token503" -> "{\"status\":\"verified\",\"redeemed\":false,\"expires_in\":100}";
      case "dc" -> flipped.containsKey(mode) ? "{\"status\":\"verified\",\"expires_in\":100}" : "{\"status\":\"pending\",\"expires_in\":100}";
      // the rejected check carries the mdoc verifier's own code, the post the gateway's enum
      case "dc_untrusted" -> flipped.containsKey(mode) ? "{\"status\":\"rejected\",\"reason\":\"issuer_untrusted\"}" : "{\"status\":\"pending\",\"expires_in\":100}";
      case "dc_young" -> flipped.containsKey(mode) ? "{\"status\":\"rejected\",\"reason\":\"too_young\"}" : "{\"status\":\"pending\",\"expires_in\":100}";
      case "move" -> flipped.containsKey(mode) ? "{\"status\":\"rejected\",\"reason\":\"proof_invalid\"}" : "{\"status\":\"pending\",\"expires_in\":100}";
      default -> "{\"status\":\"pending\",\"expires_in\":100}";
    };
    send(ex, 200, "application/json", status, cors);
  }

  /** The check answer of a mode: honest, or with one hostile field. */
  private String checkJson(String mode) {
    String link = walletLink(mode);
    String modules = Qr.modules(link).stream().map(r -> "\"" + r + "\"").collect(Collectors.joining(",", "[", "]"));
    String third = thirdPartyUrl();
    // void(…): a javascript: URL that evaluates to a string would replace the page with it
    String sentinel = "void(window." + SENTINEL + "='" + mode + "')";
    String svgOpen = "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" viewBox=\"0 0 10 10\">";
    String qrSvg = switch (mode) {
      case "image_onerror" -> svgOpen + "<image href=\"data:,\" width=\"10\" height=\"10\" onerror=\"" + sentinel + "\"/></svg>";
      case "svg_a_js" -> svgOpen + "<a href=\"javascript:" + sentinel + "\"><rect width=\"10\" height=\"10\"/></a></svg>";
      case "animate_href" -> svgOpen + "<a><animate attributeName=\"href\" values=\"javascript:" + sentinel
          + "\" dur=\"1s\" fill=\"freeze\"/><rect width=\"10\" height=\"10\"/></a></svg>";
      case "style_import" -> svgOpen + "<style>@import url(\"" + third + "/import.css\");</style><rect width=\"10\" height=\"10\"/></svg>";
      case "image_href" -> svgOpen + "<image href=\"" + third + "/pixel.png\" width=\"10\" height=\"10\"/></svg>";
      default -> Qr.svg(link);
    };
    String wallet = mode.equals("js_link") ? "javascript:" + sentinel : link;
    String web = switch (mode) {
      case "js_link" -> "javascript:" + sentinel;
      case "foreign_web" -> third + "/wallet/?request_uri=x";
      case "okweb", "never" -> gatewayUrl() + "/wallet/?client_id=x&request_uri=y";
      default -> null; // a gateway without a web wallet omits the link
    };
    if (mode.equals("bad_modules")) {
      modules = "[\"<img src=x onerror=" + sentinel + ">\"" + ",\"0\"".repeat(20) + "]";
    }
    Instant now = Instant.now();
    // "skew": the device's clock is an hour ahead of the gateway's (expires_at is an hour in its past)
    Instant expiresAt = mode.equals("skew") ? now.minusSeconds(3600).plusSeconds(100) : now.plusSeconds(100);
    return "{\"transaction_id\":\"tx-" + mode + "-0123456789abcdef\",\"expires_at\":\"" + expiresAt + "\",\"expires_in\":100"
        + ",\"request_uri\":\"" + gatewayUrl() + "/v1/requests/req-" + mode + "\",\"wallet_link\":" + json(wallet)
        + (web == null ? "" : ",\"web_wallet_link\":" + json(web))
        + (mode.startsWith("dc") ? ",\"digital\":" + DIGITAL : "")
        + ",\"confirmation_code\":\"7K2M\",\"qr_modules\":" + modules + ",\"qr_svg\":" + json(qrSvg) + "}";
  }

  private static String json(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char ch : s.toCharArray()) {
      switch (ch) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        default -> {
          if (ch < 0x20 || ch == '<' || ch == '>') {
            b.append(String.format("\\u%04x", (int) ch));
          } else {
            b.append(ch);
          }
        }
      }
    }
    return b.append('"').toString();
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> q = new java.util.HashMap<>();
    if (raw != null) {
      for (String kv : raw.split("&")) {
        int i = kv.indexOf('=');
        if (i > 0) {
          q.put(kv.substring(0, i), java.net.URLDecoder.decode(kv.substring(i + 1), StandardCharsets.UTF_8));
        }
      }
    }
    return q;
  }

  private static void send(HttpExchange ex, int status, String type, String body, Map<String, String> headers) throws IOException {
    send(ex, status, type, body.getBytes(StandardCharsets.UTF_8), headers);
  }

  private static void send(HttpExchange ex, int status, String type, byte[] body, Map<String, String> headers) throws IOException {
    ex.getResponseHeaders().set("Content-Type", type);
    ex.getResponseHeaders().set("Cache-Control", "no-store");
    headers.forEach((k, v) -> ex.getResponseHeaders().set(k, v));
    if (status == 204) {
      ex.sendResponseHeaders(204, -1);
    } else {
      ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
      if (body.length > 0) {
        ex.getResponseBody().write(body);
      }
    }
    ex.close();
  }

  @Override
  public void close() {
    answer.countDown();
    for (HttpServer s : List.of(site, gateway, thirdParty)) {
      s.stop(0);
    }
    pool.shutdownNow();
  }
}
