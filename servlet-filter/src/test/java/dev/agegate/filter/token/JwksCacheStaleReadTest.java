package dev.agegate.filter.token;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.sun.net.httpserver.HttpServer;
import dev.agegate.filter.support.TestGateway;
import dev.agegate.filter.token.TokenRejectedException.Reason;
import dev.agegate.testsupport.MutableClock;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A read on a stale entry starts Caffeine's background refresh, and that refresh marks a fetch
 * as started (which holds off a forced one for {@code jwks-min-refetch}). A token signed by a
 * freshly published key, in the same request, must then wait for that refresh instead of being
 * refused as {@code UNKNOWN_KEY} on the old keys.
 *
 * <p>The JWKS endpoint is an in-process server that holds its answer until the test lets it go;
 * refreshes run on their own threads (as the filter's own executor does), and the executor
 * returns only once the refresh it started has reached the server, so the order of events is
 * fixed: background fetch in flight, then the unknown {@code kid}. No sleeps; the clock is moved
 * by hand.
 */
class JwksCacheStaleReadTest {
  private static final Instant T0 = Instant.parse("2026-11-28T12:00:00Z");
  private static final long BOUND_S = 20;

  private MutableClock clock;
  private TestGateway signer;
  private HttpServer jwks;
  private final AtomicReference<String> body = new AtomicReference<>();
  private final AtomicInteger fetches = new AtomicInteger();
  /** When set, the next JWKS request counts it down on arrival and waits for {@link #release}. */
  private volatile CountDownLatch received;
  private final Object monitor = new Object();
  private final CountDownLatch release = new CountDownLatch(1);
  private AgeTokenVerifier verifier;
  private ECKey k1;

  @BeforeEach
  void setUp() throws Exception {
    clock = new MutableClock(T0);
    signer = new TestGateway(clock);
    k1 = TestGateway.newKey("k1");
    signer.signWith(k1);
    body.set(new JWKSet(k1.toPublicJWK()).toString());
    jwks = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    jwks.setExecutor(Executors.newCachedThreadPool());
    jwks.createContext(TestGateway.JWKS_PATH, ex -> {
      fetches.incrementAndGet();
      CountDownLatch r = received;
      if (r != null) {
        received = null;
        synchronized (monitor) {
          r.countDown();
          monitor.notifyAll();
        }
        try {
          release.await(BOUND_S, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      byte[] b = body.get().getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "application/jwk-set+json");
      ex.sendResponseHeaders(200, b.length);
      ex.getResponseBody().write(b);
      ex.close();
    });
    jwks.start();
    verifier = AgeTokenVerifier.builder()
        .jwksUri(URI.create("http://127.0.0.1:" + jwks.getAddress().getPort() + TestGateway.JWKS_PATH))
        .issuer(signer.url())
        .audience(TestGateway.SITE)
        .clock(clock)
        .jwksRefresh(Duration.ofMinutes(1))
        .jwksMaxStale(Duration.ofMinutes(5))
        .jwksMinRefetch(Duration.ofSeconds(30))
        .jwksTimeout(Duration.ofSeconds(BOUND_S))
        .executor(ownThreadUntilItReachesTheServer())
        .build();
  }

  /**
   * Runs each task on a new thread, as the filter's cached pool does, and returns once the task
   * ended or the JWKS request it made is being held at the server.
   */
  private Executor ownThreadUntilItReachesTheServer() {
    return task -> {
      CountDownLatch r = received;
      boolean[] ended = {false};
      new Thread(() -> {
        try {
          task.run();
        } finally {
          synchronized (monitor) {
            ended[0] = true;
            monitor.notifyAll();
          }
        }
      }, "refresh").start();
      if (r == null) {
        return;
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(BOUND_S);
      synchronized (monitor) {
        while (!ended[0] && r.getCount() > 0 && System.nanoTime() < deadline) {
          try {
            monitor.wait(TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()) + 1);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
        }
      }
    };
  }

  @AfterEach
  void tearDown() {
    release.countDown();
    verifier.close();
    jwks.stop(0);
    signer.close();
  }

  @Test
  void verifyWhenStaleReadStartsARefreshThenANewKidInTheSameRequestWaitsForIt() throws Exception {
    assertThat(verifier.verify(signer.token(18, "b")).ageOver()).isEqualTo(18);
    assertThat(fetches.get()).isEqualTo(1);

    // The gateway publishes k2 and signs with it; the cached keys are past jwks-refresh.
    ECKey k2 = TestGateway.newKey("k2");
    body.set(new JWKSet(List.of(k1.toPublicJWK(), k2.toPublicJWK())).toString());
    signer.signWith(k2);
    clock.advance(Duration.ofSeconds(61));
    String token = signer.token(18, "b");
    CountDownLatch held = new CountDownLatch(1);
    received = held;

    AtomicReference<Thread> requestThread = new AtomicReference<>();
    ExecutorService request = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "request");
      requestThread.set(t);
      return t;
    });
    try {
      Future<AgeToken> result = request.submit(() -> verifier.verify(token));
      assertThat(held.await(BOUND_S, TimeUnit.SECONDS)).as("the stale read's refresh reached the gateway").isTrue();
      // Let the answer go once the request has decided: refused already, or waiting for a fetch.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(BOUND_S);
      while (!result.isDone() && !waitingForAFetch(requestThread.get()) && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      release.countDown();
      AgeToken t;
      try {
        t = result.get(BOUND_S, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException e) {
        throw new AssertionError("the token of the freshly published key was refused: " + e.getCause(), e.getCause());
      }
      assertThat(t.ageOver()).isEqualTo(18);
    } finally {
      request.shutdownNow();
    }
    assertThat(fetches.get()).as("the background refresh served the request: no second fetch").isEqualTo(2);

    // The no-storm property holds: unknown kids within jwks-min-refetch fetch nothing more,
    // and after it, a flood of them shares one fetch.
    List<String> forged = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      String kid = "unknown-" + i;
      forged.add(signer.token(h -> h.keyID(kid), c -> { }));
    }
    for (String f : forged) {
      assertThat(rejection(f)).isEqualTo(Reason.UNKNOWN_KEY);
    }
    assertThat(fetches.get()).isEqualTo(2);
    clock.advance(Duration.ofSeconds(31));
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Reason>> results = new ArrayList<>();
      for (String f : forged) {
        results.add(pool.submit(() -> rejection(f)));
      }
      for (Future<Reason> r : results) {
        assertThat(r.get(BOUND_S, TimeUnit.SECONDS)).isEqualTo(Reason.UNKNOWN_KEY);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(fetches.get()).as("one fetch for the whole flood").isEqualTo(3);
  }

  /** Whether {@code t} is parked in the JWKS cache, waiting for a fetch to end. */
  private static boolean waitingForAFetch(Thread t) {
    if (t == null || (t.getState() != Thread.State.WAITING && t.getState() != Thread.State.TIMED_WAITING)) {
      return false;
    }
    boolean inFuture = false;
    boolean inCache = false;
    for (StackTraceElement e : t.getStackTrace()) {
      if (e.getMethodName().contains("ownThreadUntilItReachesTheServer")) {
        return false; // still starting the refresh, in the executor above
      }
      if (e.getClassName().equals(CompletableFuture.class.getName())) {
        inFuture = true;
      }
      if (inFuture && e.getClassName().equals(JwksCache.class.getName())) {
        inCache = true;
      }
    }
    return inCache;
  }

  private Reason rejection(String token) {
    try {
      verifier.verify(token);
      throw new AssertionError("token accepted");
    } catch (TokenRejectedException e) {
      return e.reason();
    }
  }
}
