package dev.agegate.gateway;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.SignedJWT;
import dev.agegate.gateway.checks.Checks;
import dev.agegate.gateway.family.zk.Presentation;
import dev.agegate.zk.Prover;
import io.helidon.common.media.type.MediaTypes;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webclient.http1.Http1ClientRequest;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.Map;
import java.util.StringJoiner;

import static org.assertj.core.api.Assertions.assertThat;

/** The calls a widget and a wallet make, over real HTTP, with the gateway's answers as values. */
final class Api {
  static final String VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-agegate-test";

  record Resp(int status, String body, Headers headers) {
    JsonObject json() {
      return Json.createReader(new StringReader(body)).readObject();
    }

    String reason() {
      return json().getString("reason");
    }

    String contentType() {
      return headers.first(HeaderNames.CONTENT_TYPE).orElse("");
    }
  }

  /** A check as the widget sees it, and the request object as the wallet sees it. */
  record Started(String tx, String requestId, JsonObject created, SignedJWT requestObject) {
    JsonObject claims() throws Exception {
      return Json.createReader(new StringReader(requestObject.getPayload().toString())).readObject();
    }

    String state() throws Exception {
      return claims().getString("state");
    }
  }

  private final Http1Client client;

  Api(Http1Client client) {
    this.client = client;
  }

  static Resp read(HttpClientResponse r) {
    try (r) {
      return new Resp(r.status().code(), r.entity().hasEntity() ? r.entity().as(String.class) : "", r.headers());
    }
  }

  Resp get(String path) {
    int q = path.indexOf('?');
    if (q < 0) {
      return read(client.get(path).request());
    }
    var req = client.get(path.substring(0, q));
    for (String kv : path.substring(q + 1).split("&")) {
      String[] p = kv.split("=", 2);
      req.queryParam(p[0], p[1]);
    }
    return read(req.request());
  }

  Resp postJson(String path, String json, String origin) {
    Http1ClientRequest req = client.post(path).contentType(MediaTypes.APPLICATION_JSON);
    if (origin != null) {
      req.header(HeaderNames.ORIGIN, origin);
    }
    return read(req.submit(json));
  }

  Resp postForm(String path, Map<String, String> fields) {
    StringJoiner j = new StringJoiner("&");
    fields.forEach((k, v) -> j.add(enc(k) + "=" + enc(v)));
    return read(client.post(path).contentType(MediaTypes.APPLICATION_FORM_URLENCODED).submit(j.toString()));
  }

  Resp create(String site, int minAge, String origin) {
    return postJson("/v1/checks", """
        {"site":"%s","min_age":%d,"code_challenge":"%s","code_challenge_method":"S256","binding":"bnd-1"}"""
        .formatted(site, minAge, Checks.s256(VERIFIER)), origin);
  }

  /** Creates a check and fetches (and verifies) its request object. */
  Started start(String site, int minAge, String origin) throws Exception {
    Resp r = create(site, minAge, origin);
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    JsonObject created = r.json();
    String requestUri = created.getString("request_uri");
    String requestId = requestUri.substring(requestUri.lastIndexOf('/') + 1);
    Resp ro = get("/v1/requests/" + requestId);
    assertThat(ro.status()).as(ro.body()).isEqualTo(200);
    assertThat(ro.contentType()).isEqualTo("application/oauth-authz-req+jwt");
    SignedJWT jwt = SignedJWT.parse(ro.body());
    assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);
    assertThat(jwt.getHeader().getType()).isEqualTo(new JOSEObjectType("oauth-authz-req+jwt"));
    assertThat(jwt.verify(new ECDSAVerifier(jwk(jwt.getHeader().getKeyID())))).isTrue();
    return new Started(created.getString("transaction_id"), requestId, created, jwt);
  }

  ECKey jwk(String kid) throws Exception {
    Resp jwks = get("/.well-known/jwks.json");
    assertThat(jwks.status()).isEqualTo(200);
    return JWKSet.parse(jwks.body()).getKeyByKeyId(kid).toECKey();
  }

  /** Proves what the request object asks, optionally lying about site or age. */
  static String prove(Started s, byte[] credential, byte[] holder, String siteOverride, Integer minAgeOverride) throws Exception {
    JsonObject c = s.claims();
    JsonObject a = c.getJsonObject("agegate");
    Prover.ProofRequest req = new Prover.ProofRequest(LocalDate.parse(a.getString("today")),
        minAgeOverride == null ? a.getInt("min_age") : minAgeOverride, a.getInt("min_assurance"), c.getString("nonce"),
        a.getString("audience"), siteOverride == null ? a.getString("site") : siteOverride);
    Prover.Proof p = Fixture.get().prover.prove(credential, holder, Fixture.get().trustList, req);
    return Presentation.vpToken(p.proof(), p.nullifier());
  }

  /** Proves what the request object asks against {@code trustList} (the list the check's root names). */
  static String prove(Started s, byte[] trustList) throws Exception {
    JsonObject c = s.claims();
    JsonObject a = c.getJsonObject("agegate");
    Prover.ProofRequest req = new Prover.ProofRequest(LocalDate.parse(a.getString("today")), a.getInt("min_age"),
        a.getInt("min_assurance"), c.getString("nonce"), a.getString("audience"), a.getString("site"));
    Prover.Proof p = Fixture.get().prover.prove(Fixture.get().credential, Fixture.get().holder, trustList, req);
    return Presentation.vpToken(p.proof(), p.nullifier());
  }

  static String prove(Started s) throws Exception {
    return prove(s, Fixture.get().credential, Fixture.get().holder, null, null);
  }

  Resp respond(String requestId, String vpToken, String state) {
    return postForm("/v1/responses/" + requestId, Map.of("vp_token", vpToken, "state", state));
  }

  Resp redeem(String tx, String verifier) {
    return postJson("/v1/checks/" + tx + "/token", "{\"code_verifier\":\"" + verifier + "\"}", TestGateways.SHOP_ORIGIN);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
