package dev.agegate.filter.token;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import dev.agegate.filter.support.TestGateway;
import dev.agegate.filter.token.TokenRejectedException.Reason;
import dev.agegate.testsupport.MutableClock;
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
 * the two timeout tests (a 500 ms timeout against a 10 s answer).
 */
class JwksCacheTest {

  private static final Instant T0 = Instant.parse("2026-11-28T12:00:00Z");
  /**
   * Far above any fetch on a loaded machine: only the tests about timeouts use a short one,
   * against an answer delayed far longer still, so no test depends on how fast this machine is.
   */
  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  private static final Duration SHORT_TIMEOUT = Duration.ofMillis(500);
  private static final int LONG_DELAY_MS = 10_000;

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
    verifier = verifier(TIMEOUT);
  }

  private AgeTokenVerifier verifier(Duration timeout) {
    return AgeTokenVerifier.builder()
        .jwksUri(URI.create(gateway.url() + TestGateway.JWKS_PATH))
        .issuer(gateway.url())
        .audience(TestGateway.SITE)
        .clock(clock)
        .jwksRefresh(Duration.ofMinutes(1))
        .jwksMaxStale(Duration.ofMinutes(5))
        .jwksMinRefetch(Duration.ofSeconds(30))
        .jwksTimeout(timeout)
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
    gateway.answerJwks(aResponse().withFixedDelay(LONG_DELAY_MS).withStatus(200)
        .withBody(new JWKSet(k1.toPublicJWK()).toString()));
    verifier.close();
    verifier = verifier(SHORT_TIMEOUT);

    long start = System.nanoTime();
    assertThat(rejection(gateway.token(18, "b"))).isEqualTo(Reason.KEYS_UNAVAILABLE);
    // cut off by the timeout, long before the answer would have come
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(LONG_DELAY_MS / 2));
  }

  @Test
  void verifyWhenBodyDribblesPastTimeoutThenKeysUnavailable() {
    gateway.answerJwks(aResponse().withStatus(200).withBody(new JWKSet(k1.toPublicJWK()).toString())
        .withChunkedDribbleDelay(10, LONG_DELAY_MS));
    verifier.close();
    verifier = verifier(SHORT_TIMEOUT);

    long start = System.nanoTime();
    assertThat(rejection(gateway.token(18, "b"))).isEqualTo(Reason.KEYS_UNAVAILABLE);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(LONG_DELAY_MS / 2));
  }

  @Test
  void verifyWhenGatewaySlowWithinTimeoutThenAccepted() throws Exception {
    // 200 ms late against a 20 s timeout (was 500 ms: a loaded machine could miss it)
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
    // The target serves a valid JWKS: following the redirect would make the token pass.
    gateway.server().stubFor(com.github.tomakehurst.wiremock.client.WireMock.get(
        com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo("/elsewhere.json"))
        .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/jwk-set+json")
            .withBody(new JWKSet(k1.toPublicJWK()).toString())));
    gateway.answerJwks(aResponse().withStatus(302).withHeader("Location", gateway.url() + "/elsewhere.json"));

    assertThat(rejection(gateway.token(18, "b"))).isEqualTo(Reason.KEYS_UNAVAILABLE);
    assertThat(gateway.server().findAll(com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor(
        com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo("/elsewhere.json")))).as("redirect target fetched").isEmpty();
  }

  @Test
  void verifyWhenRefreshFailsThenStaleKeysServeWithoutAFetchPerRequest() throws Exception {
    verifier.verify(gateway.token(18, "b"));
    assertThat(gateway.jwksFetches()).isEqualTo(1);
    gateway.answerJwks(aResponse().withStatus(503));

    // Past jwks-refresh: the failed refresh leaves Caffeine's write time where it was, so
    // every read is "due" again; only jwks-min-refetch (30 s) may let another fetch start.
    clock.set(T0.plus(Duration.ofMinutes(2)));
    for (int i = 0; i < 20; i++) {
      assertThat(verifier.verify(gateway.token(18, "b")).ageOver()).isEqualTo(18);
    }
    assertThat(gateway.jwksFetches()).as("one refresh attempt, not one per request").isEqualTo(2);

    clock.advance(Duration.ofSeconds(29));
    for (int i = 0; i < 20; i++) {
      assertThat(verifier.verify(gateway.token(18, "b")).ageOver()).isEqualTo(18);
    }
    assertThat(gateway.jwksFetches()).isEqualTo(2);

    clock.advance(Duration.ofSeconds(1));
    for (int i = 0; i < 20; i++) {
      assertThat(verifier.verify(gateway.token(18, "b")).ageOver()).isEqualTo(18);
    }
    assertThat(gateway.jwksFetches()).as("the next attempt after jwks-min-refetch").isEqualTo(3);

    gateway.publish(k1);
    clock.advance(Duration.ofSeconds(30));
    verifier.verify(gateway.token(18, "b"));
    assertThat(gateway.jwksFetches()).isEqualTo(4);
    clock.advance(Duration.ofSeconds(59));
    verifier.verify(gateway.token(18, "b"));
    assertThat(gateway.jwksFetches()).as("a successful refresh resets the write time").isEqualTo(4);
  }
}
