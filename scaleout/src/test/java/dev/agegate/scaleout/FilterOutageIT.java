package dev.agegate.scaleout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agegate.filter.AgeGateFilter;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.UUID;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;

/**
 * The servlet filter in a real Jetty 12, pointed at a real gateway process that is then
 * killed. The production bound is {@code jwks-refresh} 5 min + {@code jwks-max-stale} 1 h
 * (a 10-minute outage sits well inside it); here the same mechanism runs with a bound of
 * 1 s + 5 s so the test takes seconds: within it, a token the filter has never seen is still
 * verified with the cached keys; past it, such a token is refused with 503 (fail closed), while
 * a token verified before keeps its cookie working until the token's own {@code exp}.
 */
class FilterOutageIT {
  static final Duration REFRESH = Duration.ofSeconds(1);
  static final Duration MAX_STALE = Duration.ofSeconds(5);

  static final class Content extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      resp.setContentType("text/plain;charset=UTF-8");
      resp.getWriter().write("PROTECTED " + req.getRequestURI());
    }
  }

  @Test
  void filter_gatewayKilled_cachedKeysWithinBoundThenFailsClosed() throws Exception {
    Fixture f = Fixture.get();
    String redis = RedisServers.shared();
    int port = GatewayProcess.freePort();
    String gatewayUrl = "http://127.0.0.1:" + port;
    GatewayProcess g = GatewayProcess.start("filter-gw", port,
        f.node("F", redis, "agegate-it:" + UUID.randomUUID().toString().substring(0, 8) + ":", gatewayUrl), f.work);
    Server jetty = new Server();
    try {
      AgeGateFilter filter = AgeGateFilter.builder().gatewayUrl(gatewayUrl).siteId(Fixture.SITE).rule("/adult/*", 18)
          .cookieSecure(false).jwksRefresh(REFRESH).jwksMaxStale(MAX_STALE).jwksMinRefetch(Duration.ofSeconds(1))
          .jwksTimeout(Duration.ofSeconds(1)).build();
      ServletContextHandler context = new ServletContextHandler();
      context.setContextPath("/");
      context.addServlet(new ServletHolder(new Content()), "/");
      context.addFilter(new FilterHolder(filter), "/*", EnumSet.of(DispatcherType.REQUEST));
      ServerConnector connector = new ServerConnector(jetty);
      connector.setHost("127.0.0.1");
      connector.setPort(0);
      jetty.addConnector(connector);
      jetty.setHandler(context);
      jetty.start();
      String site = "http://127.0.0.1:" + connector.getLocalPort();

      // The gate answers an API client with the binding and sets the browser's nonce cookie.
      HttpResponse<String> gate = send(HttpRequest.newBuilder(URI.create(site + "/adult/film"))
          .header("Accept", "application/json").GET());
      assertThat(gate.statusCode()).isEqualTo(401);
      String nonceCookie = gate.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("agegate_nonce="))
          .findFirst().orElseThrow().split(";")[0];
      String binding = Wallet.field(gate.body(), "binding");

      List<String> tokens = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        Wallet.Check c = Wallet.create(gatewayUrl, binding);
        Wallet.Request q = Wallet.fetch(gatewayUrl, c);
        assertThat(Wallet.respond(gatewayUrl, c, Wallet.prove(q), q.state()).status()).isEqualTo(200);
        Wallet.Resp t = Wallet.redeem(gatewayUrl, c);
        assertThat(t.status()).as(t.body()).isEqualTo(200);
        tokens.add(Wallet.field(t.body(), "token"));
      }
      String cookie1 = callback(site, nonceCookie, tokens.get(0), 303);
      assertThat(page(site, nonceCookie, cookie1).statusCode()).isEqualTo(200);
      Thread.sleep(REFRESH.toMillis() + 300);
      assertThat(page(site, nonceCookie, cookie1).statusCode()).as("a use after jwks-refresh re-fetches in the background")
          .isEqualTo(200);
      Thread.sleep(300);

      g.kill();
      long killedAt = System.nanoTime();
      String cookie2 = callback(site, nonceCookie, tokens.get(1), 303);
      HttpResponse<String> p2 = page(site, nonceCookie, cookie2);
      assertThat(p2.statusCode()).as("within the bound a new token verifies with the cached keys").isEqualTo(200);
      assertThat(p2.body()).startsWith("PROTECTED /adult/film");

      long boundMillis = REFRESH.plus(MAX_STALE).toMillis() + 2500;
      Thread.sleep(Math.max(0, boundMillis - (System.nanoTime() - killedAt) / 1_000_000));
      HttpResponse<String> late = sendCallback(site, nonceCookie, tokens.get(2));
      assertThat(late.statusCode()).as("past the bound: fail closed; " + late.body()).isEqualTo(503);
      assertThat(late.headers().firstValue("Set-Cookie")).isEmpty();
      assertThat(page(site, nonceCookie, cookie1).statusCode())
          .as("a token verified before the outage stays valid until its exp").isEqualTo(200);
    } finally {
      jetty.stop();
      g.close();
    }
  }

  private static String callback(String site, String nonceCookie, String token, int expect) throws Exception {
    HttpResponse<String> r = sendCallback(site, nonceCookie, token);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(expect);
    return r.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("agegate=")).findFirst().orElseThrow()
        .split(";")[0];
  }

  private static HttpResponse<String> sendCallback(String site, String nonceCookie, String token) throws Exception {
    return send(HttpRequest.newBuilder(URI.create(site + "/agegate/callback"))
        .header("Content-Type", "application/x-www-form-urlencoded").header("Accept", "application/json")
        .header("Cookie", nonceCookie)
        .POST(HttpRequest.BodyPublishers.ofString("token=" + URLEncoder.encode(token, StandardCharsets.UTF_8)
            + "&return=" + URLEncoder.encode("/adult/film", StandardCharsets.UTF_8))));
  }

  private static HttpResponse<String> page(String site, String nonceCookie, String ageCookie) throws Exception {
    return send(HttpRequest.newBuilder(URI.create(site + "/adult/film")).header("Accept", "application/json")
        .header("Cookie", nonceCookie + "; " + ageCookie).GET());
  }

  private static HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
    return Wallet.HTTP.send(b.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
