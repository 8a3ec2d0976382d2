package dev.agegate.gateway.config;

import dev.agegate.gateway.audit.AuditLog;
import io.helidon.config.Config;
import java.net.URI;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The gateway's settings, read once from the {@code agegate} config node (see
 * gateway/README.md for every key and its default). Reading fails fast with a message that
 * names the key and the value: a typo never falls back to a default.
 */
public record Settings(
    String publicUrl,
    String store,
    Path dataDir,
    Duration checkLifetime,
    Duration redeemWindow,
    long maxChecks,
    Path trustFile,
    Duration trustGrace,
    Duration trustReload,
    Path keysDir,
    String pinnedFingerprint,
    boolean devKeys,
    int verifyThreads,
    int verifyQueue,
    Duration verifyTimeout,
    List<Path> signingKeyPems,
    Duration keyRotation,
    Duration keyPublishAhead,
    Path auditDir,
    AuditLog.Options audit,
    int maxBodyBytes,
    RateLimit perIp,
    RateLimit perSite,
    Map<String, Site> sites,
    boolean demo,
    String walletUrl,
    EdgeLimits edge,
    Optional<dev.agegate.gateway.family.mdoc.MdocSettings> mdoc,
    Path clientIdChain,
    boolean clientIdSelfSigned) {

  private static final Pattern SITE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  /** A site's readable name: letters, digits, spaces and punctuation, no control or format characters. */
  private static final Pattern SITE_NAME = Pattern.compile("[\\p{L}\\p{M}\\p{N}\\p{P}\\p{Zs}\\p{S}]+");
  private static final Pattern ORIGIN = Pattern.compile("https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?|https?://\\[[0-9a-fA-F:]+\\](:[0-9]{1,5})?");

  /**
   * {@code origin} (already matching {@link #ORIGIN}) as a browser serialises it in the
   * {@code Origin} header: scheme and host in lower case, without the scheme's default port.
   */
  static String serializedOrigin(String origin) {
    String o = origin.toLowerCase(java.util.Locale.ROOT);
    if (o.startsWith("https://") && o.endsWith(":443")) {
      return o.substring(0, o.length() - 4);
    }
    if (o.startsWith("http://") && o.endsWith(":80")) {
      return o.substring(0, o.length() - 3);
    }
    return o;
  }

  public Settings {
    sites = Map.copyOf(sites);
    signingKeyPems = List.copyOf(signingKeyPems);
  }

  /**
   * Reads {@code agegate.*} from {@code root}.
   *
   * @param root the root config (the {@code server} node gives the default public URL's port)
   * @throws IllegalArgumentException naming the key, for a missing or invalid value
   */
  public static Settings from(Config root) {
    Config c = root.get("agegate");
    int port = root.get("server.port").asInt().orElse(8090);
    String publicUrl = stripSlash(c.get("public-url").asString().filter(s -> !s.isBlank())
        .orElse("http://localhost:" + port));
    requireHttpUrl("agegate.public-url", publicUrl);
    String store = c.get("store").asString().orElse("caffeine");
    if (!store.equals("caffeine") && !store.equals("redis")) {
      throw new IllegalArgumentException("agegate.store: '" + store + "' is not caffeine or redis");
    }
    Path dataDir = Path.of(c.get("data-dir").asString().orElse(".agegate"));
    Duration lifetime = positive(c, "checks.lifetime", "PT5M");
    Duration redeem = positive(c, "checks.redeem-window", "PT2M");
    long maxChecks = c.get("checks.max").asLong().orElse(100_000L);
    requireArg(maxChecks > 0, "agegate.checks.max", maxChecks);

    Path trustFile = c.get("trust.file").asString().map(Path::of).orElse(dataDir.resolve("trust-list.json"));
    Duration grace = nonNegative(c, "trust.grace", "PT24H");
    Duration reload = positive(c, "trust.reload-interval", "PT30S");

    Path keysDir = Path.of(c.get("circuit.keys-dir").asString().orElse(dataDir.resolve("circuit-keys").toString()));
    String fingerprint = c.get("circuit.fingerprint").asString().orElse("").strip().toLowerCase(java.util.Locale.ROOT);
    boolean devKeys = bool(c, "circuit.dev-keys", false);
    if (!fingerprint.isEmpty() && !fingerprint.matches("[0-9a-f]{64}")) {
      throw new IllegalArgumentException("agegate.circuit.fingerprint: '" + fingerprint + "' is not 64 hex digits");
    }
    if (fingerprint.isEmpty() && !devKeys) {
      throw new IllegalArgumentException("agegate.circuit.fingerprint is required (pin the verifying key's SHA-256),"
          + " unless agegate.circuit.dev-keys is true");
    }

    int threads = c.get("verify.threads").asInt().orElse(0);
    requireArg(threads >= 0 && threads <= 256, "agegate.verify.threads", threads);
    if (threads == 0) {
      threads = Runtime.getRuntime().availableProcessors();
    }
    int queue = c.get("verify.queue").asInt().orElse(256);
    requireArg(queue >= 1, "agegate.verify.queue", queue);
    Duration verifyTimeout = positive(c, "verify.timeout", "PT10S");

    List<Path> pems = c.get("tokens.signing-keys").asList(String.class).orElse(List.of())
        .stream().map(Path::of).toList();
    Duration rotation = positive(c, "tokens.rotate-after", "P30D");
    Duration publishAhead = positive(c, "tokens.publish-ahead", "PT2H");
    requireArg(publishAhead.compareTo(rotation) < 0, "agegate.tokens.publish-ahead (shorter than rotate-after)", publishAhead);

    Path auditDir = c.get("audit.dir").asString().map(Path::of).orElse(dataDir.resolve("audit"));
    AuditLog.Options audit = new AuditLog.Options(
        AuditLog.Force.parse("agegate.audit.force", c.get("audit.force").asString().orElse("always")),
        positive(c, "audit.force-interval", "PT1S"),
        c.get("audit.segment-bytes").asLong().orElse(64L << 20),
        positive(c, "audit.checkpoint-interval", "PT5M"));

    int maxBody = c.get("limits.max-body-bytes").asInt().orElse(16_384);
    requireArg(maxBody >= 1024, "agegate.limits.max-body-bytes", maxBody);
    RateLimit perIp = new RateLimit(c.get("limits.per-ip.permits").asInt().orElse(120), positive(c, "limits.per-ip.window", "PT1M"));
    RateLimit perSite = new RateLimit(c.get("limits.per-site.permits").asInt().orElse(6000), positive(c, "limits.per-site.window", "PT1M"));

    Map<String, Site> sites = new LinkedHashMap<>();
    List<Config> siteNodes = c.get("sites").asNodeList().orElse(List.of());
    for (int i = 0; i < siteNodes.size(); i++) {
      Site s = site(siteNodes.get(i), "agegate.sites." + i);
      if (sites.put(s.id(), s) != null) {
        throw new IllegalArgumentException("agegate.sites: site id '" + s.id() + "' appears twice");
      }
    }
    boolean demo = bool(c, "demo", false);
    String walletUrl = walletUrl(c);
    EdgeLimits edge = EdgeLimits.from(c.get("limits"), perIp);
    Optional<dev.agegate.gateway.family.mdoc.MdocSettings> mdoc = dev.agegate.gateway.family.mdoc.MdocSettings.from(root);
    int index = 0;
    for (Site s : sites.values()) {
      if (s.accepts(Site.MSO_MDOC) && mdoc.isEmpty()) {
        throw new IllegalArgumentException("agegate.sites." + index + ".families: site '" + s.id()
            + "' accepts mso_mdoc, which needs agegate.mdoc.iaca-dir or agegate.mdoc.trusted-list.file"
            + " (the IACA trust anchors)");
      }
      if (s.accepts(Site.MSO_MDOC) && s.minAge() > 99) {
        throw new IllegalArgumentException("agegate.sites." + index + ".min-age: " + s.minAge()
            + " with mso_mdoc: an mdoc states age_over_NN with two digits only");
      }
      index++;
    }
    return new Settings(publicUrl, store, dataDir, lifetime, redeem, maxChecks, trustFile, grace, reload, keysDir,
        fingerprint, devKeys, threads, queue, verifyTimeout, pems, rotation, publishAhead, auditDir, audit, maxBody, perIp, perSite, sites, demo,
        walletUrl, edge, mdoc, clientIdChain(c), bool(c, "client-id.self-signed", demo || devKeys));
  }

  /**
   * {@code agegate.client-id.certificate-chain}: the PEM chain (leaf first) of the
   * {@code x509_san_dns} client id, or null when not set.
   */
  private static Path clientIdChain(Config c) {
    return c.get("client-id.certificate-chain").asString().asOptional().filter(x -> !x.isBlank())
        .map(x -> Path.of(x.strip())).orElse(null);
  }

  /** The site with this id, if configured. */
  public Optional<Site> site(String id) {
    return Optional.ofNullable(id == null ? null : sites.get(id));
  }

  /** Every origin any site allows: the only ones CORS answers. */
  public Set<String> allOrigins() {
    Set<String> all = new LinkedHashSet<>();
    sites.values().forEach(s -> all.addAll(s.origins()));
    return all;
  }

  private static Site site(Config n, String key) {
    String id = n.get("id").asString().orElseThrow(() -> new IllegalArgumentException(key + ".id is required"));
    if (!SITE_ID.matcher(id).matches()) {
      throw new IllegalArgumentException(key + ".id: '" + id + "' is not 1-64 of [A-Za-z0-9._-]");
    }
    List<String> origins = n.get("origins").asList(String.class).orElse(List.of());
    if (origins.isEmpty()) {
      throw new IllegalArgumentException(key + ".origins: at least one origin is required");
    }
    for (String o : origins) {
      if (!ORIGIN.matcher(o).matches()) {
        throw new IllegalArgumentException(key + ".origins: '" + o + "' is not an origin (scheme://host[:port], no path)");
      }
      String asSent = serializedOrigin(o);
      if (!asSent.equals(o)) {
        // a browser never sends it so: the site's pages would all be refused
        throw new IllegalArgumentException(key + ".origins: '" + o + "' is not written as a browser sends it; write '"
            + asSent + "' (lower case, no default port)");
      }
    }
    int minAge = n.get("min-age").asInt().orElse(18);
    requireArg(minAge >= 1 && minAge <= 150, key + ".min-age", minAge);
    int level = n.get("min-assurance").asInt().orElse(1);
    requireArg(level >= 1 && level <= 4, key + ".min-assurance", level);
    Duration lifetime = positive(n, "token-lifetime", "PT5M");
    String zoneText = n.get("time-zone").asString().orElse("UTC");
    ZoneId zone;
    try {
      zone = ZoneId.of(zoneText);
    } catch (DateTimeException e) {
      throw new IllegalArgumentException(key + ".time-zone: '" + zoneText + "' is not a time zone id");
    }
    try {
      // the circuit's days start on 1900-01-01: an age whose cutoff falls before cannot be proved
      dev.agegate.zk.PublicInputs.cutoffDay(java.time.LocalDate.now(zone), minAge);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(key + ".min-age: " + minAge + " puts the birth-date cutoff before 1900-01-01,"
          + " the first day the circuit knows");
    }
    boolean pseudonym = bool(n, "pseudonym", false);
    // Site-authenticated check creation (the site's backend sends Authorization: Bearer <secret>).
    Config secretNode = n.get("secret-sha256");
    List<String> secrets = !secretNode.exists() ? List.of()
        : secretNode.isLeaf() ? List.of(secretNode.asString().get()) : secretNode.asList(String.class).get();
    boolean requireSecret = bool(n, "require-secret", false);
    if (requireSecret && secrets.isEmpty()) {
      throw new IllegalArgumentException(key + ".require-secret: true needs " + key + ".secret-sha256");
    }
    String name = n.get("name").asString().orElse(id).strip();
    if (name.isEmpty() || name.length() > 64 || !SITE_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(key + ".name: '" + name + "' is not 1-64 printable characters");
    }
    return new Site(id, new LinkedHashSet<>(origins), minAge, level, lifetime, zone, pseudonym,
        Site.parseSecretHashes(key + ".secret-sha256", secrets), requireSecret, name, families(n, key), unsigned(n, key));
  }

  /** {@code request-style}: {@code signed} (the default) or {@code unsigned} (see {@link Site#unsignedRequest()}). */
  private static boolean unsigned(Config n, String key) {
    String v = n.get("request-style").asString().orElse("signed").strip();
    return switch (v) {
      case "signed" -> false;
      case "unsigned" -> true;
      default -> throw new IllegalArgumentException(key + ".request-style: '" + v + "' is not signed or unsigned");
    };
  }

  /**
   * {@code families}: a list of family names, default {@code [agegate-zk]}; a malformed or repeated
   * value fails here, a family the gateway does not have when it starts ({@code Families#requireEvery}).
   */
  private static Set<String> families(Config n, String key) {
    Config f = n.get("families");
    if (!f.exists()) {
      return Set.of(Site.AGEGATE_ZK);
    }
    List<String> values = f.isLeaf() ? List.of(f.asString().get()) : f.asList(String.class).get();
    Set<String> out = new LinkedHashSet<>();
    for (String v : values) {
      String family = v.strip();
      if (!family.matches("[a-z0-9][a-z0-9_-]{0,31}")) {
        throw new IllegalArgumentException(key + ".families: '" + family + "' is not a family name such as "
            + Site.AGEGATE_ZK + " or " + Site.MSO_MDOC);
      }
      if (!out.add(family)) {
        throw new IllegalArgumentException(key + ".families: '" + family + "' is listed twice");
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException(key + ".families: at least one family is required");
    }
    return out;
  }

  private static boolean bool(Config c, String key, boolean dflt) {
    Optional<String> v = c.get(key).asString().asOptional();
    if (v.isEmpty()) {
      return dflt;
    }
    return switch (v.get().strip().toLowerCase(java.util.Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new IllegalArgumentException(c.get(key).key() + ": '" + v.get() + "' is not true or false");
    };
  }

  private static Duration positive(Config c, String key, String dflt) {
    Duration d = duration(c, key, dflt);
    requireArg(!d.isNegative() && !d.isZero(), c.get(key).key().toString(), d);
    return d;
  }

  private static Duration nonNegative(Config c, String key, String dflt) {
    Duration d = duration(c, key, dflt);
    requireArg(!d.isNegative(), c.get(key).key().toString(), d);
    return d;
  }

  static Duration duration(Config c, String key, String dflt) {
    String v = c.get(key).asString().orElse(dflt);
    try {
      return Duration.parse(v);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(c.get(key).key() + ": '" + v + "' is not an ISO-8601 duration such as PT5M");
    }
  }

  private static void requireArg(boolean ok, String key, Object value) {
    if (!ok) {
      throw new IllegalArgumentException(key + ": " + value + " is out of range");
    }
  }

  private static void requireHttpUrl(String key, String url) {
    try {
      URI u = URI.create(url);
      if ((!"http".equals(u.getScheme()) && !"https".equals(u.getScheme())) || u.getHost() == null
          || (u.getPath() != null && !u.getPath().isEmpty()) || u.getQuery() != null) {
        throw new IllegalArgumentException();
      }
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(key + ": '" + url + "' is not an http(s) origin such as https://age.example.com");
    }
  }

  /**
   * {@code agegate.wallet-url}: the web wallet the widget's "Use the web wallet" opens, ending
   * with a slash; null when not set (then the gateway links to its own {@code /wallet/} if the
   * wallet module is on its class path, and to none otherwise). In production it is a separate
   * origin (docs/security.md, "The web wallet's origin").
   */
  private static String walletUrl(Config c) {
    Optional<String> set = c.get("wallet-url").asString().asOptional().filter(x -> !x.isBlank());
    if (set.isEmpty()) {
      return null;
    }
    String v = set.get().strip();
    try {
      URI u = URI.create(v);
      if ((!"http".equals(u.getScheme()) && !"https".equals(u.getScheme())) || u.getHost() == null
          || u.getRawQuery() != null || u.getRawFragment() != null || u.getRawUserInfo() != null
          || u.getRawPath() == null || !u.getRawPath().endsWith("/")) {
        throw new IllegalArgumentException();
      }
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("agegate.wallet-url: '" + v + "' is not an http(s) URL ending in / (no query)"
          + " such as https://wallet.example.com/");
    }
    return v;
  }

  private static String stripSlash(String s) {
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }
}
