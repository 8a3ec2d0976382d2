package dev.agegate.gateway.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agegate.gateway.tokens.AgeTokens;
import dev.agegate.gateway.tokens.Pseudonyms;
import dev.agegate.gateway.tokens.SigningKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When the log reaches the disk: checkpoints under {@code never}, and a force that fails. */
class AuditLogForceTest {
  @TempDir
  Path data;
  AuditLog.Signer signer;

  @BeforeEach
  void keys() {
    SigningKeys keys = SigningKeys.open(List.of(), data, Duration.ofDays(30), Clock.systemUTC());
    AgeTokens tokens = new AgeTokens("https://gw.example", keys, Pseudonyms.open(data));
    signer = claims -> tokens.sign(AuditLog.CHECKPOINT_TYPE, claims);
  }

  @AfterEach
  void unhook() {
    AuditLog.beforeForce = () -> { };
  }

  @Test
  void never_checkpointsAndRotationsStillForced() {
    AuditLog.Options never = new AuditLog.Options(AuditLog.Force.NEVER, Duration.ofSeconds(1), 4096, Duration.ofDays(1));
    try (AuditLog log = AuditLog.open(data.resolve("audit"), never, signer, Clock.systemUTC())) {
      log.record("check.created", Map.of("site", "shop"));
      assertThat(log.forces()).as("a record alone is left to the system").isZero();
      log.checkpoint();
      assertThat(log.forces()).as("a checkpoint is forced, as the policy says").isEqualTo(1);
      while (log.segment() == 1) {
        log.record("check.rejected", Map.of("site", "shop", "reason", "proof_invalid"));
      }
      // The new segment is forced into place and links to the old one's head: that head, and
      // the rotation checkpoint, must be on disk before it.
      assertThat(log.forces()).isEqualTo(2);
    }
  }

  @Test
  void record_forceFails_thisRecordAndEveryLaterOneRefused() {
    try (AuditLog log = AuditLog.open(data.resolve("audit"), AuditLog.Options.defaults(), signer, Clock.systemUTC())) {
      log.record("check.created", Map.of("site", "shop"));
      AtomicBoolean failOnce = new AtomicBoolean(true);
      AuditLog.beforeForce = () -> {
        if (failOnce.getAndSet(false)) {
          throw new IOException("EIO (a failing disk)");
        }
      };
      assertThatThrownBy(() -> log.record("check.verified", Map.of("site", "shop")))
          .isInstanceOf(UncheckedIOException.class);
      // The disk answers again, but what the failed force covered may be gone from it: a later
      // force that succeeds must not count those records as durable.
      assertThatThrownBy(() -> log.record("token.issued", Map.of("site", "shop")))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("refuses");
    }
  }
}
