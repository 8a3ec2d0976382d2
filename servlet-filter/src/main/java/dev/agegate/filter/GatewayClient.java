package dev.agegate.filter;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The filter's own calls to the gateway other than the JWKS: the widget script and its SRI
 * value, and server-side check creation. HTTP/1.1, no redirects followed (a redirect is an
 * answer other than the expected one), each call bounded by {@code timeout} in total and its
 * body by a byte limit. Thread-safe.
 */
final class GatewayClient {

  /** A gateway answer: status and body. */
  record Answer(int status, byte[] body) {
  }

  private final Duration timeout;
  private final HttpClient client;

  GatewayClient(Duration timeout) {
    this.timeout = timeout;
    this.client = HttpClient.newBuilder()
        .connectTimeout(timeout)
        .followRedirects(HttpClient.Redirect.NEVER)
        .version(HttpClient.Version.HTTP_1_1)
        .build();
  }

  Answer get(URI uri, int maxBytes) throws IOException {
    return send(HttpRequest.newBuilder(uri).timeout(timeout).GET().build(), maxBytes);
  }

  /** POSTs {@code json} with {@code Authorization: Bearer <secret>}; the secret never appears in a message. */
  Answer postJson(URI uri, String json, String bearerSecret, int maxBytes) throws IOException {
    HttpRequest request = HttpRequest.newBuilder(uri)
        .timeout(timeout)
        .header("Content-Type", "application/json")
        .header("Accept", "application/json")
        .header("Authorization", "Bearer " + bearerSecret)
        .POST(HttpRequest.BodyPublishers.ofString(json))
        .build();
    return send(request, maxBytes);
  }

  private Answer send(HttpRequest request, int maxBytes) throws IOException {
    CompletableFuture<HttpResponse<byte[]>> pending = client.sendAsync(request, info -> new dev.agegate.filter.token.LimitedBody(maxBytes));
    HttpResponse<byte[]> response;
    try {
      response = pending.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      pending.cancel(true);
      throw new IOException(request.method() + " " + request.uri() + " did not answer within " + timeout.toMillis() + " ms");
    } catch (InterruptedException e) {
      pending.cancel(true);
      Thread.currentThread().interrupt();
      throw new IOException("interrupted: " + request.method() + " " + request.uri());
    } catch (ExecutionException e) {
      throw new IOException(request.method() + " " + request.uri() + " unreachable: " + e.getCause(), e.getCause());
    }
    return new Answer(response.statusCode(), response.body());
  }
}
