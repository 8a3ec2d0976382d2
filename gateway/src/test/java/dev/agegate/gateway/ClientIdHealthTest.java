package dev.agegate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agegate.testsupport.MutableClock;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import io.helidon.webserver.testing.junit5.Socket;
import jakarta.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A configured client id chain is checked at start and then watched: {@code /health} says how
 * long it lasts, {@code EXPIRES_SOON} in its last {@value dev.agegate.gateway.metrics.HealthService#EXPIRY_WARNING_DAYS}
 * days, and past its end the gateway is not ready (503), since every wallet refuses request
 * objects signed under an expired certificate. The gateway's clock moves; the chain does not.
 */
@ServerTest
class ClientIdHealthTest {
  static final MutableClock CLOCK = MutableClock.ticking();
  static Gateway gateway;
  static Instant leafEnds;
  private final Api admin;

  ClientIdHealthTest(@Socket("admin") Http1Client admin) {
    this.admin = new Api(admin);
  }

  static synchronized Gateway gateway() {
    if (gateway == null) {
      try {
        ClientIdTest.Pki p = new ClientIdTest.Pki();
        leafEnds = p.now.plus(Duration.ofDays(60));
        String chain = "  client-id:\n    certificate-chain: "
            + p.chain(p.leaf(p.signing.getPublic(), ClientIdTest.HOST, p.now.minus(Duration.ofDays(1)), leafEnds), p.ca)
            + "\n  tokens:\n    signing-keys: [\"" + p.signingPem + "\"]\n";
        gateway = TestGateways.create(CLOCK, v -> v, chain);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
    return gateway;
  }

  @SetUpRoute
  static void routing(HttpRouting.Builder routing) {
    Main.routing(routing, gateway());
  }

  @SetUpRoute("admin")
  static void admin(HttpRouting.Builder routing) {
    Main.adminRouting(routing, gateway());
  }

  @AfterAll
  static void close() {
    gateway.close();
  }

  @Test
  void health_followsTheChainToItsEnd() {
    JsonObject now = ready(200);
    assertThat(now.getString("client_id_certificate")).isEqualTo("UP");
    // the leaf's notAfter, whole seconds (X.509 time), the earliest of the chain (the CA lasts a year)
    assertThat(Instant.parse(now.getString("client_id_certificate_valid_until")))
        .isBetween(leafEnds.minusSeconds(1), leafEnds);

    CLOCK.set(leafEnds.minus(Duration.ofDays(10)));
    assertThat(ready(200).getString("client_id_certificate")).isEqualTo("EXPIRES_SOON");

    CLOCK.set(leafEnds.plusSeconds(1));
    assertThat(ready(503).getString("client_id_certificate")).as("not ready: wallets refuse it").isEqualTo("EXPIRED");
    assertThat(admin.get("/health").status()).isEqualTo(503);
  }

  private JsonObject ready(int status) {
    Api.Resp r = admin.get("/health/ready");
    assertThat(r.status()).as(r.body()).isEqualTo(status);
    return r.json().getJsonObject("checks");
  }
}
