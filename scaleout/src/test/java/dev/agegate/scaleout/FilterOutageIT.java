package dev.agegate.scaleout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agegate.filter.AgeGateFilter;
import dev.agegate.testsupport.MutableClock;
import dev.agegate.testsupport.RedisServers;
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
 * 30 s + 90 s on the filter's own clock, real time plus an offset that the test moves forward
 * (no sleep, so a loaded machine cannot move a step to the other side of a bound, and the
 * tokens, whose {@code exp} the real gateway sets 5 min ahead, are still inside it): within the
 * bound, a token the filter has never seen is still verified with the cached keys; past it,
 * such a token is refused with 503 (fail closed), while a token verified before keeps its
 * cookie working until the token's own {@code exp}.
 */
class FilterOutageIT {
  static final Duration REFRESH = Duration.ofSeconds(30);
  static final Duration MAX_STALE = Duration.ofSeconds(90);

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
    String prefix = "agegate-it:" + UUID.randomUUID().toString().substring(0, 8) + ":";
    GatewayProcess g = GatewayProcess.startOnFreePort("filter-gw", port -> f.node("F", redis, prefix, "http://127.0.0.1:" + port), f.work);
    String gatewayUrl = g.url();
    Server jetty = new Server();
    MutableClock clock = MutableClock.ticking();
    try {
      AgeGateFilter filter = AgeGateFilter.builder().gatewayUrl(gatewayUrl).siteId(Fixture.SITE).rule("/adult/*", 18)
          .cookieSecure(false).jwksRefresh(REFRESH).jwksMaxStale(MAX_STALE).jwksMinRefetch(Duration.ofSeconds(1))
          .jwksTimeout(Duration.ofSeconds(1)).clock(clock).build();
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
      clock.advance(REFRESH.plusSeconds(1));
      assertThat(page(site, nonceCookie, cookie1).statusCode()).as("a use after jwks-refresh re-fetches in the background")
          .isEqualTo(200);

      // Whether or not that background re-fetch finished before the kill, the keys were written
      // at most REFRESH + 1 s ago on the filter's clock: inside the bound now, past it below.
      g.kill();
      String cookie2 = callback(site, nonceCookie, tokens.get(1), 303);
      HttpResponse<String> p2 = page(site, nonceCookie, cookie2);
      assertThat(p2.statusCode()).as("within the bound a new token verifies with the cached keys").isEqualTo(200);
      assertThat(p2.body()).startsWith("PROTECTED /adult/film");

      clock.advance(REFRESH.plus(MAX_STALE).plusSeconds(2));
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
