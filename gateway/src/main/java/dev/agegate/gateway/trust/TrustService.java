package dev.agegate.gateway.trust;

import dev.agegate.gateway.http.Problem;
import dev.agegate.gateway.http.Reason;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * What a wallet fetches besides the request: {@code GET /v1/trust-list} (the list in force, or
 * with {@code ?root=} the accepted list with that root) and
 * {@code GET /v1/circuits/{fingerprint}/proving-key} (only the pinned key's), and
 * {@code GET /v1/circuits/{fingerprint}}: what the keys are (development keys, or the summary of
 * the ceremony that made them, {@link CircuitKeys}).
 */
public final class TrustService implements HttpService {
  private final TrustStore trust;
  private final String fingerprint;
  private final CircuitKeys keys;

  public TrustService(TrustStore trust, CircuitKeys keys) {
    this.trust = trust;
    this.fingerprint = keys.fingerprint();
    this.keys = keys;
  }

  @Override
  public void routing(HttpRules rules) {
    rules.get("/trust-list", this::trustList)
        .get("/circuits/{fingerprint}/proving-key", this::provingKey)
        .get("/circuits/{fingerprint}", this::circuit);
  }

  private void circuit(ServerRequest req, ServerResponse res) {
    if (!fingerprint.equals(req.path().pathParameters().get("fingerprint"))) {
      throw new Problem(Reason.NOT_FOUND, "no circuit keys with this fingerprint");
    }
    res.header(HeaderNames.CONTENT_TYPE, "application/json");
    res.header(HeaderNames.CACHE_CONTROL, "public, max-age=300");
    res.header(HeaderNames.create("Access-Control-Allow-Origin"), "*");
    res.send(keys.json());
  }

  private void trustList(ServerRequest req, ServerResponse res) {
    TrustList list = req.query().first("root").asOptional()
        .map(r -> trust.accepted(r).orElseThrow(() -> new Problem(Reason.NOT_FOUND, "no accepted trust list has this root")))
        .orElseGet(trust::current);
    res.header(HeaderNames.CONTENT_TYPE, "application/json");
    res.header(HeaderNames.CACHE_CONTROL, "public, max-age=60");
    res.header(HeaderNames.create("Access-Control-Allow-Origin"), "*");
    res.send(list.json());
  }

  private void provingKey(ServerRequest req, ServerResponse res) {
    if (!fingerprint.equals(req.path().pathParameters().get("fingerprint"))) {
      throw new Problem(Reason.NOT_FOUND, "no proving key with this fingerprint");
    }
    res.header(HeaderNames.CONTENT_TYPE, "application/octet-stream");
    res.header(HeaderNames.CACHE_CONTROL, "public, max-age=31536000, immutable");
    res.header(HeaderNames.create("Access-Control-Allow-Origin"), "*");
    res.send(keys.provingKey());
  }
}
