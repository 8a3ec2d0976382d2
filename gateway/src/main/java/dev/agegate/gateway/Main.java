package dev.agegate.gateway;

import dev.agegate.gateway.audit.AuditCommand;
import dev.agegate.gateway.checks.ChecksService;
import dev.agegate.gateway.demo.DemoIssuerService;
import dev.agegate.gateway.demo.DemoSetup;
import dev.agegate.gateway.http.HttpGuard;
import dev.agegate.gateway.http.Problem;
import dev.agegate.gateway.http.ProblemHandler;
import dev.agegate.gateway.metrics.HealthService;
import dev.agegate.gateway.protocol.RequestsService;
import dev.agegate.gateway.protocol.ResponsesService;
import dev.agegate.gateway.tokens.JwksService;
import dev.agegate.gateway.trust.TrustService;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.config.spi.ConfigSource;
import io.helidon.http.HttpException;
import io.helidon.logging.common.LogConfig;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.staticcontent.StaticContentService;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Starts the gateway: {@code java -jar agegate-gateway.jar [--demo]}; or, with {@code audit verify
 * DIR ...}, verifies an audit log folder and exits ({@link AuditCommand}). Config comes from, in
 * priority order, environment variables, system properties ({@code -Dserver.port=9000}), the
 * demo defaults with {@code --demo}, and {@code application.yaml}.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    List<String> argv = Arrays.asList(args);
    if (!argv.isEmpty() && argv.get(0).equals("audit")) {
      // An offline tool: no server, no config; the exit status is the verdict.
      System.exit(AuditCommand.run(argv.subList(1, argv.size()), System.out, System.err));
    }
    LogConfig.configureRuntime();
    boolean demo = argv.contains("--demo");
    for (String a : argv) {
      if (!a.equals("--demo")) {
        System.err.println("usage: java -jar agegate-gateway.jar [--demo]   (settings: see gateway/README.md)\n"
            + "       java -jar agegate-gateway.jar audit verify DIR [--keys DIR] [--jwks FILE] [--live] [--anchor SEQ:SHA256]");
        System.exit(2);
      }
    }
    Config config = config(demo, Map.of());
    if (demo) {
      Map<String, String> prepared = DemoSetup.prepare(config);
      config = config(true, prepared);
    }
    Gateway gateway = Gateway.create(config);
    WebServer server = server(config, gateway).start();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.stop();
      gateway.close();
    }, "agegate-shutdown"));
    String url = gateway.settings().publicUrl();
    System.out.println("agegate gateway listening on port " + server.port() + ", public URL " + url
        + "; admin (health, metrics, OpenAPI) on " + adminUrl(config, server));
    if (demo) {
      DemoSetup.printWelcome(gateway.settings(), gateway.fingerprint(), gateway.circuitKeys.development(), server.port(),
          adminUrl(config, server));
    }
  }

  /** The named socket that serves {@code /health}, {@code /metrics} and {@code /openapi}. */
  static final String ADMIN = "admin";

  /**
   * The server, not started: the public listener ({@code server.*}) with every public route,
   * and the admin listener ({@code server.sockets.admin}, loopback by default) with health,
   * and (Helidon features bound to that socket in application.yaml) metrics and OpenAPI.
   *
   * @throws IllegalArgumentException when no admin socket is configured
   */
  static WebServer server(Config config, Gateway gateway) {
    Config server = config.get("server");
    if (!server.get("sockets." + ADMIN).exists()) {
      throw new IllegalArgumentException("server.sockets." + ADMIN + " is required (host, port): health, metrics and"
          + " OpenAPI are served there, never on the public port");
    }
    return WebServer.builder()
        .config(server)
        .routing(r -> routing(r, gateway))
        .routing(ADMIN, r -> adminRouting(r, gateway))
        .build();
  }

  /** {@code http://host:port} of the admin listener. */
  static String adminUrl(Config config, WebServer server) {
    String host = config.get("server.sockets." + ADMIN + ".host").asString().orElse("127.0.0.1");
    if (host.contains(":")) {
      host = "[" + host + "]";
    }
    return "http://" + host + ":" + server.port(ADMIN);
  }

  /** The admin listener's own routes (Helidon's features add metrics and OpenAPI to it). */
  static void adminRouting(HttpRouting.Builder routing, Gateway g) {
    routing.error(HttpException.class, ProblemHandler::http)
        .error(Throwable.class, ProblemHandler::unexpected)
        .register("/health", new HealthService(g.store, g.verifier, g.trust, g.keys, g.pool,
            g.requestCertificates, g.clock));
  }

  /**
   * The config: environment, system properties, {@code extra} and the demo defaults (when
   * {@code demo}), then {@code application.yaml}; earlier sources win.
   */
  static Config config(boolean demo, Map<String, String> extra) {
    List<java.util.function.Supplier<? extends ConfigSource>> sources = new ArrayList<>();
    sources.add(ConfigSources.environmentVariables());
    sources.add(ConfigSources.systemProperties());
    if (!extra.isEmpty()) {
      sources.add(ConfigSources.create(extra));
    }
    if (demo) {
      sources.add(ConfigSources.classpath("demo.yaml"));
    }
    sources.add(ConfigSources.classpath("application.yaml"));
    return Config.builder()
        .disableEnvironmentVariablesSource()
        .disableSystemPropertiesSource()
        .sources(sources)
        .build();
  }

  /**
   * Every public route of the gateway (health, metrics and OpenAPI are on the admin listener,
   * {@link #adminRouting}); tests call this with their own {@link Gateway}.
   */
  static void routing(HttpRouting.Builder routing, Gateway g) {
    String walletOrigin = g.links.walletOrigin();
    HttpGuard guard = new HttpGuard(g.settings.allOrigins(), g.settings.publicUrl().startsWith("https:"),
        walletOrigin == null || g.settings.publicUrl().equals(walletOrigin) ? null : walletOrigin, g.limits);
    routing.addFilter(guard::filter)
        .error(Problem.class, (req, res, p) -> {
          g.metrics.outcome("refused", p.reason().code());
          ProblemHandler.problem(req, res, p);
        })
        .error(HttpException.class, ProblemHandler::http)
        .error(Throwable.class, ProblemHandler::unexpected)
        .register("/v1/checks", new ChecksService(g.settings, g.checks, g.store, g.links, g.bodies, g.limits, g.digital,
            g.requestObjects::walletLink, g.families::askable))
        .register("/v1/requests", new RequestsService(g.checks, g.requestObjects, g.limits, g.bodies))
        .register("/v1/responses", new ResponsesService(g.responses, g.walletErrors, g.bodies, g.limits, g.checks,
            g.requestObjects, g.responseEncryption))
        .register("/v1", new TrustService(g.trust, g.circuitKeys))
        .register("/.well-known", new JwksService(g.keys))
        // Static files other modules put on the class path: the widget jar's
        // META-INF/resources/widget/v1/ (age-gate.js, age-gate.js.sri) and the web wallet's.
        .register("/widget", StaticContentService.builder("META-INF/resources/widget").build())
        .register("/wallet", new dev.agegate.gateway.http.WalletWasm(Main.class.getClassLoader()))
        .register("/wallet", StaticContentService.builder("META-INF/resources/wallet").welcomeFileName("index.html").build());
    if (g.settings.demo()) {
      routing.register("/demo/issuer", new DemoIssuerService(DemoSetup.issuerKey(g.settings.dataDir()), g.bodies));
    }
  }
}
