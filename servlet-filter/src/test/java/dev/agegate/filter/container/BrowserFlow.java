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

  /** Runs the whole flow and asserts every step. */
  void run() throws Exception {
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
    assertThat(page.body()).isEqualTo(ContentServlet.MARK + " /adult/films");

    HttpResponse<String> higher = get("/spirits/rum", "text/html", cookies);
    assertThat(higher.statusCode()).isEqualTo(401);
    assertThat(higher.body()).doesNotContain(ContentServlet.MARK).contains("min-age=\"21\"");

    for (String sneaky : List.of("/%61dult/films", "/adult;x=1/films", "/./adult/films", "/shop/../adult/films")) {
      HttpResponse<String> r = get(sneaky, "text/html", null);
      assertThat(r.body()).as(sneaky).doesNotContain(ContentServlet.MARK);
    }
  }

  private static String cookie(HttpResponse<?> r, String name) {
    return r.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith(name + "="))
        .map(c -> c.substring(name.length() + 1, c.indexOf(';'))).findFirst()
        .orElseThrow(() -> new AssertionError("no Set-Cookie " + name + " in " + r.headers().allValues("Set-Cookie")));
  }

  private static String attribute(String html, String name) {
    Matcher m = Pattern.compile("<age-gate [^>]*\\b" + name + "=\"([^\"]*)\"").matcher(html);
    assertThat(m.find()).as("age-gate " + name).isTrue();
    return m.group(1);
  }
}
