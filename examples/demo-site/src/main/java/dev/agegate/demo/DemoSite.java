package dev.agegate.demo;

import dev.agegate.filter.AgeGateFilter;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The demo shop in embedded Jetty 12 (ee10): the agegate filter in front of every path,
 * {@code /adult/*} for 18+, {@code /spirits/*} for 21+, the home page public. Every answer,
 * the filter's gate page included, carries a strict Content-Security-Policy (no inline script
 * or style; scripts and connections only to this site and the gateway), which the widget
 * works under.
 */
public final class DemoSite {
  private DemoSite() {}

  /**
   * Starts the shop.
   *
   * @param host the address to listen on ({@code 0.0.0.0} for phones on the same network)
   * @param port the port, 0 for any free one
   * @param gatewayUrl the gateway's public URL: browsers (the widget) talk to it, and it is the
   *     tokens' {@code iss}
   * @param backendGatewayUrl where this server reaches the gateway for its JWKS (a loopback
   *     URL when both run on one machine; the filter takes plain http only on loopback, so a
   *     phone demo on a LAN address works without https)
   * @return the started server; {@code ((ServerConnector) getConnectors()[0]).getLocalPort()}
   *     is its port
   */
  public static Server start(String host, int port, String gatewayUrl, String backendGatewayUrl) throws Exception {
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost(host);
    connector.setPort(port);
    server.addConnector(connector);

    ServletContextHandler context = new ServletContextHandler("/");
    String origin = URI.create(gatewayUrl).resolve("/").toString().replaceAll("/$", "");
    String csp = "default-src 'self'; script-src 'self' " + origin + "; connect-src " + origin
        + "; img-src 'self' data:; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";
    Filter headers = (req, res, chain) -> {
      HttpServletResponse r = (HttpServletResponse) res;
      r.setHeader("Content-Security-Policy", csp);
      r.setHeader("X-Content-Type-Options", "nosniff");
      r.setHeader("Referrer-Policy", "same-origin");
      chain.doFilter(req, res);
    };
    context.addFilter(new FilterHolder(headers), "/*", EnumSet.of(DispatcherType.REQUEST));
    AgeGateFilter gate = AgeGateFilter.builder()
        .gatewayUrl(backendGatewayUrl)
        .issuer(gatewayUrl)
        .siteId("demo-shop")
        .rule("/adult/*", 18)
        .rule("/spirits/*", 21)
        .cookieSecure(false) // plain-http demo on loopback: browsers drop Secure cookies there
        .widgetIntegrity(widgetSri())
        .gateRedirect(ShopServlet.GATE_PATH) // the shop's own gate page, in the visitor's language
        .build();
    context.addFilter(new FilterHolder(gate), "/*", EnumSet.of(DispatcherType.REQUEST));
    context.addServlet(new ServletHolder(new ShopServlet(gatewayUrl, widgetSri())), "/");
    server.setHandler(context);
    server.start();
    return server;
  }

  /** The SRI value of the widget this build serves (from the agegate-widget jar). */
  static String widgetSri() {
    try (InputStream in = DemoSite.class.getResourceAsStream("/META-INF/resources/widget/v1/age-gate.js.sri")) {
      if (in == null) {
        throw new IllegalStateException("agegate-widget is not on the class path (META-INF/resources/widget/v1/age-gate.js.sri)");
      }
      return new String(in.readAllBytes(), StandardCharsets.US_ASCII).strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
