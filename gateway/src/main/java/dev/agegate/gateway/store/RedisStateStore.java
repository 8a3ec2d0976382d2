package dev.agegate.gateway.store;

import dev.agegate.gateway.http.Problem;
import dev.agegate.gateway.http.Reason;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.util.JedisURIHelper;

/**
 * The store shared by several gateways: one Redis server (standalone; not Redis Cluster, since
 * the scripts touch a check's two keys together). Every decision is one Redis command or one
 * Lua script, so it is atomic across gateways:
 *
 * <ul>
 *   <li>a check is a hash {@code <prefix>c:<tx>} with fields {@code v} (version) and {@code d}
 *       (the check as JSON), and {@code <prefix>r:<request id>} names its transaction; both expire
 *       (PX) at the retention time;
 *   <li>{@link #replace} is a compare-and-set script on {@code v} that also PUBLISHes the new
 *       check on {@code <prefix>changes}, so the change and its announcement are one step; it
 *       stores the write's random id in field {@code w}, so the same write retried after its
 *       reply was lost answers "done" instead of "stale" (and publishes once);
 *   <li>{@link #consumeNonce} is {@code SET <prefix>n:<nonce> <id> NX PX}: one winner (its
 *       retry after a lost reply finds its own id);
 *   <li>{@link #shareTrustList} is {@code <prefix>t:<root>}, the trust list document, expiring
 *       when the longest acceptance any gateway announced for it ends;
 *   <li>{@link #tryAcquire} is INCR plus PEXPIRE on the first permit, a fixed window;
 *       {@link #tryAcquireThenByRequest} is that and {@link #byRequest} in one script.
 * </ul>
 *
 * <p>Change fan-out: one subscriber thread per gateway listens on the channel and hands each
 * change to this process's listeners of that check; after every (re)subscription it re-reads the
 * checks that have listeners, so a change published while the subscription was down still
 * arrives. A listener sees each version at most once and never an older one after a newer one.
 *
 * <p>Outage: a Redis call that cannot complete (connection refused or lost, pool exhausted,
 * timeouts of {@value #CONNECT_TIMEOUT_MS} ms to connect and {@value #SOCKET_TIMEOUT_MS} ms per
 * reply) is retried once on a fresh connection, then answered as a {@link Problem}
 * {@link Reason#OVERLOADED} (503 problem+json, {@code Retry-After: 1}). A command Redis refuses
 * ({@code JedisDataException}: {@code OOM} over {@code maxmemory}, {@code READONLY} on a replica
 * after a failover, {@code LOADING}, {@code BUSY}) is the same 503 at once, never a 500. Nothing
 * is cached locally, so the gateway recovers by itself as soon as Redis answers again. A decision
 * taken by Redis is never taken a second time by a gateway, and never lost: a compare-and-set or
 * nonce mark retried after its reply was lost recognises its own write (see above) and reports
 * what really happened.
 *
 * <p>Expiry follows the gateway's clock as a relative TTL ({@code until - clock.now}), so a
 * test clock and Redis's own clock need not agree. Thread-safe.
 */
final class RedisStateStore implements StateStore {
  private static final Logger LOG = Logger.getLogger(RedisStateStore.class.getName());

  static final int CONNECT_TIMEOUT_MS = 1000;
  static final int SOCKET_TIMEOUT_MS = 2000;

  // The first write is a SET: over maxmemory Redis refuses a script at its first such command
  // (a DEL first would let the whole script through).
  private static final String CREATE = """
      redis.call('SET', KEYS[2], ARGV[4], 'PX', ARGV[3])
      redis.call('DEL', KEYS[1])
      redis.call('HSET', KEYS[1], 'v', ARGV[1], 'd', ARGV[2])
      redis.call('PEXPIRE', KEYS[1], ARGV[3])
      return 1
      """;

  // ARGV[1] is the check-key prefix: the request key names the transaction, read in the same step.
  private static final String BY_REQUEST = """
      local tx = redis.call('GET', KEYS[1])
      if not tx then return false end
      return redis.call('HGET', ARGV[1] .. tx, 'd')
      """;

  // ARGV[6] is this write's id: a retry of a write whose reply was lost (the connection dropped
  // after Redis applied it) finds its own id and answers 1 again, without a second PUBLISH.
  private static final String REPLACE = """
      local cur = redis.call('HMGET', KEYS[1], 'v', 'w')
      if cur[2] == ARGV[6] then return 1 end
      if cur[1] ~= ARGV[1] then return 0 end
      redis.call('HSET', KEYS[1], 'v', ARGV[2], 'd', ARGV[3], 'w', ARGV[6])
      redis.call('PUBLISH', ARGV[4], ARGV[5])
      return 1
      """;

  // The same idempotence for the nonce mark: the value is the marking call's id.
  private static final String CONSUME = """
      if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
      if redis.call('GET', KEYS[1]) == ARGV[1] then return 1 end
      return 0
      """;

  // A shared trust list lives as long as the longest acceptance any gateway announced.
  private static final String SHARE = """
      local t = redis.call('PTTL', KEYS[1])
      if t < tonumber(ARGV[2]) then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) end
      return 1
      """;

  // The document and its remaining life in one step (-1: no expiry, set by hand).
  private static final String SHARED = """
      local j = redis.call('GET', KEYS[1])
      if not j then return false end
      return {j, redis.call('PTTL', KEYS[1])}
      """;

  private static final String ACQUIRE = """
      local n = redis.call('INCR', KEYS[1])
      if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
      if n <= tonumber(ARGV[1]) then return 0 end
      local t = redis.call('PTTL', KEYS[1])
      if t < 0 then
        redis.call('PEXPIRE', KEYS[1], ARGV[2])
        t = tonumber(ARGV[2])
      end
      return t
      """;

  // ACQUIRE, then (a permit taken) BY_REQUEST: {0, check JSON}, {0} for no check, {ms to wait} when refused.
  // ARGV[3] is the check-key prefix, KEYS[2] the request key.
  private static final String ACQUIRE_BY_REQUEST = """
      local n = redis.call('INCR', KEYS[1])
      if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
      if n > tonumber(ARGV[1]) then
        local t = redis.call('PTTL', KEYS[1])
        if t < 0 then
          redis.call('PEXPIRE', KEYS[1], ARGV[2])
          t = tonumber(ARGV[2])
        end
        return {t}
      end
      local tx = redis.call('GET', KEYS[2])
      if not tx then return {0} end
      local d = redis.call('HGET', ARGV[3] .. tx, 'd')
      if not d then return {0} end
      return {0, d}
      """;

  /** One listener with the last version it was given. */
  private static final class Listener {
    final Consumer<Check> consumer;
    final AtomicLong lastVersion;

    Listener(Consumer<Check> consumer, long fromVersion) {
      this.consumer = consumer;
      this.lastVersion = new AtomicLong(fromVersion);
    }

    void offer(Check c) {
      long seen = lastVersion.get();
      while (c.version() > seen) {
        if (lastVersion.compareAndSet(seen, c.version())) {
          try {
            consumer.accept(c);
          } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "check listener failed", e);
          }
          return;
        }
        seen = lastVersion.get();
      }
    }
  }

  private final Clock clock;
  private final String prefix;
  private final String channel;
  private final HostAndPort address;
  private final JedisClientConfig config;
  private final RedisClient redis;
  private final ConcurrentHashMap<String, Set<Listener>> listeners = new ConcurrentHashMap<>();
  private final AtomicBoolean down = new AtomicBoolean();
  private final AtomicBoolean refusing = new AtomicBoolean();
  private final Thread subscriber;
  private volatile boolean closed;
  private volatile Jedis subscriberConnection;
  private volatile JedisPubSub events;

  /**
   * Connects lazily: a Redis that is down at start makes requests 503 until it is up.
   *
   * @param uri {@code redis://[[user]:password@]host[:port][/db]} or {@code rediss://…} (TLS)
   * @param prefix the prefix of every key and of the change channel, e.g. {@code agegate:}
   * @param maxConnections the pool's size (each request holds one connection for one command)
   * @throws IllegalArgumentException naming {@code agegate.redis.uri} when the URI is not a Redis URI
   */
  RedisStateStore(URI uri, String prefix, int maxConnections, Clock clock) {
    if (!JedisURIHelper.isValid(uri) || !JedisURIHelper.isRedisScheme(uri)) {
      throw new IllegalArgumentException("agegate.redis.uri: '" + redacted(uri) + "' is not redis://host:port or rediss://host:port");
    }
    this.clock = clock;
    this.prefix = prefix;
    this.channel = prefix + "changes";
    this.address = JedisURIHelper.getHostAndPort(uri);
    DefaultJedisClientConfig.Builder cb = DefaultJedisClientConfig.builder()
        .connectionTimeoutMillis(CONNECT_TIMEOUT_MS)
        .socketTimeoutMillis(SOCKET_TIMEOUT_MS)
        .clientName("agegate-gateway")
        .ssl(JedisURIHelper.isRedisSSLScheme(uri));
    if (JedisURIHelper.getPassword(uri) != null) {
      cb.user(JedisURIHelper.getUser(uri)).password(JedisURIHelper.getPassword(uri));
    }
    if (JedisURIHelper.hasDbIndex(uri)) {
      cb.database(JedisURIHelper.getDBIndex(uri));
    }
    this.config = cb.build();
    ConnectionPoolConfig pool = new ConnectionPoolConfig();
    pool.setMaxTotal(maxConnections);
    pool.setMaxIdle(maxConnections);
    pool.setMinIdle(0);
    pool.setMaxWait(Duration.ofMillis(SOCKET_TIMEOUT_MS));
    pool.setTestWhileIdle(true);
    pool.setTimeBetweenEvictionRuns(Duration.ofSeconds(5));
    pool.setJmxEnabled(false);
    this.redis = RedisClient.builder().hostAndPort(address).clientConfig(config).poolConfig(pool).build();
    this.subscriber = Thread.ofPlatform().daemon().name("agegate-redis-changes").unstarted(this::listen);
    subscriber.start();
  }

  private String checkKey(String tx) {
    return prefix + "c:" + tx;
  }

  private long ttlMillis(Instant until) {
    return Math.max(1, Duration.between(clock.instant(), until).toMillis());
  }

  @Override
  public void create(Check check, Instant retainUntil) {
    call(() -> redis.eval(CREATE, List.of(checkKey(check.transactionId()), prefix + "r:" + check.requestId()),
        List.of(Long.toString(check.version()), RedisCheckCodec.encode(check), Long.toString(ttlMillis(retainUntil)),
            check.transactionId())));
  }

  @Override
  public Optional<Check> byTransaction(String transactionId) {
    String d = call(() -> redis.hget(checkKey(transactionId), "d"));
    return Optional.ofNullable(d == null ? null : RedisCheckCodec.decode(d));
  }

  @Override
  public Optional<Check> byRequest(String requestId) {
    Object d = call(() -> redis.eval(BY_REQUEST, List.of(prefix + "r:" + requestId), List.of(prefix + "c:")));
    return Optional.ofNullable(d instanceof String s ? RedisCheckCodec.decode(s) : null);
  }

  @Override
  public boolean replace(Check expected, Check updated) {
    String data = RedisCheckCodec.encode(updated);
    String writeId = UUID.randomUUID().toString();
    Object r = call(() -> redis.eval(REPLACE, List.of(checkKey(expected.transactionId())),
        List.of(Long.toString(expected.version()), Long.toString(updated.version()), data, channel,
            updated.transactionId() + "|" + data, writeId)));
    return r instanceof Long n && n == 1L;
  }

  @Override
  public boolean consumeNonce(String nonce, Instant until) {
    String id = UUID.randomUUID().toString();
    Object r = call(() -> redis.eval(CONSUME, List.of(prefix + "n:" + nonce), List.of(id, Long.toString(ttlMillis(until)))));
    return r instanceof Long n && n == 1L;
  }

  @Override
  public void shareTrustList(String rootHex, byte[] json, Instant acceptedUntil) {
    call(() -> redis.eval(SHARE, List.of(prefix + "t:" + rootHex),
        List.of(new String(json, StandardCharsets.UTF_8), Long.toString(ttlMillis(acceptedUntil)))));
  }

  @Override
  public Optional<SharedTrustList> sharedTrustList(String rootHex) {
    Object r = call(() -> redis.eval(SHARED, List.of(prefix + "t:" + rootHex), List.of()));
    if (!(r instanceof List<?> l) || l.size() != 2 || !(l.get(0) instanceof String j) || !(l.get(1) instanceof Long ms)) {
      return Optional.empty();
    }
    Instant until = ms < 0 ? Instant.MAX : clock.instant().plusMillis(ms);
    return Optional.of(new SharedTrustList(j.getBytes(StandardCharsets.UTF_8), until));
  }

  @Override
  public long tryAcquire(String key, int permits, Duration window) {
    Object r = call(() -> redis.eval(ACQUIRE, List.of(prefix + "l:" + key),
        List.of(Integer.toString(permits), Long.toString(Math.max(1, window.toMillis())))));
    long ms = r instanceof Long n ? n : 0;
    return ms <= 0 ? 0 : Math.max(1, (ms + 999) / 1000);
  }

  @Override
  public Counted tryAcquireThenByRequest(String key, int permits, Duration window, String requestId) {
    Object r = call(() -> redis.eval(ACQUIRE_BY_REQUEST, List.of(prefix + "l:" + key, prefix + "r:" + requestId),
        List.of(Integer.toString(permits), Long.toString(Math.max(1, window.toMillis())), prefix + "c:")));
    if (!(r instanceof List<?> l) || l.isEmpty() || !(l.get(0) instanceof Long ms)) {
      throw new IllegalStateException("unexpected reply to the counted request lookup: " + r);
    }
    if (ms > 0) {
      return new Counted(Math.max(1, (ms + 999) / 1000), Optional.empty());
    }
    return new Counted(0, Optional.ofNullable(l.size() > 1 && l.get(1) instanceof String d ? RedisCheckCodec.decode(d) : null));
  }

  @Override
  public Subscription subscribe(String transactionId, Consumer<Check> listener) {
    // The version stored now is the caller's own first read, not a change, so it is marked seen
    // BEFORE the listener is registered: registered first, a re-read after a (re)subscription
    // running on the subscriber thread meanwhile handed it over as a change (RedisStateStoreTest
    // saw PENDING on a fresh store). A change landing between this read and the registration is
    // newer, and the read after the registration hands it over, once (offer keeps the version).
    // Best effort: when Redis cannot say, a later re-read may hand over the current version once.
    long seen = Long.MIN_VALUE;
    try {
      String v = redis.hget(checkKey(transactionId), "v");
      if (v != null) {
        seen = Long.parseLong(v);
      }
    } catch (RuntimeException e) {
      LOG.fine("cannot read the version of a followed check: " + e.getMessage());
    }
    Listener l = new Listener(listener, seen);
    listeners.computeIfAbsent(transactionId, k -> new CopyOnWriteArraySet<>()).add(l);
    if (seen != Long.MIN_VALUE) {
      try {
        byTransaction(transactionId).ifPresent(l::offer);
      } catch (RuntimeException e) {
        LOG.fine("cannot re-read a followed check: " + e.getMessage());
      }
    }
    AtomicBoolean done = new AtomicBoolean();
    return () -> {
      if (done.compareAndSet(false, true)) {
        listeners.computeIfPresent(transactionId, (k, set) -> {
          set.remove(l);
          return set.isEmpty() ? null : set;
        });
      }
    };
  }

  /** Whether Redis answered the last call (for health reporting and tests). */
  boolean reachable() {
    return !down.get();
  }

  private void listen() {
    long backoff = 50;
    while (!closed) {
      JedisPubSub ps = new JedisPubSub() {
        @Override
        public void onMessage(String ch, String message) {
          int bar = message.indexOf('|');
          if (bar <= 0) {
            return;
          }
          Set<Listener> ls = listeners.get(message.substring(0, bar));
          if (ls == null || ls.isEmpty()) {
            return;
          }
          Check c;
          try {
            c = RedisCheckCodec.decode(message.substring(bar + 1));
          } catch (IllegalStateException e) {
            LOG.log(Level.WARNING, "ignoring an undecodable change on " + ch, e);
            return;
          }
          ls.forEach(l -> l.offer(c));
        }

        @Override
        public void onSubscribe(String ch, int count) {
          resync();
        }
      };
      events = ps;
      try (Jedis j = new Jedis(address, config)) {
        subscriberConnection = j;
        backoff = 50;
        j.subscribe(ps, channel);
      } catch (JedisException | IllegalStateException e) {
        if (closed) {
          break;
        }
        LOG.fine("change subscription lost (" + e.getClass().getSimpleName() + "); reconnecting");
      } finally {
        subscriberConnection = null;
      }
      try {
        Thread.sleep(backoff);
      } catch (InterruptedException e) {
        break;
      }
      backoff = Math.min(1000, backoff * 2);
    }
  }

  /** Hands every check that has listeners here, as stored now, to its listeners. */
  private void resync() {
    for (Map.Entry<String, Set<Listener>> e : listeners.entrySet()) {
      try {
        byTransaction(e.getKey()).ifPresent(c -> e.getValue().forEach(l -> l.offer(c)));
      } catch (RuntimeException ex) {
        LOG.fine("re-reading a followed check failed: " + ex.getMessage());
        return;
      }
    }
  }

  /**
   * Runs one Redis command: on a connection failure once more (the pool then opens a fresh
   * connection), then as 503.
   */
  private <T> T call(Supplier<T> command) {
    for (int attempt = 0; ; attempt++) {
      try {
        T r = command.get();
        if (down.compareAndSet(true, false)) {
          LOG.info("Redis at " + address + " answers again");
        }
        if (refusing.get() && refusing.compareAndSet(true, false)) {
          LOG.info("Redis at " + address + " accepts commands again");
        }
        return r;
      } catch (JedisDataException e) {
        throw refused(e);
      } catch (JedisConnectionException e) {
        if (attempt == 0 && !closed) {
          continue;
        }
        throw unavailable(e);
      } catch (JedisException e) {
        throw unavailable(e);
      }
    }
  }

  private Problem refused(JedisDataException e) {
    if (refusing.compareAndSet(false, true)) {
      LOG.warning("Redis at " + address + " refuses commands (" + e.getMessage() + "): answering 503 while it does");
    }
    return new Problem(Reason.OVERLOADED, "the gateway's shared state store refused the change; try again", 1);
  }

  private Problem unavailable(JedisException e) {
    if (down.compareAndSet(false, true)) {
      LOG.warning("Redis at " + address + " is unreachable (" + e.getMessage() + "): answering 503 until it is back");
    }
    return new Problem(Reason.OVERLOADED, "the gateway's shared state store is unreachable; try again", 1);
  }

  @Override
  public void close() {
    closed = true;
    JedisPubSub ps = events;
    try {
      if (ps != null && ps.isSubscribed()) {
        ps.unsubscribe();
      }
    } catch (RuntimeException ignored) {
      // the connection is already gone
    }
    Jedis j = subscriberConnection;
    if (j != null) {
      try {
        j.close();
      } catch (RuntimeException ignored) {
        // closing unblocks the subscriber
      }
    }
    subscriber.interrupt();
    listeners.clear();
    redis.close();
  }

  static String redacted(URI uri) {
    return uri.getUserInfo() == null ? uri.toString() : uri.toString().replace(uri.getRawUserInfo() + "@", "***@");
  }
}
