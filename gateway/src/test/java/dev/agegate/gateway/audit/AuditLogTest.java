package dev.agegate.gateway.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditLogTest {
  @TempDir
  Path dir;

  @Test
  void verify_untouchedLogAcrossRestart_chainIntact() throws Exception {
    Path f = dir.resolve("audit.log");
    try (AuditLog log = AuditLog.open(f, Clock.systemUTC())) {
      log.record("check.created", Map.of("site", "shop", "min_age", 18));
      log.record("check.verified", Map.of("site", "shop"));
    }
    try (AuditLog log = AuditLog.open(f, Clock.systemUTC())) {
      log.record("token.issued", Map.of("site", "shop"));
    }
    List<String> lines = Files.readAllLines(f);
    assertThat(lines).hasSize(3);
    assertThat(lines.get(0)).contains("\"prev\":\"" + AuditLog.GENESIS + "\"");
    assertThat(AuditLog.verify(f)).isEqualTo(-1);
  }

  @Test
  void verify_editedLine_breaksAtTheNextLine() throws Exception {
    Path f = dir.resolve("audit.log");
    try (AuditLog log = AuditLog.open(f, Clock.systemUTC())) {
      for (int i = 0; i < 4; i++) {
        log.record("check.rejected", Map.of("site", "shop", "reason", "proof_invalid"));
      }
    }
    List<String> lines = Files.readAllLines(f);
    lines.set(1, lines.get(1).replace("proof_invalid", "proof_malformed"));
    Files.write(f, lines, StandardCharsets.UTF_8);
    assertThat(AuditLog.verify(f)).isEqualTo(2);
  }

  @Test
  void verify_removedLine_breaksChain() throws Exception {
    Path f = dir.resolve("audit.log");
    try (AuditLog log = AuditLog.open(f, Clock.systemUTC())) {
      for (int i = 0; i < 3; i++) {
        log.record("check.created", Map.of("n", i));
      }
    }
    List<String> lines = Files.readAllLines(f);
    lines.remove(1);
    Files.write(f, lines, StandardCharsets.UTF_8);
    assertThat(AuditLog.verify(f)).isEqualTo(1);
  }

  @Test
  void ref_transactionId_shortHashNotTheId() {
    assertThat(AuditLog.ref("XXJOizl7Je-guiwtNReTUw")).hasSize(16).doesNotContain("XXJO");
  }
}
