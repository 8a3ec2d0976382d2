package dev.agegate.scaleout;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Follows {@code GET /v1/checks/{tx}/events} on one node and keeps the statuses it announces. */
final class Sse implements AutoCloseable {
  final CopyOnWriteArrayList<String> statuses = new CopyOnWriteArrayList<>();
  private final CompletableFuture<HttpResponse<Stream<String>>> response;

  Sse(String base, String tx) {
    response = Wallet.HTTP.sendAsync(HttpRequest.newBuilder(URI.create(base + "/v1/checks/" + tx + "/events"))
        .header("Accept", "text/event-stream").timeout(Duration.ofSeconds(60)).GET().build(),
        HttpResponse.BodyHandlers.ofLines());
    response.thenAcceptAsync(r -> {
      try (Stream<String> lines = r.body()) {
        lines.filter(l -> l.startsWith("data:")).forEach(l -> statuses.add(Wallet.field(l, "status")));
      } catch (RuntimeException e) {
        // the stream ended (node killed, or closed by the test)
      }
    });
  }

  /** Waits (bounded) until {@code status} was announced. */
  boolean await(String status, Duration max) throws InterruptedException {
    long until = System.nanoTime() + max.toNanos();
    while (System.nanoTime() < until) {
      if (statuses.contains(status)) {
        return true;
      }
      TimeUnit.MILLISECONDS.sleep(20);
    }
    return statuses.contains(status);
  }

  @Override
  public void close() {
    response.cancel(true);
    response.thenAccept(r -> r.body().close());
  }
}
