package dev.agegate.gateway.tokens;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two starts on one data folder that both find no pseudonym secret (two processes started at
 * once, or a restart overlapping the old one): the one that writes second must not replace the
 * secret the first already uses, or the first gateway hands out pseudonyms that no later start
 * reproduces.
 */
class PseudonymsRaceTest {
  @TempDir
  Path dir;

  @AfterEach
  void unhook() {
    KeyFiles.tempCreated = p -> { };
  }

  @Test
  void open_secondStartWritesWhileTheFirstIsWriting_bothUseTheSecretOnDisk() throws Exception {
    byte[] nullifier = new byte[32];
    nullifier[0] = 7;
    AtomicReference<Pseudonyms> other = new AtomicReference<>();
    // The first start has checked that no secret exists and made its temporary file; now the
    // other start runs from the same check to the end (the seam fires only once).
    KeyFiles.tempCreated = p -> {
      KeyFiles.tempCreated = q -> { };
      other.set(Pseudonyms.open(dir));
    };
    Pseudonyms first = Pseudonyms.open(dir);
    assertThat(other.get()).isNotNull();
    Pseudonyms restarted = Pseudonyms.open(dir);

    String expected = restarted.of("shop", nullifier);
    assertThat(other.get().of("shop", nullifier)).as("the start that wrote first").isEqualTo(expected);
    assertThat(first.of("shop", nullifier)).as("the start that wrote second").isEqualTo(expected);
    try (var files = Files.list(dir)) {
      assertThat(files.map(f -> f.getFileName().toString())).containsExactly(Pseudonyms.FILE);
    }
  }
}
