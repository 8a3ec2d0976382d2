package dev.agegate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.SignedJWT;
import dev.agegate.gateway.audit.AuditLog;
import dev.agegate.gateway.store.ReplyDroppingProxy;
import dev.agegate.testsupport.MutableClock;
import dev.agegate.testsupport.RedisServers;
import dev.agegate.zk.Issuers;
import dev.agegate.zk.TrustLists;
import jakarta.json.JsonObject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * Gateways on Redis when Redis misbehaves: a reply lost after the write, a Redis that refuses
 * writes (out of memory), a Redis that is down (health), and two gateways whose trust lists
 * disagree for a while.
 */
class RedisGatewayTest {
  final MutableClock clock = MutableClock.ticking();

  static String prefix() {
    return "agegate-gw-test:" + UUID.randomUUID().toString().substring(0, 8) + ":";
  }

  static long auditLines(TestNode n, String event, String tx) throws Exception {
    long count = 0;
    try (var segments = Files.list(n.gateway.settings().auditDir())) {
      for (Path seg : segments.filter(Files::isRegularFile).toList()) {
        count += Files.readAllLines(seg, StandardCharsets.UTF_8).stream()
            .filter(l -> l.contains("\"event\":\"" + event + "\"") && l.contains(AuditLog.ref(tx))).count();
      }
    }
    return count;
  }

  @Test
  void respondAndRedeem_redisReplyLostAfterTheWrite_200AndAuditedAsWhatReallyHappened() throws Exception {
    URI shared = URI.create(RedisServers.shared());
    try (ReplyDroppingProxy proxy = new ReplyDroppingProxy(shared.getPort() < 0 ? 6379 : shared.getPort());
        TestNode n = TestNode.start(clock, v -> v, "", "file: " + Fixture.get().trustFile, proxy.uri(), prefix())) {
      Api.Started s = n.api.start("shop", 18, TestGateways.SHOP_ORIGIN);
      String vp = Api.prove(s);
      proxy.arm("\"status\":\"VERIFIED\"");
      Api.Resp r = n.api.respond(s.requestId(), vp, s.state());
      assertThat(proxy.awaitDrop(5)).as("the verdict's reply was dropped").isTrue();
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      assertThat(auditLines(n, "check.verified", s.tx())).isEqualTo(1);
      proxy.arm("\"redeemed\":true");
      Api.Resp t = n.api.redeem(s.tx(), Api.VERIFIER);
      assertThat(proxy.awaitDrop(5)).as("the redemption's reply was dropped").isTrue();
      assertThat(t.status()).as(t.body()).isEqualTo(200);
      assertThat(t.json().getString("token")).isNotBlank();
      assertThat(n.api.redeem(s.tx(), Api.VERIFIER).reason()).isEqualTo("already_redeemed");
    }
  }

  @Test
  void respondAndCreate_redisOutOfMemory_503ProblemThenTheRetryVerifies() throws Exception {
    try (RedisServers.Private redis = RedisServers.start(); Jedis admin = new Jedis("127.0.0.1", redis.port);
        TestNode n = TestNode.start(clock, v -> v, "", "file: " + Fixture.get().trustFile, redis.uri(), prefix())) {
      Api.Started s = n.api.start("shop", 18, TestGateways.SHOP_ORIGIN);
      String vp = Api.prove(s);
      admin.configSet("maxmemory", "1");
      Api.Resp r = n.api.respond(s.requestId(), vp, s.state());
      assertThat(r.status()).as(r.body()).isEqualTo(503);
      assertThat(r.contentType()).startsWith("application/problem+json");
      assertThat(r.reason()).isEqualTo("overloaded");
      Api.Resp c = n.api.create("shop", 18, TestGateways.SHOP_ORIGIN);
      assertThat(c.status()).as(c.body()).isEqualTo(503);
      assertThat(c.contentType()).startsWith("application/problem+json");
      admin.configSet("maxmemory", "0");
      Api.Resp retry = n.api.respond(s.requestId(), vp, s.state());
      assertThat(retry.status()).as(retry.body()).isEqualTo(200);
    }
  }

  @Test
  void health_redisDownThenBack_503WithStoreDownThen204() throws Exception {
    try (RedisServers.Private redis = RedisServers.start();
        TestNode n = TestNode.start(clock, v -> v, "", "file: " + Fixture.get().trustFile, redis.uri(), prefix())) {
      assertThat(n.admin.get("/health").status()).isEqualTo(204);
      redis.kill();
      Api.Resp down = n.admin.get("/health");
      assertThat(down.status()).isEqualTo(503);
      Api.Resp ready = n.admin.get("/health/ready");
      assertThat(ready.status()).isEqualTo(503);
      assertThat(ready.json().getJsonObject("checks").getString("store")).isEqualTo("DOWN");
      assertThat(n.admin.get("/health/live").status()).as("alive, only not ready").isEqualTo(204);
      redis.restart();
      assertThat(n.admin.get("/health").status()).isEqualTo(204);
    }
  }

  @Test
  void flow_checkMadeOnAGatewayWithANewTrustList_answeredOnOneThatHasNotReloaded() throws Exception {
    Path dir = Files.createDirectories(Fixture.DIR.resolve("shared-trust-" + System.nanoTime()));
    Path fileA = dir.resolve("a.json");
    Path fileB = dir.resolve("b.json");
    Files.write(fileA, Fixture.get().trustList);
    Files.write(fileB, Fixture.get().trustList);
    String redis = RedisServers.shared();
    String prefix = prefix();
    String trust = "file: %s\n    reload-interval: PT1H";
    try (TestNode a = TestNode.start(clock, v -> v, "", trust.formatted(fileA), redis, prefix);
        TestNode b = TestNode.start(clock, v -> v, "", trust.formatted(fileB), redis, prefix)) {
      byte[] next = TrustLists.build(List.of(Issuers.publicPart(Fixture.get().issuer), Issuers.publicPart(Issuers.newIssuer(3))));
      String nextRoot = TrustLists.root(next).toHex();
      Files.write(fileA, next);
      Files.setLastModifiedTime(fileA, FileTime.from(Instant.now().plusSeconds(5)));
      a.gateway.trust.reload();
      assertThat(b.gateway.trust.current().rootHex()).as("B has not looked at its file").isNotEqualTo(nextRoot);

      Api.Resp created = a.api.create("shop", 18, TestGateways.SHOP_ORIGIN);
      assertThat(created.status()).as(created.body()).isEqualTo(201);
      JsonObject cj = created.json();
      String requestId = cj.getString("request_uri").substring(cj.getString("request_uri").lastIndexOf('/') + 1);
      Api.Resp ro = b.api.get("/v1/requests/" + requestId);
      assertThat(ro.status()).as(ro.body()).isEqualTo(200);
      Api.Started s = new Api.Started(cj.getString("transaction_id"), requestId, cj, SignedJWT.parse(ro.body()));
      assertThat(s.claims().getJsonObject("agegate").getString("issuer_root")).isEqualTo(nextRoot);

      Api.Resp list = b.api.get("/v1/trust-list?root=" + nextRoot);
      assertThat(list.status()).as("the wallet fetches the check's list from the lagging node: %s", list.body()).isEqualTo(200);
      assertThat(list.body().getBytes(StandardCharsets.UTF_8)).isEqualTo(next);

      Api.Resp r = b.api.respond(requestId, Api.prove(s, next), s.state());
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      assertThat(b.api.redeem(s.tx(), Api.VERIFIER).status()).isEqualTo(200);
      assertThat(b.api.get("/v1/trust-list?root=" + "ab".repeat(32)).status()).as("an unknown root").isEqualTo(404);
    }
  }
}
