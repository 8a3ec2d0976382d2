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

  @Test
  void doFilterWhenConfiguredFromWebXmlThenContentOnlyAfterCallback(@TempDir Path dir) throws Exception {
    WebAppContext webapp = new WebAppContext();
    webapp.setContextPath("/");
    webapp.setBaseResourceAsPath(WebApp.folder(dir, gateway.url()));
    webapp.setParentLoaderPriority(true);
    webapp.setThrowUnavailableOnStartupException(true);

    new BrowserFlow(start(webapp), gateway).run();
  }

  @Test
  void doFilterWhenConfiguredInCodeThenContentOnlyAfterCallback() throws Exception {
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    context.addServlet(ContentServlet.class, "/");
    context.addFilter(new FilterHolder(WebApp.filter(gateway.url())), "/*", EnumSet.of(DispatcherType.REQUEST));

    new BrowserFlow(start(context), gateway).run();
  }
}
