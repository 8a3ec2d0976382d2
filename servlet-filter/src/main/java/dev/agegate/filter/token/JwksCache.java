package dev.agegate.filter.token;

import com.github.benmanes.caffeine.cache.CacheLoader;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import com.github.benmanes.caffeine.cache.Ticker;
import com.nimbusds.jose.JWSVerifier;
import dev.agegate.filter.token.TokenRejectedException.Reason;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The gateway's keys, cached in Caffeine under one entry.
 *
 * <ul>
 *   <li>After {@code refresh} the next read re-fetches in the background while the old keys
 *       keep answering (Caffeine's refresh-after-write); a failed refresh keeps them.</li>
 *   <li>Keys are dropped {@code refresh + maxStale} after the last successful fetch: if the
 *       gateway stayed unreachable that long, verification fails closed.</li>
 *   <li>An unknown {@code kid} forces a re-fetch (key rotation), but at most one fetch starts
 *       per {@code minRefetch}, whatever the number of unknown kids; requests that arrive
 *       while a fetch runs (forced, or the background refresh a stale read started) wait for
 *       it, later ones are refused at once.</li>
 *   <li>With no keys at all, a failed fetch is not retried for {@code minRefetch} either, so
 *       an outage does not turn every request into a blocking call to the gateway.</li>
 * </ul>
 *
 * Thread-safe.
 */
final class JwksCache {

  private static final System.Logger LOG = System.getLogger(JwksCache.class.getName());
  private static final String KEY = "jwks";

  private final JwksFetcher fetcher;
  private final Ticker ticker;
  private final long minRefetchNanos;
  private final Duration wait;
  private final LoadingCache<String, KeySet> cache;
  /** Ticker time before which no fetch may be forced, as some fetch started less than minRefetch ago. */
  private final AtomicLong fetchedNotBefore = new AtomicLong(Long.MIN_VALUE);
  /** Ticker time before which a failed first fetch is not retried. */
  private final AtomicLong retryNotBefore = new AtomicLong(Long.MIN_VALUE);
  /** The last fetch forced by an unknown kid; swapped atomically, so exactly one caller starts each. */
  private final AtomicReference<Forced> forced =
      new AtomicReference<>(new Forced(Long.MIN_VALUE, CompletableFuture.completedFuture(null)));

  /**
   * The newest fetch, whoever started it (a read past {@code refresh}, a forced re-fetch, the
   * first load): completes with its keys, or null if it failed. A fetch in flight also holds off
   * a forced one ({@link #fetchedNotBefore}), so an unknown kid waits for it instead.
   */
  private final AtomicReference<CompletableFuture<KeySet>> lastFetch =
      new AtomicReference<>(CompletableFuture.completedFuture(null));

  private record Forced(long notBefore, CompletableFuture<KeySet> result) {
  }

  JwksCache(JwksFetcher fetcher, Duration refresh, Duration maxStale, Duration minRefetch,
            Duration timeout, Ticker ticker, Executor executor) {
    this.fetcher = fetcher;
    this.ticker = ticker;
    this.minRefetchNanos = minRefetch.toNanos();
    this.wait = timeout.plusMillis(250);
    this.cache = Caffeine.newBuilder()
        .ticker(ticker)
        .executor(executor)
        .refreshAfterWrite(refresh)
        .expireAfterWrite(refresh.plus(maxStale))
        .build(new Loader());
  }

  /**
   * Loads and reloads the keys. A refresh that fails leaves Caffeine's write time where it
   * was, so every later read would start another one (a fetch per request while the gateway
   * is down): a refresh is therefore skipped, and the stale keys kept, until
   * {@code minRefetch} after the last failure. The skipped refresh completes as cancelled,
   * which Caffeine neither logs nor counts against the entry.
   */
  private final class Loader implements CacheLoader<String, KeySet> {
    @Override
    public KeySet load(String key) throws IOException {
      return JwksCache.this.load();
    }

    @Override
    public CompletableFuture<? extends KeySet> asyncReload(String key, KeySet oldValue, Executor executor) throws Exception {
      if (ticker.read() < retryNotBefore.get()) {
        CompletableFuture<KeySet> skipped = new CompletableFuture<>();
        skipped.cancel(false);
        return skipped;
      }
      return CacheLoader.super.asyncReload(key, oldValue, executor);
    }
  }

  private KeySet load() throws IOException {
    long now = ticker.read();
    CompletableFuture<KeySet> mine = new CompletableFuture<>();
    // Published before fetchedNotBefore moves: whoever sees a fetch holding off its own also
    // finds this one to wait for.
    lastFetch.set(mine);
    fetchedNotBefore.accumulateAndGet(now + minRefetchNanos, Math::max);
    try {
      KeySet keys = fetcher.fetch();
      LOG.log(Level.DEBUG, "agegate: fetched {0} from {1}", keys, fetcher.uri());
      mine.complete(keys);
      return keys;
    } catch (IOException | RuntimeException e) {
      retryNotBefore.set(now + minRefetchNanos);
      LOG.log(Level.WARNING, "agegate: {0}", e.getMessage());
      mine.complete(null);
      throw e;
    }
  }

  /** Starts a fetch in the background if none is cached, so the first request does not wait. */
  void prefetch() {
    if (cache.getIfPresent(KEY) == null) {
      cache.refresh(KEY);
    }
  }

  /**
   * @return the verifier for {@code kid}, never null
   * @throws TokenRejectedException {@code UNKNOWN_KEY} when the kid is unknown even after the
   *     allowed re-fetch, {@code KEYS_UNAVAILABLE} when no keys can be had
   */
  JWSVerifier verifier(String kid) throws TokenRejectedException {
    JWSVerifier verifier = current().verifier(kid);
    if (verifier != null) {
      return verifier;
    }
    KeySet refetched = refetchForUnknownKid(kid);
    verifier = refetched == null ? null : refetched.verifier(kid);
    if (verifier == null) {
      throw new TokenRejectedException(Reason.UNKNOWN_KEY, "kid not in the gateway's JWKS");
    }
    return verifier;
  }

  private KeySet current() throws TokenRejectedException {
    KeySet keys = cache.getIfPresent(KEY);
    if (keys != null) {
      return keys;
    }
    if (ticker.read() < retryNotBefore.get()) {
      throw new TokenRejectedException(Reason.KEYS_UNAVAILABLE, "gateway keys unavailable (recent fetch failed)");
    }
    try {
      return cache.get(KEY);
    } catch (RuntimeException e) {
      throw new TokenRejectedException(Reason.KEYS_UNAVAILABLE, "gateway keys unavailable");
    }
  }

  /**
   * Forces a re-fetch for an unknown kid if none started within {@code minRefetch}, and waits
   * for the fetch in flight: the forced one, or one a read past {@code refresh} started in the
   * background (which, having started, holds off the forced one). Never starts more than one
   * fetch per {@code minRefetch}.
   */
  private KeySet refetchForUnknownKid(String kid) {
    long now = ticker.read();
    Forced last = forced.get();
    if (now >= last.notBefore() && now >= fetchedNotBefore.get()) {
      Forced mine = new Forced(now + minRefetchNanos, new CompletableFuture<>());
      if (forced.compareAndSet(last, mine)) {
        cache.refresh(KEY).whenComplete((keys, error) -> mine.result().complete(error == null ? keys : null));
        last = mine;
      } else {
        last = forced.get();
      }
    }
    // Read after the check above: a fetch that held it off published itself before that.
    CompletableFuture<KeySet> fetching = lastFetch.get();
    // Wait for the fetch in flight, if any; then answer from whatever keys are cached now.
    if (!await(last.result())) {
      return null;
    }
    KeySet keys = cache.getIfPresent(KEY);
    if (keys != null && keys.verifier(kid) != null) {
      return keys;
    }
    // The forced fetch did not run (held off) or did not bring the kid: the background fetch
    // may still be under way, and its keys are not in the cache until it ends.
    if (!await(fetching)) {
      return keys;
    }
    KeySet fetched = fetching.getNow(null);
    return fetched != null && fetched.verifier(kid) != null ? fetched : keys;
  }

  /** Waits up to the fetch timeout for {@code f}; false if interrupted or timed out. */
  private boolean await(CompletableFuture<KeySet> f) {
    try {
      f.get(wait.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (TimeoutException e) {
      return false;
    } catch (ExecutionException | RuntimeException e) {
      return true; // a failed or cancelled fetch: answer from what is cached
    }
  }

  void invalidate() {
    cache.invalidateAll();
  }
}
