package dev.agegate.scaleout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agegate.testsupport.RedisServers;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Redis stopped under two gateways: every request that needs the shared state is 503
 * problem+json with Retry-After (never a 500, never a verdict), the nodes stay up and recover
 * by themselves when Redis is back, and no nonce is ever verified twice: a response verified
 * before the outage is refused after it, and one first posted during it is verified once after.
 * The test's own redis-server (AOF, fsync always) on a free port is killed and restarted; the
 * shared one is not touched.
 */
class RedisOutageIT {
  @Test
  void gateways_redisKilledAndRestarted_503ThenRecoverNeverVerifyingTwice() throws Exception {
    Fixture f = Fixture.get();
    Path dir = f.work.resolve("redis-outage-" + UUID.randomUUID().toString().substring(0, 8));
    try (RedisServers.Private redis = new RedisServers.Private(GatewayProcess.freePort(), dir)) {
      redis.start();
      int portA = GatewayProcess.freePort();
      String publicUrl = "http://127.0.0.1:" + portA;
      try (GatewayProcess a = GatewayProcess.start("outage-A", portA, f.node("A", redis.uri(), "agegate:", publicUrl), dir);
          GatewayProcess b = GatewayProcess.start("outage-B", GatewayProcess.freePort(), f.node("B", redis.uri(), "agegate:", publicUrl), dir)) {
        Wallet.Check before = Wallet.create(a.url(), null);
        Wallet.Request qBefore = Wallet.fetch(b.url(), before);
        String vpBefore = Wallet.prove(qBefore);
        assertThat(Wallet.respond(a.url(), before, vpBefore, qBefore.state()).status()).isEqualTo(200);

        Wallet.Check during = Wallet.create(b.url(), null);
        Wallet.Request qDuring = Wallet.fetch(a.url(), during);
        String vpDuring = Wallet.prove(qDuring);

        redis.kill();
        for (String node : new String[] {a.url(), b.url()}) {
          assertProblem503(HttpRequest.newBuilder(URI.create(node + "/v1/checks/" + during.tx())).GET());
          assertProblem503(HttpRequest.newBuilder(URI.create(node + "/v1/checks")).header("Origin", Fixture.ORIGIN)
              .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                  "{\"site\":\"demo-shop\",\"code_challenge\":\"" + "a".repeat(43) + "\",\"code_challenge_method\":\"S256\"}")));
          Wallet.Resp r = Wallet.respond(node, during, vpDuring, qDuring.state());
          assertThat(r.status()).as(r.body()).isEqualTo(503);
          assertThat(r.contentType()).isEqualTo("application/problem+json");
          Wallet.Resp replay = Wallet.respond(node, before, vpBefore, qBefore.state());
          assertThat(replay.status()).as(replay.body()).isEqualTo(503);
        }
        assertThat(a.alive() && b.alive()).as("both gateways survive the outage").isTrue();

        redis.start();
        for (GatewayProcess g : new GatewayProcess[] {a, b}) {
          long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
          int status = 0;
          while (System.nanoTime() < until && status != 200) {
            status = Wallet.get(g.url() + "/v1/checks/" + during.tx()).status();
            if (status != 200) {
              Thread.sleep(100);
            }
          }
          assertThat(status).as(g.name + " recovers by itself").isEqualTo(200);
        }
        Wallet.Resp replay = Wallet.respond(b.url(), before, vpBefore, qBefore.state());
        assertThat(replay.status()).as("verified before the outage: never again; " + replay.body()).isEqualTo(409);
        Wallet.Resp first = Wallet.respond(b.url(), during, vpDuring, qDuring.state());
        assertThat(first.status()).as(first.body()).isEqualTo(200);
        assertThat(Wallet.respond(a.url(), during, vpDuring, qDuring.state()).status()).isEqualTo(409);
        assertThat(Wallet.redeem(a.url(), before).status()).isEqualTo(200);
        assertThat(Wallet.redeem(b.url(), during).status()).isEqualTo(200);
      }
    }
  }

  private static void assertProblem503(HttpRequest.Builder b) throws Exception {
    HttpResponse<String> r = Wallet.HTTP.send(b.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
    assertThat(r.headers().firstValue("Content-Type")).contains("application/problem+json");
    assertThat(r.headers().firstValue("Retry-After")).isPresent();
    assertThat(r.body()).contains("\"status\":503");
  }
}
