package dev.agegate.gateway.protocol;

import dev.agegate.gateway.http.Bodies;
import dev.agegate.gateway.http.Problem;
import dev.agegate.gateway.http.RateLimiter;
import dev.agegate.gateway.http.Reason;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.Map;

/**
 * {@code POST /v1/responses/{request-id}} ({@code direct_post}, form fields {@code vp_token}
 * and {@code state}; or {@code direct_post.jwt}, the one field {@code response}, a JWE that
 * {@link ResponseEncryption} decrypts to them): 200 {@code {"status":"verified"}} for a valid proof; every refusal is
 * problem+json with its reason (see {@link Responses}). A form with {@code error} instead of
 * {@code vp_token} is the wallet's error response (the person declined): 200
 * {@code {"status":"rejected","reason":"declined"}} (see {@link WalletErrors}).
 */
public final class ResponsesService implements HttpService {
  private final Responses responses;
  private final Bodies bodies;
  private final RateLimiter limits;
  private final WalletErrors errors;
  private final dev.agegate.gateway.checks.Checks checks;
  private final RequestObjects requests;
  private final ResponseEncryption encryption;

  public ResponsesService(Responses responses, WalletErrors errors, Bodies bodies, RateLimiter limits,
      dev.agegate.gateway.checks.Checks checks, RequestObjects requests, ResponseEncryption encryption) {
    this.checks = checks;
    this.requests = requests;
    this.encryption = encryption;
    this.responses = responses;
    this.errors = errors;
    this.bodies = bodies;
    this.limits = limits;
  }

  @Override
  public void routing(HttpRules rules) {
    rules.post("/{id}", this::respond);
  }

  private void respond(ServerRequest req, ServerResponse res) {
    limits.perAddress(req, "responses");
    Map<String, String> form = bodies.form(req);
    String vp = form.get("vp_token");
    String state = form.get("state");
    String id = req.path().pathParameters().get("id");
    byte[] thumbprint = null;
    if (form.containsKey("response")) {
      // direct_post.jwt (OpenID4VP 1.0 section 8.3): the one field is the JWE; the fields come out of it.
      if (form.size() != 1) {
        throw new Problem(Reason.MALFORMED_REQUEST, "an encrypted response carries the field response only");
      }
      dev.agegate.gateway.store.Check c = checks.byRequest(id);
      if (!requests.encrypted(c)) {
        throw new Problem(Reason.RESPONSE_ENCRYPTION_INVALID, "this request asked for response_mode direct_post");
      }
      ResponseEncryption.Decrypted d = encryption.decrypt(c, form.get("response"));
      vp = d.vpToken();
      state = d.state();
      thumbprint = d.jwkThumbprint();
      form = Map.of("vp_token", vp, "state", state);
    }
    if (form.containsKey("error")) {
      if (vp != null) {
        throw new Problem(Reason.MALFORMED_REQUEST, "a response carries vp_token or error, not both");
      }
      String reason = errors.refuse(id, form.get("error"), state).reason();
      res.header(HeaderNames.CONTENT_TYPE, "application/json");
      res.header(HeaderNames.CACHE_CONTROL, "no-store");
      res.send("{\"status\":\"rejected\",\"reason\":\"" + reason + "\"}");
      return;
    }
    if (vp == null || vp.isEmpty() || state == null || state.isEmpty()) {
      throw new Problem(Reason.MALFORMED_REQUEST, "vp_token and state are required");
    }
    responses.respond(id, vp, state, thumbprint);
    res.header(HeaderNames.CONTENT_TYPE, "application/json");
    res.header(HeaderNames.CACHE_CONTROL, "no-store");
    res.send("{\"status\":\"verified\"}");
  }
}
