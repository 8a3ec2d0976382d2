package dev.agegate.gateway.tokens;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Private key files: owner-only from their first byte, atomic, never a reused temporary file, loose modes refused. */
class KeyFilesTest {
  @TempDir
  Path dir;

  @AfterEach
  void unhook() {
    KeyFiles.tempCreated = p -> { };
  }

  /** What each temporary file looked like the moment it existed: before any byte of the key was written. */
  record Seen(Path file, String mode, long size) {}

  private List<Seen> watchTempFiles() {
    List<Seen> seen = new CopyOnWriteArrayList<>();
    KeyFiles.tempCreated = p -> {
      try {
        seen.add(new Seen(p, PosixFilePermissions.toString(Files.getPosixFilePermissions(p)), Files.size(p)));
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    };
    return seen;
  }

  @Test
  void pseudonymSecret_tempFileAtCreation_ownerOnlyEmptyRandomNameInSameFolder() throws Exception {
    List<Seen> seen = watchTempFiles();
    Pseudonyms.open(dir);
    assertThat(seen).hasSize(1);
    Seen s = seen.get(0);
    assertThat(s.mode()).isEqualTo("rw-------");
    assertThat(s.size()).isZero();
    assertThat(s.file().getParent()).isEqualTo(dir);
    assertThat(s.file().getFileName().toString()).startsWith(".pseudonym.key.").endsWith(".tmp")
        .isNotEqualTo("pseudonym.key.tmp");
    assertThat(Files.exists(s.file())).isFalse();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("pseudonym.key")))).isEqualTo("rw-------");
  }

  @Test
  void signingKey_tempFileAtCreation_ownerOnlyEmpty_folderOwnerOnly() throws Exception {
    List<Seen> seen = watchTempFiles();
    SigningKeys keys = SigningKeys.open(List.of(), dir, Duration.ofDays(30), Clock.systemUTC());
    List<Seen> pem = seen.stream().filter(s -> s.file().getFileName().toString().contains(".pem.")).toList();
    assertThat(pem).hasSize(1);
    assertThat(pem.get(0).mode()).isEqualTo("rw-------");
    assertThat(pem.get(0).size()).isZero();
    Path keysDir = dir.resolve("signing-keys");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keysDir))).isEqualTo("rwx------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keysDir.resolve(keys.currentKid() + ".pem"))))
        .isEqualTo("rw-------");
    try (Stream<Path> left = Files.list(keysDir)) {
      assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
    }
  }

  @Test
  void writePrivate_failureAfterCreate_tempFileRemovedTargetUntouched() throws Exception {
    Files.writeString(dir.resolve("k"), "old");
    Files.setPosixFilePermissions(dir.resolve("k"), KeyFiles.OWNER_ONLY);
    KeyFiles.tempCreated = p -> {
      throw new IllegalStateException("disk full");
    };
    assertThatThrownBy(() -> KeyFiles.writePrivate(dir, "k", new byte[] {1, 2, 3})).hasMessageContaining("disk full");
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("k");
    }
    assertThat(Files.readString(dir.resolve("k"))).isEqualTo("old");
  }

  @Test
  void writePrivate_existingTarget_replacedWhole() throws Exception {
    KeyFiles.writePrivate(dir, "k", "first".getBytes());
    KeyFiles.writePrivate(dir, "k", "second".getBytes());
    assertThat(Files.readString(dir.resolve("k"))).isEqualTo("second");
    assertThat(Files.getPosixFilePermissions(dir.resolve("k"))).isEqualTo(Set.copyOf(KeyFiles.OWNER_ONLY));
  }

  @Test
  void requireOwnerOnly_groupWritable_refused() throws Exception {
    Path f = dir.resolve("k");
    Files.writeString(f, "x");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw--w----"));
    assertThatThrownBy(() -> KeyFiles.requireOwnerOnly(f)).hasMessageContaining("rw--w----").hasMessageContaining("chmod 600");
  }

  @Test
  void forceDirectory_folder_noError() throws Exception {
    KeyFiles.forceDirectory(dir);
    try (FileChannel ch = FileChannel.open(dir.resolve("f"), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(new byte[] {1}));
    }
  }
}
