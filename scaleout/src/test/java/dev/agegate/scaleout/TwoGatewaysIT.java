package dev.agegate.scaleout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agegate.testsupport.RedisServers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Two gateway processes (A, B) on the shared Redis: a check made on one node is completed on
 * the other, a response raced to both is verified once, and a node killed mid-flow loses
 * nothing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TwoGatewaysIT {
  final Fixture f = Fixture.get();
  String redis;
  String prefix;
  String publicUrl;
  GatewayProcess a;
  GatewayProcess b;

  @BeforeAll
  void start() throws Exception {
    redis = RedisServers.shared();
    prefix = "agegate-it:" + UUID.randomUUID().toString().substring(0, 8) + ":";
    int portA = GatewayProcess.freePort();
    publicUrl = "http://127.0.0.1:" + portA;
    a = GatewayProcess.start("two-A", portA, f.node("A", redis, prefix, publicUrl), f.work);
    b = GatewayProcess.start("two-B", GatewayProcess.freePort(), f.node("B", redis, prefix, publicUrl), f.work);
  }

  @AfterAll
  void stop() throws Exception {
    if (a != null) {
      a.close();
    }
    if (b != null) {
      b.close();
    }
  }

  @Test
  void flow_createdOnA_fetchedAnsweredRedeemedOnB_sseOnASeesVerified() throws Exception {
    Wallet.Check c = Wallet.create(a.url(), null);
    try (Sse sse = new Sse(a.url(), c.tx())) {
      assertThat(sse.await("pending", Duration.ofSeconds(10))).as("first event on A").isTrue();
      Wallet.Request q = Wallet.fetch(b.url(), c);
      assertThat(sse.await("scanned", Duration.ofSeconds(10))).as("A hears the scan made on B: %s", sse.statuses).isTrue();
      Wallet.Resp r = Wallet.respond(b.url(), c, Wallet.prove(q), q.state());
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      assertThat(sse.await("verified", Duration.ofSeconds(10))).as("A hears the verification on B: %s", sse.statuses).isTrue();
    }
    Wallet.Resp t = Wallet.redeem(b.url(), c);
    assertThat(t.status()).as(t.body()).isEqualTo(200);
    String token = Wallet.field(t.body(), "token");
    String claims = new String(java.util.Base64.getUrlDecoder().decode(token.split("\\.")[1]));
    assertThat(Wallet.field(claims, "iss")).isEqualTo(publicUrl);
    assertThat(Wallet.get(a.url() + "/.well-known/jwks.json").body())
        .as("one signing key for the cluster").isEqualTo(Wallet.get(b.url() + "/.well-known/jwks.json").body());
    Wallet.Resp polled = Wallet.get(a.url() + "/v1/checks/" + c.tx());
    assertThat(polled.body()).contains("\"status\":\"verified\"").contains("\"redeemed\":true");
    assertThat(Wallet.redeem(a.url(), c).status()).as("a token is issued once across nodes").isEqualTo(409);
  }

  @Test
  void respond_sameResponseToAAndBAtOnce_acceptedOnce() throws Exception {
    for (int round = 0; round < 3; round++) {
      Wallet.Check c = Wallet.create(round % 2 == 0 ? a.url() : b.url(), null);
      Wallet.Request q = Wallet.fetch(a.url(), c);
      String vp = Wallet.prove(q);
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Wallet.Resp>> all = new ArrayList<>();
      try (ExecutorService ex = Executors.newFixedThreadPool(8)) {
        for (int i = 0; i < 8; i++) {
          String node = i % 2 == 0 ? a.url() : b.url();
          all.add(ex.submit(() -> {
            go.await();
            return Wallet.respond(node, c, vp, q.state());
          }));
        }
        go.countDown();
      }
      List<Integer> statuses = new ArrayList<>();
      for (Future<Wallet.Resp> r : all) {
        statuses.add(r.get().status());
      }
      assertThat(statuses).as("round %d", round).containsOnlyOnce(200).containsOnly(200, 409);
      assertThat(Wallet.redeem(b.url(), c).status()).isEqualTo(200);
    }
  }

  @Test
  void flow_nodeKilledAfterScan_completesOnOther() throws Exception {
    GatewayProcess c3 = GatewayProcess.start("two-C", GatewayProcess.freePort(), f.node("C", redis, prefix, publicUrl), f.work);
    Wallet.Check c;
    Wallet.Request q;
    try {
      c = Wallet.create(c3.url(), null);
      q = Wallet.fetch(c3.url(), c);
    } finally {
      c3.kill();
    }
    assertThat(c3.alive()).isFalse();
    try (Sse sse = new Sse(b.url(), c.tx())) {
      assertThat(sse.await("scanned", Duration.ofSeconds(10))).as("the scan on the dead node survived").isTrue();
      Wallet.Resp r = Wallet.respond(b.url(), c, Wallet.prove(q), q.state());
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      assertThat(sse.await("verified", Duration.ofSeconds(10))).isTrue();
    }
    assertThat(Wallet.redeem(a.url(), c).status()).isEqualTo(200);
  }

  /**
   * A node killed at the two points of a response that matter, each reached on an event (the
   * node's Redis traffic goes through a proxy that freezes the chosen command): X after the node
   * took the claim and verified, with its verdict never reaching Redis; Y after Redis stored the
   * verdict, with the reply never reaching the node. The wallets retry on the other node, as
   * behind a load balancer: X is verified there once the dead node's claim lapses, Y is answered
   * 409 while its check is verified. Every flow ends with one token: lost 0; no replay or second
   * redemption is accepted: duplicated 0.
   */
  @Test
  void flow_nodeKilledBetweenClaimAndVerdictOrBeforeItsReply_lostZeroDuplicatedZero() throws Exception {
    java.net.URI r = java.net.URI.create(redis);
    try (HoldingProxy proxy = new HoldingProxy(r.getPort() < 0 ? 6379 : r.getPort())) {
      java.util.Map<String, String> props = new java.util.LinkedHashMap<>(f.node("V", proxy.uri(), prefix, publicUrl));
      props.put("agegate.verify.timeout", "PT2S"); // its claims lapse 2 s + 3 s after they are taken
      GatewayProcess victim = GatewayProcess.start("two-V", GatewayProcess.freePort(), props, f.work);
      List<Wallet.Check> flows = new ArrayList<>();
      List<Wallet.Request> requests = new ArrayList<>();
      List<String> vps = new ArrayList<>();
      List<Future<Wallet.Outcome>> outcomes = new ArrayList<>();
      try (ExecutorService ex = Executors.newFixedThreadPool(2)) {
        for (int i = 0; i < 2; i++) {
          Wallet.Check c = Wallet.create(victim.url(), null);
          Wallet.Request q = Wallet.fetch(victim.url(), c);
          flows.add(c);
          requests.add(q);
          vps.add(Wallet.prove(q));
        }
        HoldingProxy.Rule verdictNeverStored = proxy.holdCommand(flows.get(0).tx(), "\"status\":\"VERIFIED\"");
        HoldingProxy.Rule replyNeverRead = proxy.holdReply(flows.get(1).tx(), "\"status\":\"VERIFIED\"");
        List<String> nodes = List.of(victim.url(), b.url());
        for (int i = 0; i < 2; i++) {
          int k = i;
          outcomes.add(ex.submit(() -> Wallet.respondRetrying(nodes, flows.get(k), vps.get(k), requests.get(k).state())));
        }
        assertThat(verdictNeverStored.awaitHeld(30)).as("X verified on V, its verdict on the way to Redis").isTrue();
        assertThat(replyNeverRead.awaitHeld(30)).as("Y's verdict stored, its reply on the way to V").isTrue();
        victim.kill();
        assertThat(victim.alive()).isFalse();

        int lost = 0;
        int duplicated = 0;
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
          Wallet.Outcome o = outcomes.get(i).get(60, java.util.concurrent.TimeUnit.SECONDS);
          seen.add(o.last().status() + " after " + o.attempts() + (o.connectionLost() ? " (connection lost)" : ""));
          assertThat(o.connectionLost()).as("flow %d: the kill cut the wallet's connection", i).isTrue();
          Wallet.Resp token = Wallet.redeem(b.url(), flows.get(i));
          if (token.status() != 200) {
            lost++;
          }
          if (Wallet.respond(b.url(), flows.get(i), vps.get(i), requests.get(i).state()).status() == 200) {
            duplicated++;
          }
          if (Wallet.redeem(a.url(), flows.get(i)).status() == 200) {
            duplicated++;
          }
          seen.add(Wallet.get(a.url() + "/v1/checks/" + flows.get(i).tx()).body());
        }
        assertThat(lost).as("lost flows: %s", seen).isZero();
        assertThat(duplicated).as("duplicated: %s", seen).isZero();
        assertThat(seen.get(0)).as("X: verified on B once V's claim lapsed").startsWith("200");
        assertThat(seen.get(2)).as("Y: B says it already had its response").startsWith("409");
        assertThat(seen.get(1)).contains("\"status\":\"verified\"");
        assertThat(seen.get(3)).contains("\"status\":\"verified\"");
      } finally {
        victim.close();
      }
    }
  }
}
