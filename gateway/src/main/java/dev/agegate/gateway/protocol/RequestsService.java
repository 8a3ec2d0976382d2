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
 * {@code GET /v1/requests/{request-id}}: the signed request object
 * ({@code application/oauth-authz-req+jwt}). Served again when fetched again; never redirects;
 * the first fetch marks the check {@code scanned}. An expired check is 410.
 */
public final class RequestsService implements HttpService {
  private final Checks checks;
  private final RequestObjects objects;
  private final RateLimiter limits;

  public RequestsService(Checks checks, RequestObjects objects, RateLimiter limits) {
    this.checks = checks;
    this.objects = objects;
    this.limits = limits;
  }

  @Override
  public void routing(HttpRules rules) {
    rules.get("/{id}", this::request);
  }

  private void request(ServerRequest req, ServerResponse res) {
    limits.perAddress(req, "requests");
    Check c = checks.byRequest(req.path().pathParameters().get("id"));
    if (checks.status(c) == CheckStatus.EXPIRED) {
      throw new Problem(Reason.CHECK_EXPIRED, "the check expired");
    }
    checks.scanned(c);
    res.header(HeaderNames.CONTENT_TYPE, "application/oauth-authz-req+jwt");
    res.header(HeaderNames.CACHE_CONTROL, "no-store");
    res.send(objects.sign(c, checks.clock().instant().getEpochSecond()));
  }
}
