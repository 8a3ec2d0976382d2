package dev.agegate.filter.container;

import dev.agegate.filter.support.TestGateway;
import jakarta.servlet.DispatcherType;
import java.nio.file.Path;
import java.time.Clock;
import java.util.EnumSet;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Jetty 12 (ee10) serving a protected page through the filter. */
class JettyIT {

  private static TestGateway gateway;
  private Server server;

  @BeforeAll
  static void startGateway() {
    gateway = new TestGateway(Clock.systemUTC());
  }

  @AfterAll
  static void stopGateway() {
    gateway.close();
  }

  @AfterEach
  void stop() throws Exception {
    server.stop();
  }

  private String start(Handler handler) throws Exception {
    server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    server.setHandler(handler);
    server.start();
    return "http://127.0.0.1:" + connector.getLocalPort();
  }

  /** Jetty 12 refuses an empty segment (//) and an encoded slash with 400 (ambiguous URI); the rest it normalises, and the filter gates them (401). */
  static final java.util.Map<String, Integer> TRICKY = java.util.Map.of("/%61dult/films", 401, "/./adult/films", 401, "//adult/films", 400, "/adult%2Ffilms", 400, "/adult;x=1/films", 401, "/shop/../adult/films", 401);

  @Test
  void doFilterWhenConfiguredFromWebXmlThenContentOnlyAfterCallback(@TempDir Path dir) throws Exception {
    WebAppContext webapp = new WebAppContext();
    webapp.setContextPath("/");
    webapp.setBaseResourceAsPath(WebApp.folder(dir, gateway.url()));
    webapp.setParentLoaderPriority(true);
    webapp.setThrowUnavailableOnStartupException(true);

    new BrowserFlow(start(webapp), gateway).run(TRICKY);
  }

  @Test
  void doFilterWhenConfiguredInCodeThenContentOnlyAfterCallback() throws Exception {
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    context.addServlet(ContentServlet.class, "/");
    context.addFilter(new FilterHolder(WebApp.filter(gateway.url())), "/*", EnumSet.of(DispatcherType.REQUEST));

    new BrowserFlow(start(context), gateway).run(TRICKY);
  }

  @Test
  void doFilterWhenServletMappedUnderPrefixAndSiteSecretThenFilterCreatedCheckOpensThePage() throws Exception {
    gateway.answerChecks();
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    context.addServlet(ContentServlet.class, "/adult/*");
    context.addServlet(ContentServlet.class, "/");
    context.addFilter(new FilterHolder(WebApp.builder(gateway.url()).siteSecret(TestGateway.SITE_SECRET).build()), "/*",
        EnumSet.of(DispatcherType.REQUEST));

    new BrowserFlow(start(context), gateway).runWithSiteSecret();
  }

  @Test
  void doFilterWhenOnlyMdocAcceptedThenZkTokenRefusedAndMdocTokenOpensThePage() throws Exception {
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    context.addServlet(ContentServlet.class, "/");
    context.addFilter(new FilterHolder(WebApp.builder(gateway.url()).acceptedMethods(java.util.Set.of("mso_mdoc")).build()),
        "/*", EnumSet.of(DispatcherType.REQUEST));

    new BrowserFlow(start(context), gateway).runWithMdocOnly();
  }
}
