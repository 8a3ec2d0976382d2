package dev.agegate.filter.token;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import dev.agegate.filter.support.MutableClock;
import dev.agegate.filter.support.TestGateway;
import dev.agegate.filter.token.TokenRejectedException.Reason;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * WireMock as the gateway: rotation, outages, slow answers and floods of unknown key ids,
 * with the JWKS fetches counted. Time is a hand-moved clock with short intervals (refresh
 * 1 min, max stale 5 min, min re-fetch 30 s), so nothing here waits on the wall clock except
 * the HTTP timeouts, which are a fraction of a second.
 */
class JwksCacheTest {

  private static final Instant T0 = Instant.parse("2026-11-28T12:00:00Z");
  private static final Duration TIMEOUT = Duration.ofMillis(500);

  private static MutableClock clock;
  private static TestGateway gateway;
  private ECKey k1;
  private AgeTokenVerifier verifier;

  @BeforeAll
  static void startGateway() {
    clock = new MutableClock(T0);
    gateway = new TestGateway(clock);
  }

  @AfterAll
  static void stopGateway() {
    gateway.close();
  }

  @BeforeEach
  void setUp() {
    clock.set(T0);
    k1 = TestGateway.newKey("k1");
    gateway.signWith(k1);
    gateway.publish(k1);
    gateway.server().resetRequests();
    verifier = AgeTokenVerifier.builder()
        .jwksUri(URI.create(gateway.url() + TestGateway.JWKS_PATH))
        .issuer(gateway.url())
        .audience(TestGateway.SITE)
        .clock(clock)
        .jwksRefresh(Duration.ofMinutes(1))
        .jwksMaxStale(Duration.ofMinutes(5))
        .jwksMinRefetch(Duration.ofSeconds(30))
        .jwksTimeout(TIMEOUT)
        // Background refreshes run on the calling thread, so the fetch count is exact.
        .executor(Runnable::run)
        .build();
  }

  @AfterEach
  void tearDown() {
    verifier.close();
  }

  private Reason rejection(String token) {
    try {
      verifier.verify(token);
      throw new AssertionError("token accepted");
    } catch (TokenRejectedException e) {
      return e.reason();
    }
  }

  @Test
  void verifyWhenKeyRotatesMidTrafficThenNewKidFetchedOnceAndOldKeyKept() throws Exception {
    for (int i = 0; i < 20; i++) {
      verifier.verify(gateway.token(18, "b"));
    }
    assertThat(gateway.jwksFetches()).isEqualTo(1);

    ECKey k2 = TestGateway.newKey("k2");
    gateway.publish(k1, k2);
    clock.advance(Duration.ofSeconds(31));
    String fromOldKey = gateway.token(18, "b");
    gateway.signWith(k2);
    for (int i = 0; i < 20; i++) {
      assertThat(verifier.verify(gateway.token(18, "b")).ageOver()).isEqualTo(18);
    }
    assertThat(verifier.verify(fromOldKey).ageOver()).isEqualTo(18);
    assertThat(gateway.jwksFetches()).isEqualTo(2);

    // The gateway retires k1 once its tokens have expired; the next refresh drops it here too.
    gateway.publish(k2);
    clock.advance(Duration.ofSeconds(61));
    verifier.verify(gateway.token(18, "b"));
    assertThat(gateway.jwksFetches()).isEqualTo(3);
    gateway.signWith(k1);
    assertThat(rejection(gateway.token(18, "b"))).isEqualTo(Reason.UNKNOWN_KEY);
    assertThat(gateway.jwksFetches()).isEqualTo(3);
  }

  @Test
  void verifyWhenKeyRotatesUnderConcurrentTrafficThenAllAcceptedAndOneExtraFetch() throws Exception {
    verifier.verify(gateway.token(18, "b"));
    ECKey k2 = TestGateway.newKey("k2");
    gateway.publish(k1, k2);
    clock.advance(Duration.ofSeconds(31));
    gateway.signWith(k2);
    List<String> tokens = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      tokens.add(gateway.token(18, "b" + i));
    }
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<AgeToken>> results = new ArrayList<>();
      for (String t : tokens) {
        results.add(pool.submit(() -> verifier.verify(t)));
      }
      for (Future<AgeToken> r : results) {
        assertThat(r.get().ageOver()).isEqualTo(18);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(gateway.jwksFetches()).isEqualTo(2);
  }

  @Test
  void verifyWhenGatewayAnswers503ThenOldKeysServeUntilMaxStaleThenFailClosed() throws Exception {
    verifier.verify(gateway.token(18, "b"));
    gateway.answerJwks(aResponse().withStatus(503));

    clock.set(T0.plus(Duration.ofMinutes(2)));
    assertThat(verifier.verify(gateway.token(18, "b")).ageOver()).isEqualTo(18);
    assertThat(gateway.jwksFetches()).as("refresh was tried").isEqualTo(2);

    clock.set(T0.plus(Duration.ofMinutes(6)).minusSeconds(1));
    assertThat(verifier.verify(gateway.token(18, "b")).ageOver()).isEqualTo(18);

    clock.set(T0.plus(Duration.ofMinutes(6)).plusSeconds(1));
    assertThat(rejection(gateway.token(18, "b"))).isEqualTo(Reason.KEYS_UNAVAILABLE);
    int fetches = gateway.jwksFetches();
    for (int i = 0; i < 10; i++) {
      assertThat(rejection(gateway.token(18, "b"))).isEqualTo(Reason.KEYS_UNAVAILABLE);
    }
    assertThat(gateway.jwksFetches()).as("no fetch storm while down").isEqualTo(fetches);

    gateway.publish(k1);
    clock.advance(Duration.ofSeconds(31));
    assertThat(verifier.verify(gateway.token(18, "b")).ageOver()).isEqualTo(18);
  }

  @Test
  void verifyWhenGatewayDownFromStartThenOneFetchPerInterval() {
    gateway.answerJwks(aResponse().withStatus(503));

    for (int i = 0; i < 10; i++) {
      assertThat(rejection(gateway.token(18, "b"))).isEqualTo(Reason.KEYS_UNAVAILABLE);
    }
    assertThat(gateway.jwksFetches()).isEqualTo(1);

    clock.advance(Duration.ofSeconds(31));
    assertThat(rejection(gateway.token(18, "b"))).isEqualTo(Reason.KEYS_UNAVAILABLE);
    assertThat(gateway.jwksFetches()).isEqualTo(2);
  }

  @Test
  void verifyWhenGatewayTimesOutThenKeysUnavailableWithinTimeout() {
    gateway.answerJwks(aResponse().withFixedDelay(3_000).withStatus(200)
        .withBody(new JWKSet(k1.toPublicJWK()).toString()));

    long start = System.nanoTime();
    assertThat(rejection(gateway.token(18, "b"))).isEqualTo(Reason.KEYS_UNAVAILABLE);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(TIMEOUT.multipliedBy(4));
  }

  @Test
  void verifyWhenBodyDribblesPastTimeoutThenKeysUnavailable() {
    gateway.answerJwks(aResponse().withStatus(200).withBody(new JWKSet(k1.toPublicJWK()).toString())
        .withChunkedDribbleDelay(10, 3_000));

    long start = System.nanoTime();
    assertThat(rejection(gateway.token(18, "b"))).isEqualTo(Reason.KEYS_UNAVAILABLE);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(TIMEOUT.multipliedBy(4));
  }

  @Test
  void verifyWhenGatewaySlowWithinTimeoutThenAccepted() throws Exception {
    gateway.answerJwks(aResponse().withFixedDelay(200).withStatus(200)
        .withBody(new JWKSet(k1.toPublicJWK()).toString()));

    assertThat(verifier.verify(gateway.token(18, "b")).ageOver()).isEqualTo(18);
  }

  @Test
  void verifyWhenUnknownKidsFloodThenOneFetchPerInterval() throws Exception {
    verifier.verify(gateway.token(18, "b"));
    for (int round = 1; round <= 2; round++) {
      clock.advance(Duration.ofSeconds(31));
      List<String> forged = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        String kid = "unknown-" + round + "-" + i;
        forged.add(gateway.token(h -> h.keyID(kid), c -> { }));
      }
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        List<Future<Reason>> results = new ArrayList<>();
        for (String t : forged) {
          results.add(pool.submit(() -> rejection(t)));
        }
        for (Future<Reason> r : results) {
          assertThat(r.get()).isEqualTo(Reason.UNKNOWN_KEY);
        }
      } finally {
        pool.shutdownNow();
      }
      assertThat(gateway.jwksFetches()).isEqualTo(1 + round);
    }
  }

  @Test
  void verifyWhenJwksHasNoEcSigningKeyThenKeysUnavailable() throws Exception {
    gateway.answerJwks(aResponse().withStatus(200)
        .withBody(new JWKSet(new RSAKeyGenerator(2048).keyID("k1").generate().toPublicJWK()).toString()));

    assertThat(rejection(gateway.token(18, "b"))).isEqualTo(Reason.KEYS_UNAVAILABLE);
  }

  @Test
  void verifyWhenJwksTooLargeThenKeysUnavailable() {
    String padding = "x".repeat(JwksFetcher.MAX_BYTES);
    gateway.answerJwks(aResponse().withStatus(200)
        .withBody("{\"keys\":[" + k1.toPublicJWK().toJSONString() + "],\"pad\":\"" + padding + "\"}"));

    assertThat(rejection(gateway.token(18, "b"))).isEqualTo(Reason.KEYS_UNAVAILABLE);
  }

  @Test
  void verifyWhenJwksRedirectsThenNotFollowed() {
    gateway.answerJwks(aResponse().withStatus(302).withHeader("Location", gateway.url() + "/elsewhere.json"));

    assertThat(rejection(gateway.token(18, "b"))).isEqualTo(Reason.KEYS_UNAVAILABLE);
  }
}
