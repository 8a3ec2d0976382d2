package dev.agegate.scaleout;

import dev.agegate.zk.Prover;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The widget's and the wallet's side of a flow over real HTTP, against any node by its base
 * URL (the request object's links name the cluster's public URL; the test picks the node).
 */
final class Wallet {
  static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2)).build();

  record Resp(int status, String body, String contentType, long retryAfter) {
    Resp(int status, String body, String contentType) {
      this(status, body, contentType, 0);
    }
  }

  record Check(String tx, String requestId, String verifier) {}

  record Request(String nonce, String state, String today, String audience, int minAssurance) {}

  /** A check as the widget makes it, with a fresh PKCE verifier. */
  static Check create(String base, String binding) throws Exception {
    byte[] v = new byte[32];
    new SecureRandom().nextBytes(v);
    String verifier = Base64.getUrlEncoder().withoutPadding().encodeToString(v);
    String challenge = Base64.getUrlEncoder().withoutPadding()
        .encodeToString(MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
    String body = "{\"site\":\"" + Fixture.SITE + "\",\"min_age\":18,\"code_challenge\":\"" + challenge
        + "\",\"code_challenge_method\":\"S256\"" + (binding == null ? "" : ",\"binding\":\"" + binding + "\"") + "}";
    Resp r = send(HttpRequest.newBuilder(URI.create(base + "/v1/checks")).header("Content-Type", "application/json")
        .header("Origin", Fixture.ORIGIN).POST(HttpRequest.BodyPublishers.ofString(body)));
    if (r.status() != 201) {
      throw new IllegalStateException("create: " + r);
    }
    String requestUri = field(r.body(), "request_uri");
    return new Check(field(r.body(), "transaction_id"), requestUri.substring(requestUri.lastIndexOf('/') + 1), verifier);
  }

  /** GET the request object and read (not verify: the gateway tests do) its claims. */
  static Request fetch(String base, Check c) throws Exception {
    Resp r = get(base + "/v1/requests/" + c.requestId());
    if (r.status() != 200) {
      throw new IllegalStateException("request object: " + r);
    }
    String payload = new String(Base64.getUrlDecoder().decode(r.body().strip().split("\\.")[1]), StandardCharsets.UTF_8);
    Matcher m = Pattern.compile("\"min_assurance\":(\\d+)").matcher(payload);
    if (!m.find()) {
      throw new IllegalStateException("no min_assurance in " + payload);
    }
    return new Request(field(payload, "nonce"), field(payload, "state"), field(payload, "today"),
        field(payload, "audience"), Integer.parseInt(m.group(1)));
  }

  /** The vp_token of a real proof for this request. */
  static String prove(Request q) {
    Fixture f = Fixture.get();
    Prover.Proof p = f.prover.prove(f.credential, f.holder, f.trustList, new Prover.ProofRequest(
        LocalDate.parse(q.today()), 18, q.minAssurance(), q.nonce(), q.audience(), Fixture.SITE));
    byte[] pres = new byte[288];
    System.arraycopy(p.proof(), 0, pres, 0, 256);
    System.arraycopy(p.nullifier().toBytes(), 0, pres, 256, 32);
    return "{\"age_proof\":[\"" + Base64.getUrlEncoder().withoutPadding().encodeToString(pres) + "\"]}";
  }

  static Resp respond(String base, Check c, String vpToken, String state) throws Exception {
    String form = "vp_token=" + URLEncoder.encode(vpToken, StandardCharsets.UTF_8) + "&state="
        + URLEncoder.encode(state, StandardCharsets.UTF_8);
    return send(HttpRequest.newBuilder(URI.create(base + "/v1/responses/" + c.requestId()))
        .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)));
  }

  /**
   * What a retrying wallet saw: the last answer, and whether an earlier attempt lost its
   * connection (then a 409 {@code nonce_replayed} may mean that attempt was verified).
   */
  record Outcome(Resp last, boolean connectionLost, int attempts) {}

  /**
   * Posts a response as the CLI and web wallets do: a lost connection is retried against the
   * same response URI, which a load balancer sends to the next node ({@code nodes} in turn), and
   * a 503 after its {@code Retry-After}; at most 8 attempts.
   */
  static Outcome respondRetrying(java.util.List<String> nodes, Check c, String vpToken, String state) throws Exception {
    boolean lost = false;
    Resp last = null;
    int node = 0;
    for (int attempt = 1; attempt <= 8; attempt++) {
      try {
        last = respond(nodes.get(node % nodes.size()), c, vpToken, state);
      } catch (IOException e) {
        lost = true;
        node++;
        continue;
      }
      if (last.status() != 503) {
        return new Outcome(last, lost, attempt);
      }
      Thread.sleep(1000L * Math.min(15, Math.max(1, last.retryAfter())));
    }
    return new Outcome(last, lost, 8);
  }

  static Resp redeem(String base, Check c) throws Exception {
    return send(HttpRequest.newBuilder(URI.create(base + "/v1/checks/" + c.tx() + "/token"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"code_verifier\":\"" + c.verifier() + "\"}")));
  }

  static Resp get(String url) throws Exception {
    return send(HttpRequest.newBuilder(URI.create(url)).GET());
  }

  static Resp send(HttpRequest.Builder b) throws IOException, InterruptedException {
    HttpResponse<String> r = HTTP.send(b.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    return new Resp(r.statusCode(), r.body(), r.headers().firstValue("Content-Type").orElse(""),
        r.headers().firstValue("Retry-After").map(v -> v.matches("\\d{1,4}") ? Long.parseLong(v) : 1L).orElse(0L));
  }

  /** A string member of a flat JSON text (ids, links and dates here never hold quotes). */
  static String field(String json, String name) {
    Matcher m = Pattern.compile("\"" + Pattern.quote(name) + "\"\\s*:\\s*\"([^\"]*)\"").matcher(json);
    if (!m.find()) {
      throw new IllegalStateException("no " + name + " in " + json);
    }
    return m.group(1);
  }
}
