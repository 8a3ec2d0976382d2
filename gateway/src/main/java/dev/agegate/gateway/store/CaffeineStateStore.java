package dev.agegate.gateway.store;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/** The single-process store: bounded, expiring Caffeine caches. */
final class CaffeineStateStore implements StateStore {
  private static final Logger LOG = Logger.getLogger(CaffeineStateStore.class.getName());

  private record Entry<V>(V value, Instant until) {}

  private record Bucket(AtomicInteger used, Instant resetAt) {}

  private final Clock clock;
  private final Cache<String, Entry<Check>> checks;
  private final Cache<String, Entry<String>> requests;
  private final Cache<String, Entry<Boolean>> nonces;
  private final Cache<String, Entry<Bucket>> buckets;
  private final Cache<String, Entry<byte[]>> trustLists;
  private final ConcurrentHashMap<String, Set<Consumer<Check>>> listeners = new ConcurrentHashMap<>();

  CaffeineStateStore(long maxChecks, Clock clock) {
    this.clock = clock;
    this.checks = cache(maxChecks);
    this.requests = cache(maxChecks);
    this.nonces = cache(maxChecks);
    this.buckets = cache(Math.max(10_000, maxChecks));
    this.trustLists = cache(64);
  }

  private <V> Cache<String, Entry<V>> cache(long max) {
    return Caffeine.newBuilder()
        .maximumSize(max)
        .ticker(() -> clock.millis() * 1_000_000L)
        .expireAfter(new Expiry<String, Entry<V>>() {
          @Override
          public long expireAfterCreate(String k, Entry<V> e, long now) {
            return Math.max(0, Duration.between(clock.instant(), e.until()).toNanos());
          }

          @Override
          public long expireAfterUpdate(String k, Entry<V> e, long now, long current) {
            return expireAfterCreate(k, e, now);
          }

          @Override
          public long expireAfterRead(String k, Entry<V> e, long now, long current) {
            return current;
          }
        })
        .build();
  }

  @Override
  public void create(Check check, Instant retainUntil) {
    checks.put(check.transactionId(), new Entry<>(check, retainUntil));
    requests.put(check.requestId(), new Entry<>(check.transactionId(), retainUntil));
  }

  @Override
  public Optional<Check> byTransaction(String transactionId) {
    Entry<Check> e = checks.getIfPresent(transactionId);
    return Optional.ofNullable(e == null ? null : e.value());
  }

  @Override
  public Optional<Check> byRequest(String requestId) {
    Entry<String> e = requests.getIfPresent(requestId);
    return e == null ? Optional.empty() : byTransaction(e.value());
  }

  @Override
  public boolean replace(Check expected, Check updated) {
    AtomicBoolean done = new AtomicBoolean();
    checks.asMap().computeIfPresent(expected.transactionId(), (k, e) -> {
      if (e.value().version() != expected.version()) {
        return e;
      }
      done.set(true);
      return new Entry<>(updated, e.until());
    });
    if (done.get()) {
      Set<Consumer<Check>> ls = listeners.get(updated.transactionId());
      if (ls != null) {
        for (Consumer<Check> l : ls) {
          try {
            l.accept(updated);
          } catch (RuntimeException ex) {
            LOG.log(Level.WARNING, "check listener failed", ex);
          }
        }
      }
    }
    return done.get();
  }

  @Override
  public boolean consumeNonce(String nonce, Instant until) {
    AtomicBoolean first = new AtomicBoolean();
    nonces.asMap().computeIfAbsent(nonce, k -> {
      first.set(true);
      return new Entry<>(Boolean.TRUE, until);
    });
    return first.get();
  }

  @Override
  public void shareTrustList(String rootHex, byte[] json, Instant acceptedUntil) {
    byte[] copy = json.clone();
    trustLists.asMap().merge(rootHex, new Entry<>(copy, acceptedUntil),
        (old, fresh) -> fresh.until().isAfter(old.until()) ? fresh : old);
  }

  @Override
  public Optional<SharedTrustList> sharedTrustList(String rootHex) {
    Entry<byte[]> e = trustLists.getIfPresent(rootHex);
    return Optional.ofNullable(e == null ? null : new SharedTrustList(e.value().clone(), e.until()));
  }

  @Override
  public long tryAcquire(String key, int permits, Duration window) {
    Instant now = clock.instant();
    Entry<Bucket> e = buckets.asMap().compute(key, (k, old) ->
        old == null || !now.isBefore(old.value().resetAt())
            ? new Entry<>(new Bucket(new AtomicInteger(), now.plus(window)), now.plus(window))
            : old);
    if (e.value().used().incrementAndGet() <= permits) {
      return 0;
    }
    return Math.max(1, Duration.between(now, e.value().resetAt()).toSeconds() + 1);
  }

  @Override
  public Subscription subscribe(String transactionId, Consumer<Check> listener) {
    listeners.computeIfAbsent(transactionId, k -> new CopyOnWriteArraySet<>()).add(listener);
    AtomicBoolean closed = new AtomicBoolean();
    return () -> {
      if (closed.compareAndSet(false, true)) {
        listeners.computeIfPresent(transactionId, (k, set) -> {
          set.remove(listener);
          return set.isEmpty() ? null : set;
        });
      }
    };
  }

  @Override
  public void close() {
    listeners.clear();
    checks.invalidateAll();
    requests.invalidateAll();
    nonces.invalidateAll();
    buckets.invalidateAll();
    trustLists.invalidateAll();
  }
}
