package dev.agegate.filter.container;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agegate.filter.support.TestGateway;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a browser and the widget do against a real container, with cookies kept by hand: the
 * gate page, the callback with a gateway-signed token, then the protected page.
 */
final class BrowserFlow {

  private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
  private final String base;
  private final TestGateway gateway;

  BrowserFlow(String base, TestGateway gateway) {
    this.base = base;
    this.gateway = gateway;
  }

  HttpResponse<String> get(String path, String accept, String cookies) throws IOException, InterruptedException {
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(base + path)).header("Accept", accept).GET();
    if (cookies != null) {
      r.header("Cookie", cookies);
    }
    return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> callback(String token, String returnPath, String cookies) throws IOException, InterruptedException {
    String form = "token=" + URLEncoder.encode(token, StandardCharsets.UTF_8) + "&return="
        + URLEncoder.encode(returnPath, StandardCharsets.UTF_8);
    return http.send(HttpRequest.newBuilder(URI.create(base + "/agegate/callback"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Accept", "text/html")
        .header("Cookie", cookies)
        .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /**
   * Runs the whole flow and asserts every step.
   *
   * @param tricky for each encoded, parameterised or dotted path to gated content, the exact
   *     status this container answers (each container normalises differently; none may serve it)
   */
  void run(java.util.Map<String, Integer> tricky) throws Exception {
    HttpResponse<String> open = get("/shop/bread", "text/html", null);
    assertThat(open.statusCode()).isEqualTo(200);
    assertThat(open.body()).startsWith(ContentServlet.MARK);

    HttpResponse<String> gate = get("/adult/films?page=2", "text/html", null);
    assertThat(gate.statusCode()).isEqualTo(401);
    assertThat(gate.headers().firstValue("Cache-Control")).contains("no-store");
    assertThat(gate.body()).doesNotContain(ContentServlet.MARK).contains("<age-gate ")
        .contains("min-age=\"18\"").contains("return=\"/adult/films?page=2\"");
    String nonce = cookie(gate, "agegate_nonce");
    String binding = attribute(gate.body(), "binding");

    HttpResponse<String> api = get("/adult/films", "application/json", null);
    assertThat(api.statusCode()).isEqualTo(401);
    assertThat(api.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));
    assertThat(api.headers().firstValue("WWW-Authenticate")).contains("AgeToken realm=\"demo-shop\", min_age=\"18\"");
    assertThat(api.body()).doesNotContain(ContentServlet.MARK);

    String token = gateway.token(18, binding);
    HttpResponse<String> stolen = callback(token, "/adult/films?page=2", "agegate_nonce=" + "x".repeat(43));
    assertThat(stolen.statusCode()).isEqualTo(401);
    assertThat(stolen.headers().allValues("Set-Cookie")).noneMatch(c -> c.startsWith("agegate="));

    HttpResponse<String> back = callback(token, "/adult/films?page=2", "agegate_nonce=" + nonce);
    assertThat(back.statusCode()).isEqualTo(303);
    assertThat(back.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).endsWith("/adult/films?page=2"));
    String age = cookie(back, "agegate");
    assertThat(age).isEqualTo(token);
    String cookies = "agegate_nonce=" + nonce + "; agegate=" + age;

    HttpResponse<String> page = get("/adult/films?page=2", "text/html", cookies);
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).startsWith(ContentServlet.MARK + " /adult/films ");

    HttpResponse<String> higher = get("/spirits/rum", "text/html", cookies);
    assertThat(higher.statusCode()).isEqualTo(401);
    assertThat(higher.body()).doesNotContain(ContentServlet.MARK).contains("min-age=\"21\"");

    java.util.Map<String, Integer> statuses = new java.util.LinkedHashMap<>();
    for (String sneaky : TRICKY) {
      HttpResponse<String> r = get(sneaky, "text/html", null);
      assertThat(r.body()).as(sneaky).doesNotContain(ContentServlet.MARK);
      statuses.put(sneaky, r.statusCode());
      if (r.statusCode() == 401) {
        assertThat(r.body()).as(sneaky).contains("<age-gate ").contains("min-age=\"18\"");
      }
    }
    assertThat(statuses).as("status per tricky path").isEqualTo(tricky);
  }

  /**
   * The site-secret flow against a servlet mapped at {@code /adult/*}: the filter creates the
   * check at the gateway with its secret, hands it to the widget in the page, and the token the
   * gateway signs for that check's binding opens the page (servletPath {@code /adult}, pathInfo
   * {@code /films}).
   */
  void runWithSiteSecret() throws Exception {
    HttpResponse<String> gate = get("/adult/films", "text/html", null);
    assertThat(gate.statusCode()).isEqualTo(401);
    String nonce = cookie(gate, "agegate_nonce");
    String binding = attribute(gate.body(), "binding");
    assertThat(attribute(gate.body(), "check")).contains("&quot;transaction_id&quot;:&quot;tx-");
    assertThat(attribute(gate.body(), "code-verifier")).matches("[A-Za-z0-9_-]{43}");
    assertThat(gateway.checksCreated()).anySatisfy(body -> assertThat(body).contains("\"binding\":\"" + binding + "\"")
        .contains("\"min_age\":18").contains("\"site\":\"demo-shop\""));
    assertThat(gate.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(v -> assertThat(v)
        .contains("script-src " + gateway.url() + TestGateway.WIDGET_PATH + ";").contains("frame-ancestors 'none'"));

    HttpResponse<String> exact = get("/adult", "text/html", null);
    assertThat(exact.statusCode()).as("/adult itself, servletPath /adult and no pathInfo").isEqualTo(401);
    assertThat(exact.body()).doesNotContain(ContentServlet.MARK);

    String token = gateway.token(18, binding);
    HttpResponse<String> back = callback(token, "/adult/films", "agegate_nonce=" + nonce);
    assertThat(back.statusCode()).isEqualTo(303);
    String cookies = "agegate_nonce=" + nonce + "; agegate=" + cookie(back, "agegate");
    HttpResponse<String> page = get("/adult/films", "text/html", cookies);
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).isEqualTo(ContentServlet.MARK + " /adult/films servletPath=/adult pathInfo=/films");
    HttpResponse<String> open = get("/shop/bread", "text/html", null);
    assertThat(open.body()).startsWith(ContentServlet.MARK + " /shop/bread servletPath=");
  }

  /**
   * A filter that accepts only {@code mso_mdoc} tokens: a gateway-signed ZK token, and one
   * without {@code method} (an older gateway's), are refused at the callback and as a cookie,
   * exactly like a forged token; an mdoc token opens the page.
   */
  void runWithMdocOnly() throws Exception {
    HttpResponse<String> gate = get("/adult/films", "text/html", null);
    assertThat(gate.statusCode()).isEqualTo(401);
    String nonce = cookie(gate, "agegate_nonce");
    String binding = attribute(gate.body(), "binding");
    String zk = gateway.token(c -> c.claim("bnd", binding).claim("method", "agegate-zk"));
    String old = gateway.token(18, binding);
    String mdoc = gateway.token(c -> c.claim("bnd", binding).claim("method", "mso_mdoc"));

    for (String refused : List.of(zk, old)) {
      HttpResponse<String> back = callback(refused, "/adult/films", "agegate_nonce=" + nonce);
      assertThat(back.statusCode()).isEqualTo(401);
      assertThat(back.body()).doesNotContain(ContentServlet.MARK)
          .contains("This site does not accept the kind of proof of age that was used.");
      assertThat(back.headers().allValues("Set-Cookie")).noneMatch(c -> c.startsWith("agegate=" + refused));
      HttpResponse<String> asCookie = get("/adult/films", "text/html", "agegate_nonce=" + nonce + "; agegate=" + refused);
      assertThat(asCookie.statusCode()).isEqualTo(401);
      assertThat(asCookie.body()).doesNotContain(ContentServlet.MARK).contains("<age-gate ");
      assertThat(asCookie.headers().allValues("Set-Cookie")).as("the refused cookie is cleared")
          .anyMatch(c -> c.startsWith("agegate=;") || c.startsWith("agegate=\"\";"));
    }

    HttpResponse<String> back = callback(mdoc, "/adult/films", "agegate_nonce=" + nonce);
    assertThat(back.statusCode()).isEqualTo(303);
    assertThat(cookie(back, "agegate")).isEqualTo(mdoc);
    HttpResponse<String> page = get("/adult/films", "text/html", "agegate_nonce=" + nonce + "; agegate=" + mdoc);
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).startsWith(ContentServlet.MARK + " /adult/films ");
  }

  /** Paths that name /adult/films in disguise. */
  static final List<String> TRICKY = List.of("/%61dult/films", "/adult;x=1/films", "/./adult/films", "/shop/../adult/films",
      "/adult%2Ffilms", "//adult/films");

  static String cookie(HttpResponse<?> r, String name) {
    return r.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith(name + "="))
        .map(c -> c.substring(name.length() + 1, c.indexOf(';'))).findFirst()
        .orElseThrow(() -> new AssertionError("no Set-Cookie " + name + " in " + r.headers().allValues("Set-Cookie")));
  }

  static String attribute(String html, String name) {
    Matcher m = Pattern.compile("<age-gate [^>]*\\b" + name + "=\"([^\"]*)\"").matcher(html);
    assertThat(m.find()).as("age-gate " + name).isTrue();
    return m.group(1);
  }
}
