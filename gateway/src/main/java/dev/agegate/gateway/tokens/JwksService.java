package dev.agegate.gateway.tokens;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/** {@code GET /.well-known/jwks.json}: the public keys of every token that may still be live. */
public final class JwksService implements HttpService {
  private final SigningKeys keys;

  public JwksService(SigningKeys keys) {
    this.keys = keys;
  }

  @Override
  public void routing(HttpRules rules) {
    rules.get("/jwks.json", this::jwks);
  }

  private void jwks(ServerRequest req, ServerResponse res) {
    res.header(HeaderNames.CONTENT_TYPE, "application/jwk-set+json");
    res.header(HeaderNames.CACHE_CONTROL, "public, max-age=300");
    res.header(HeaderNames.create("Access-Control-Allow-Origin"), "*");
    res.send(keys.publicJwks().toString());
  }
}
