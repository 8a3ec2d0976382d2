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
 * and {@code state}): 200 {@code {"status":"verified"}} for a valid proof; every refusal is
 * problem+json with its reason (see {@link Responses}).
 */
public final class ResponsesService implements HttpService {
  private final Responses responses;
  private final Bodies bodies;
  private final RateLimiter limits;

  public ResponsesService(Responses responses, Bodies bodies, RateLimiter limits) {
    this.responses = responses;
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
    if (vp == null || vp.isEmpty() || state == null || state.isEmpty()) {
      throw new Problem(Reason.MALFORMED_REQUEST, "vp_token and state are required");
    }
    responses.respond(req.path().pathParameters().get("id"), vp, state);
    res.header(HeaderNames.CONTENT_TYPE, "application/json");
    res.header(HeaderNames.CACHE_CONTROL, "no-store");
    res.send("{\"status\":\"verified\"}");
  }
}
