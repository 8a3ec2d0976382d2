package dev.agegate.gateway.protocol;

import dev.agegate.gateway.checks.Checks;
import dev.agegate.gateway.http.Problem;
import dev.agegate.gateway.http.RateLimiter;
import dev.agegate.gateway.http.Reason;
import dev.agegate.gateway.store.Check;
import dev.agegate.gateway.store.CheckStatus;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code GET} or {@code POST /v1/requests/{request-id}} (POST: {@code request_uri_method=post},
 * see {@link #posted}): the signed request object
 * ({@code application/oauth-authz-req+jwt}). Served again when fetched again; never redirects;
 * the first fetch marks the check {@code scanned}. An expired check is 410.
 */
public final class RequestsService implements HttpService {
  private final Checks checks;
  private final RequestObjects objects;
  private final RateLimiter limits;

  /** The longest {@code wallet_nonce} echoed. */
  public static final int MAX_WALLET_NONCE = 128;
  private static final java.util.regex.Pattern WALLET_NONCE = java.util.regex.Pattern.compile("[A-Za-z0-9._~-]{1," + MAX_WALLET_NONCE + "}");

  private final dev.agegate.gateway.http.Bodies bodies;

  public RequestsService(Checks checks, RequestObjects objects, RateLimiter limits, dev.agegate.gateway.http.Bodies bodies) {
    this.bodies = bodies;
    this.checks = checks;
    this.objects = objects;
    this.limits = limits;
  }

  @Override
  public void routing(HttpRules rules) {
    rules.get("/{id}", (req, res) -> {
      String id = req.path().pathParameters().get("id");
      Check c;
      if (dev.agegate.gateway.checks.Ids.wellFormed(id)) { // counted and looked up in one store step
        c = checks.byRequest(id, x -> limits.perAddressThenByRequest(req, "requests", x));
      } else {
        limits.perAddress(req, "requests");
        c = checks.byRequest(id); // 404
      }
      request(res, c, null);
    });
    rules.post("/{id}", this::posted);
  }

  /**
   * {@code request_uri_method=post} (OpenID4VP 1.0 §5.10): a form with optional
   * {@code wallet_nonce} (1–{@value #MAX_WALLET_NONCE} characters of {@code [A-Za-z0-9._~-]},
   * echoed in the request object) and optional {@code wallet_metadata} (a JSON object; agegate
   * has nothing to choose from it, so it is only checked). Either one malformed is 400; other
   * parameters are ignored, as OAuth 2.0 asks of unrecognised ones (RFC 6749 §3.1), and none
   * of them reaches the signed request object.
   */
  private void posted(ServerRequest req, ServerResponse res) {
    limits.perAddress(req, "requests");
    java.util.Map<String, String> form = bodies.form(req);
    String nonce = form.get("wallet_nonce");
    if (nonce != null && !WALLET_NONCE.matcher(nonce).matches()) {
      throw new Problem(Reason.MALFORMED_REQUEST,
          "wallet_nonce must be 1 to " + MAX_WALLET_NONCE + " characters of A-Z a-z 0-9 . _ ~ -");
    }
    String meta = form.get("wallet_metadata");
    if (meta != null) {
      try {
        com.nimbusds.jose.util.JSONObjectUtils.parse(meta);
      } catch (java.text.ParseException e) {
        throw new Problem(Reason.MALFORMED_REQUEST, "wallet_metadata is not a JSON object");
      }
    }
    request(res, checks.byRequest(req.path().pathParameters().get("id")), nonce);
  }

  private void request(ServerResponse res, Check c, String walletNonce) {
    if (checks.status(c) == CheckStatus.EXPIRED) {
      throw new Problem(Reason.CHECK_EXPIRED, "the check expired");
    }
    if (objects.unsigned(c)) {
      // its request is in the link by value: no signed object exists under another client id
      throw new Problem(Reason.CHECK_NOT_FOUND, "this check's request is passed by value (unsigned); there is no request object");
    }
    checks.scanned(c);
    res.header(HeaderNames.CONTENT_TYPE, "application/oauth-authz-req+jwt");
    res.header(HeaderNames.CACHE_CONTROL, "no-store");
    res.send(objects.sign(c, checks.clock().instant().getEpochSecond(), walletNonce));
  }
}
