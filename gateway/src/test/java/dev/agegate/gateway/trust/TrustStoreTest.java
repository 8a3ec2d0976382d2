package dev.agegate.gateway.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agegate.testsupport.MutableClock;
import dev.agegate.zk.Issuers;
import dev.agegate.zk.TrustLists;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrustStoreTest {
  @TempDir
  Path dir;

  static byte[] list(int issuers) {
    List<byte[]> pub = new java.util.ArrayList<>();
    for (int i = 0; i < issuers; i++) {
      pub.add(Issuers.publicPart(Issuers.newIssuer(2)));
    }
    return TrustLists.build(pub);
  }

  @Test
  void accepted_afterChange_previousRootOnlyWithinGrace() throws Exception {
    MutableClock clock = new MutableClock(Instant.now());
    Path f = dir.resolve("trust.json");
    byte[] first = list(1);
    Files.write(f, first);
    TrustStore store = new TrustStore(f, dir, Duration.ofHours(1), Duration.ofSeconds(1), clock);
    String oldRoot = store.current().rootHex();

    byte[] second = list(2);
    Files.write(f, second);
    Files.setLastModifiedTime(f, FileTime.from(Instant.now().plusSeconds(5)));
    store.reload();
    String newRoot = store.current().rootHex();
    assertThat(newRoot).isNotEqualTo(oldRoot).isEqualTo(TrustLists.root(second).toHex());
    assertThat(store.accepted(oldRoot)).isPresent();
    assertThat(store.accepted(newRoot)).isPresent();

    // a restart inside the grace period still accepts the previous root
    TrustStore restarted = new TrustStore(f, dir, Duration.ofHours(1), Duration.ofSeconds(1), clock);
    assertThat(restarted.accepted(oldRoot)).isPresent();

    clock.set(clock.instant().plus(Duration.ofHours(2)));
    assertThat(store.accepted(oldRoot)).isEmpty();
    assertThat(store.accepted(newRoot)).isPresent();
  }

  /**
   * Nobody calls {@link TrustStore#reload}: the store looks at the file by itself once the reload
   * interval has passed on its clock, and not before (so a file edited twice in quick succession
   * costs one read per interval, and a test sees the change without sleeping).
   */
  @Test
  void current_fileChanged_reloadedByItselfOnlyAfterTheInterval() throws Exception {
    MutableClock clock = new MutableClock(Instant.now());
    Path f = dir.resolve("trust.json");
    byte[] first = list(1);
    Files.write(f, first);
    TrustStore store = new TrustStore(f, dir, Duration.ofHours(1), Duration.ofSeconds(30), clock);
    String oldRoot = TrustLists.root(first).toHex();
    assertThat(store.current().rootHex()).isEqualTo(oldRoot);

    byte[] second = list(2);
    Files.write(f, second);
    Files.setLastModifiedTime(f, FileTime.from(Instant.now().plusSeconds(5)));
    clock.set(clock.instant().plusSeconds(29));
    assertThat(store.current().rootHex()).as("inside the interval the file is not looked at").isEqualTo(oldRoot);

    clock.set(clock.instant().plusSeconds(2));
    String newRoot = TrustLists.root(second).toHex();
    assertThat(store.accepted(newRoot)).as("past the interval the change is picked up").isPresent();
    assertThat(store.current().rootHex()).isEqualTo(newRoot);
    assertThat(store.accepted(oldRoot)).as("the previous root within its grace").isPresent();
  }

  @Test
  void reload_corruptFile_keepsLastGoodList() throws Exception {
    Path f = dir.resolve("trust.json");
    Files.write(f, list(1));
    TrustStore store = new TrustStore(f, dir, Duration.ofHours(1), Duration.ofSeconds(1), Clock.systemUTC());
    String root = store.current().rootHex();
    Files.writeString(f, "{\"type\":\"agegate-trust-list\"}");
    Files.setLastModifiedTime(f, FileTime.from(Instant.now().plusSeconds(5)));
    store.reload();
    assertThat(store.current().rootHex()).isEqualTo(root);
  }

  @Test
  void constructor_missingFile_failsNamingKeyAndFile() {
    Path f = dir.resolve("missing.json");
    assertThatThrownBy(() -> new TrustStore(f, dir, Duration.ofHours(1), Duration.ofSeconds(1), Clock.systemUTC()))
        .hasMessageContaining("agegate.trust.file").hasMessageContaining("missing.json");
  }
}
