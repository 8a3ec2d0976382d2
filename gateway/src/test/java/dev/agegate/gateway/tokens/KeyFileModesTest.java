package dev.agegate.gateway.tokens;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Key file behaviour seen only through the public API (so these also run against older code):
 * a planted temporary file never receives a secret, loose modes are refused, and a key's age
 * is not its file's time stamp.
 */
class KeyFileModesTest {
  @TempDir
  Path dir;

  @Test
  void pseudonyms_plantedWorldReadableTempFile_secretNeverWrittenIntoIt() throws Exception {
    // Someone who can write the folder plants the fixed temporary name, world-readable, and
    // keeps it open: a writer that reuses the name hands them the secret.
    Path planted = dir.resolve("pseudonym.key.tmp");
    Files.createFile(planted, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-rw-rw-")));
    try (FileChannel spy = FileChannel.open(planted, StandardOpenOption.READ)) {
      Pseudonyms.open(dir);
      ByteBuffer b = ByteBuffer.allocate(64);
      assertThat(spy.read(b, 0)).isLessThanOrEqualTo(0);
    }
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("pseudonym.key")))).isEqualTo("rw-------");
  }

  @Test
  void pseudonyms_groupReadableSecret_refusedNamingFileAndFix() throws Exception {
    Pseudonyms.open(dir);
    Path f = dir.resolve("pseudonym.key");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r-----"));
    assertThatThrownBy(() -> Pseudonyms.open(dir))
        .hasMessageContaining(f.toString()).hasMessageContaining("rw-r-----").hasMessageContaining("chmod 600");
  }

  @Test
  void signingKeys_worldReadablePem_refusedNamingFile() throws Exception {
    SigningKeys k = SigningKeys.open(List.of(), dir, Duration.ofDays(30), Clock.systemUTC());
    Path f = dir.resolve("signing-keys").resolve(k.currentKid() + ".pem");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
    assertThatThrownBy(() -> SigningKeys.open(List.of(), dir, Duration.ofDays(30), Clock.systemUTC()))
        .hasMessageContaining(f.toString()).hasMessageContaining("chmod 600");
    assertThatThrownBy(() -> SigningKeys.open(List.of(f), dir, Duration.ofDays(30), Clock.systemUTC()))
        .hasMessageContaining(f.toString()).hasMessageContaining("chmod 600");
  }

  @Test
  void signingKeys_fileTimeStampMovedBack_keyAgeUnchangedNoRotation() throws Exception {
    SigningKeys k = SigningKeys.open(List.of(), dir, Duration.ofDays(30), Clock.systemUTC());
    String kid = k.currentKid();
    Path keysDir = dir.resolve("signing-keys");
    // A restore from backup, a copy or `touch -d` changes the time stamp, not the key's age.
    Files.setLastModifiedTime(keysDir.resolve(kid + ".pem"), FileTime.from(Instant.now().minus(Duration.ofDays(90))));
    SigningKeys again = SigningKeys.open(List.of(), dir, Duration.ofDays(30), Clock.systemUTC());
    assertThat(again.currentKid()).isEqualTo(kid);
    assertThat(again.publicJwks().getKeys()).extracting(j -> j.getKeyID()).containsExactly(kid);
    try (Stream<Path> pems = Files.list(keysDir)) {
      assertThat(pems.filter(p -> p.toString().endsWith(".pem")).count()).isEqualTo(1);
    }
  }
}
