package dev.agegate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agegate.testsupport.MutableClock;
import dev.agegate.testsupport.RedisServers;
import dev.agegate.zk.Issuers;
import dev.agegate.zk.TrustLists;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Trust roots shared through the store, as an attacker or a hurried operator meets them
 * (helper "review2"): a node believes another node's announcement of a root no longer than it
 * would announce one itself, so lowering {@code agegate.trust.grace} (to retire a compromised
 * issuer now) is not undone by what the store still holds from the old grace; and an entry
 * whose document does not make its root is never accepted.
 */
class SharedTrustRootsTest {
  final MutableClock clock = MutableClock.ticking();

  @Test
  void accepted_rootRetiredUnderALongGraceThenTheGraceLowered_notAcceptedFromTheStoreBeyondTheNodesOwnGrace()
      throws Exception {
    Path dir = Files.createDirectories(Fixture.DIR.resolve("grace-lowered-" + System.nanoTime()));
    Path fileA = dir.resolve("a.json");
    Path fileB = dir.resolve("b.json");
    byte[] old = Fixture.get().trustList;
    byte[] next = TrustLists.build(List.of(Issuers.publicPart(Issuers.newIssuer(3))));
    String oldRoot = TrustLists.root(old).toHex();
    Files.write(fileA, old);
    Files.write(fileB, next);
    String redis = RedisServers.shared();
    String prefix = "agegate-trust-test:" + UUID.randomUUID().toString().substring(0, 8) + ":";
    try (TestNode a = TestNode.start(clock, v -> v, "", "file: %s\n    grace: PT1H\n    reload-interval: PT1S".formatted(fileA),
        redis, prefix)) {
      Files.write(fileA, next);
      Files.setLastModifiedTime(fileA, FileTime.from(Instant.now().plusSeconds(5)));
      a.gateway.trust.reload(); // announces the old root for its hour of grace
      assertThat(a.gateway.trust.accepted(oldRoot)).as("in A's own grace").isPresent();
      // The operator lowers the grace to retire the old root now; a node started with it:
      try (TestNode b = TestNode.start(clock, v -> v, "", "file: %s\n    grace: PT0S\n    reload-interval: PT1S".formatted(fileB),
          redis, prefix)) {
        assertThat(b.gateway.trust.accepted(oldRoot)).as("an hour's announcement is beyond B's own grace and reload").isEmpty();
        assertThat(b.api.get("/v1/trust-list?root=" + oldRoot).status()).isEqualTo(404);
      }
    }
  }

  @Test
  void accepted_storeEntryWhoseDocumentMakesAnotherRoot_refused() throws Exception {
    String redis = RedisServers.shared();
    String prefix = "agegate-trust-test:" + UUID.randomUUID().toString().substring(0, 8) + ":";
    try (TestNode n = TestNode.start(clock, v -> v, "", "file: " + Fixture.get().trustFile, redis, prefix);
        redis.clients.jedis.Jedis j = new redis.clients.jedis.Jedis(java.net.URI.create(redis))) {
      byte[] forged = TrustLists.build(List.of(Issuers.publicPart(Issuers.newIssuer(3))));
      String claimed = "ab".repeat(32);
      j.psetex(prefix + "t:" + claimed, 60_000, new String(forged, java.nio.charset.StandardCharsets.UTF_8));
      assertThat(n.gateway.trust.accepted(claimed)).isEmpty();
      assertThat(n.api.get("/v1/trust-list?root=" + claimed).status()).isEqualTo(404);
    }
  }
}
