package dev.agegate.filter.token;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Fetches and parses the gateway's JWKS. One call takes at most {@code timeout} in total
 * (connect, headers and body: a gateway that dribbles its answer is cut off too), reads at most
 * {@value #MAX_BYTES} bytes and follows no redirect. Thread-safe.
 */
final class JwksFetcher {

  static final int MAX_BYTES = 64 * 1024;

  private final URI uri;
  private final Duration timeout;
  private final HttpClient client;

  JwksFetcher(URI uri, Duration timeout) {
    this.uri = uri;
    this.timeout = timeout;
    this.client = HttpClient.newBuilder()
        .connectTimeout(timeout)
        .followRedirects(HttpClient.Redirect.NEVER)
        // A JWKS is one small GET: HTTP/1.1 avoids the h2c upgrade dance with odd proxies.
        .version(HttpClient.Version.HTTP_1_1)
        .build();
  }

  /**
   * @return the keys the gateway publishes now
   * @throws IOException when the gateway is unreachable, slow, answers other than 200, or
   *     the document holds no usable key; the message names the URL, never a token
   */
  KeySet fetch() throws IOException {
    HttpRequest request = HttpRequest.newBuilder(uri)
        .timeout(timeout)
        .header("Accept", "application/jwk-set+json, application/json")
        .GET()
        .build();
    CompletableFuture<HttpResponse<byte[]>> pending =
        client.sendAsync(request, info -> new LimitedBody(MAX_BYTES));
    HttpResponse<byte[]> response;
    try {
      response = pending.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      pending.cancel(true);
      throw new IOException("JWKS " + uri + " did not answer within " + timeout.toMillis() + " ms");
    } catch (InterruptedException e) {
      pending.cancel(true);
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while fetching JWKS " + uri);
    } catch (ExecutionException e) {
      throw new IOException("JWKS " + uri + " unreachable: " + e.getCause(), e.getCause());
    }
    if (response.statusCode() != 200) {
      throw new IOException("JWKS " + uri + " answered HTTP " + response.statusCode());
    }
    try {
      return KeySet.parse(new String(response.body(), StandardCharsets.UTF_8));
    } catch (ParseException e) {
      throw new IOException("JWKS " + uri + " is unusable: " + e.getMessage(), e);
    }
  }

  URI uri() {
    return uri;
  }
}
