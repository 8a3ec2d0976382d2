package dev.agegate.filter.token;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Collects an HTTP answer's body up to a byte limit: a longer body fails, and is cut off, instead
 * of filling memory. Every answer the filter reads from the gateway (JWKS, widget script, its SRI
 * value, a created check) goes through one of these. Internal to the filter; not an API.
 */
public final class LimitedBody implements HttpResponse.BodySubscriber<byte[]> {
  private final HttpResponse.BodySubscriber<byte[]> delegate = HttpResponse.BodySubscribers.ofByteArray();
  private final long limit;
  private Flow.Subscription subscription;
  private long seen;
  private boolean failed;

  /** @param limit the most bytes the body may have */
  public LimitedBody(long limit) {
    this.limit = limit;
  }

  @Override
  public CompletionStage<byte[]> getBody() {
    return delegate.getBody();
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    subscription = s;
    delegate.onSubscribe(s);
  }

  @Override
  public void onNext(List<ByteBuffer> items) {
    if (failed) {
      return;
    }
    for (ByteBuffer b : items) {
      seen += b.remaining();
    }
    if (seen > limit) {
      failed = true;
      subscription.cancel();
      delegate.onError(new IOException("answer larger than " + limit + " bytes"));
      return;
    }
    delegate.onNext(items);
  }

  @Override
  public void onError(Throwable t) {
    if (!failed) {
      delegate.onError(t);
    }
  }

  @Override
  public void onComplete() {
    if (!failed) {
      delegate.onComplete();
    }
  }
}
