package dev.agegate.gateway.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two gateway processes on one audit folder (a second start by mistake, an overlapping restart):
 * each would continue the chain from its own idea of the head, and the log would break for good.
 * The second is refused, before it writes anything.
 */
class AuditLogTwoProcessesTest {
  @TempDir
  Path dir;

  @Test
  void open_folderInUseByAnotherProcess_refusedWithoutTouchingTheLog() throws Exception {
    Process other = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), AuditLogHolder.class.getName(), dir.toString())
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(other.getInputStream(), StandardCharsets.UTF_8));
      assertThat(out.readLine()).as("the other process opened the log").isEqualTo("open");
      Path segment = dir.resolve(AuditLog.segmentName(1));
      byte[] before = Files.readAllBytes(segment);

      assertThatThrownBy(() -> AuditLog.open(dir, Clock.systemUTC()).close())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("in use by another");
      assertThat(Files.readAllBytes(segment)).as("the refused open wrote nothing").isEqualTo(before);
    } finally {
      other.getOutputStream().close();
      assertThat(other.waitFor(60, TimeUnit.SECONDS)).as("the other process ended").isTrue();
    }
    assertThat(other.exitValue()).isZero();
    // once the other process closed the log, this one continues it, and the chain holds
    try (AuditLog log = AuditLog.open(dir, Clock.systemUTC())) {
      log.record("check.created", Map.of("site", "this-process"));
    }
    AuditVerifier.Result r = AuditVerifier.verify(dir, null, false, List.of());
    assertThat(r.problem()).isNull();
  }

  @Test
  void open_folderOpenInThisProcess_refusedUntilClosed() {
    AuditLog first = AuditLog.open(dir, Clock.systemUTC());
    try {
      assertThatThrownBy(() -> AuditLog.open(dir, Clock.systemUTC()).close())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("in use by another");
    } finally {
      first.close();
    }
    AuditLog.open(dir, Clock.systemUTC()).close();
  }
}
