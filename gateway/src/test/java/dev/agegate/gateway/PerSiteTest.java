package dev.agegate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.agegate.gateway.config.Settings;
import dev.agegate.testsupport.MutableClock;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the gateway does per site, over real HTTP with real proofs: the per-site creation limit,
 * and the pseudonym ({@code psn}), present only for sites that opted in and different at each
 * site for one person. Sites: {@code shop} (pseudonym), {@code other-shop} (none) and
 * {@code third-shop} (pseudonym). Each test starts in a fresh limit window (the gateway's clock
 * moved past it), so the tests pass in any order.
 */
@ServerTest
class PerSiteTest {
  static final String THIRD_ORIGIN = "https://third.example";
  static final int SITE_PERMITS = 2;
  static final Duration WINDOW = Duration.ofHours(1);
  static final MutableClock CLOCK = MutableClock.ticking();
  static Gateway gateway;
  private final Api api;

  PerSiteTest(Http1Client client) {
    this.api = new Api(client);
  }

  @SetUpRoute
  static void routing(HttpRouting.Builder routing) {
    String yaml = TestGateways.yaml(TestGateways.freshDataDir(), """
          limits:
            per-ip:
              permits: 100000
            per-site:
              permits: %d
              window: %s
        """.formatted(SITE_PERMITS, WINDOW));
    String third = "    - id: third-shop\n      origins: [\"" + THIRD_ORIGIN + "\"]\n      min-age: 18\n      pseudonym: true\n";
    yaml = yaml.replace("      time-zone: Pacific/Kiritimati\n", "      time-zone: Pacific/Kiritimati\n" + third);
    gateway = Gateway.create(Settings.from(TestGateways.config(yaml)), CLOCK, v -> v);
    Main.routing(routing, gateway);
  }

  @AfterAll
  static void close() {
    gateway.close();
  }

  @BeforeEach
  void freshWindow() {
    CLOCK.advance(WINDOW.plusSeconds(1));
  }

  @Test
  void create_beyondPerSiteLimit_429ForThatSiteOnlyUntilTheWindowEnds() {
    for (int i = 0; i < SITE_PERMITS; i++) {
      Api.Resp r = api.create("shop", 18, TestGateways.SHOP_ORIGIN);
      assertThat(r.status()).as("permit %d: %s", i + 1, r.body()).isEqualTo(201);
    }
    Api.Resp over = api.create("shop", 18, TestGateways.SHOP_ORIGIN);
    assertThat(over.status()).as(over.body()).isEqualTo(429);
    assertThat(over.reason()).isEqualTo("rate_limited");
    assertThat(over.contentType()).isEqualTo("application/problem+json");
    assertThat(over.headers().first(io.helidon.http.HeaderNames.RETRY_AFTER)).isPresent();

    Api.Resp other = api.create("other-shop", 18, TestGateways.OTHER_ORIGIN);
    assertThat(other.status()).as("another site has its own limit: %s", other.body()).isEqualTo(201);

    CLOCK.advance(WINDOW.plusSeconds(1));
    Api.Resp next = api.create("shop", 18, TestGateways.SHOP_ORIGIN);
    assertThat(next.status()).as("the next window: %s", next.body()).isEqualTo(201);
  }

  @Test
  void token_siteNotOptedIn_noPseudonym() throws Exception {
    JWTClaimsSet t = token("other-shop", TestGateways.OTHER_ORIGIN);
    assertThat(t.getAudience()).containsExactly("other-shop");
    assertThat(t.getClaims()).doesNotContainKey("psn");
    assertThat(token("shop", TestGateways.SHOP_ORIGIN).getStringClaim("psn")).as("the opted-in site in the same run")
        .matches("[A-Za-z0-9_-]{43}");
  }

  @Test
  void token_samePersonAtTwoOptedInSites_differentPseudonyms() throws Exception {
    String atShop = token("shop", TestGateways.SHOP_ORIGIN).getStringClaim("psn");
    String atThird = token("third-shop", THIRD_ORIGIN).getStringClaim("psn");
    assertThat(atShop).matches("[A-Za-z0-9_-]{43}");
    assertThat(atThird).matches("[A-Za-z0-9_-]{43}").isNotEqualTo(atShop);
    assertThat(token("shop", TestGateways.SHOP_ORIGIN).getStringClaim("psn")).as("stable at one site").isEqualTo(atShop);
  }

  /** The fixture's holder proves for {@code site}; the site's page (its origin) redeems the token. */
  private JWTClaimsSet token(String site, String origin) throws Exception {
    Api.Started s = api.start(site, 18, origin);
    Api.Resp posted = api.respond(s.requestId(), Api.prove(s), s.state());
    assertThat(posted.status()).as(posted.body()).isEqualTo(200);
    Api.Resp token = api.postJson("/v1/checks/" + s.tx() + "/token", "{\"code_verifier\":\"" + Api.VERIFIER + "\"}", origin);
    assertThat(token.status()).as(token.body()).isEqualTo(200);
    return SignedJWT.parse(token.json().getString("token")).getJWTClaimsSet();
  }
}
