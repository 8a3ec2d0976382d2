package dev.agegate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agegate.gateway.config.Site;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code agegate-gateway audit verify} as an operator runs it: a separate JVM through
 * {@link Main}, on the log a real gateway wrote and closed, its exit status the verdict.
 */
class AuditVerifyCommandTest {
  record Run(int exit, String output) {}

  @Test
  void auditVerify_gatewaysOwnLog_valid0_tampered1WithPosition_badUsage2() throws Exception {
    Gateway g = TestGateways.create(Clock.systemUTC(), v -> v, "");
    Site shop = g.settings().site("shop").orElseThrow();
    g.checks().create(shop, 18, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", null);
    g.close();
    Path audit = g.settings().auditDir();
    Path segment = audit.resolve("audit-000001.jsonl");
    List<String> lines = Files.readAllLines(segment);
    assertThat(lines).hasSize(3);
    assertThat(lines.get(2)).contains("\"event\":\"audit.closed\"").contains("\"jws\":");

    Run ok = java("audit", "verify", audit.toString());
    assertThat(ok.exit()).as(ok.output()).isZero();
    assertThat(ok.output()).contains("valid: 3 records in 1 segments, 1 checkpoints, signed up to seq 2");

    List<String> edited = new ArrayList<>(lines);
    edited.set(1, edited.get(1).replace("\"min_age\":18", "\"min_age\":13"));
    Files.write(segment, edited, StandardCharsets.UTF_8);
    Run broken = java("audit", "verify", audit.toString(), "--keys", g.settings().dataDir().resolve("signing-keys").toString());
    assertThat(broken.exit()).as(broken.output()).isEqualTo(1);
    assertThat(broken.output()).contains("BROKEN at audit-000001.jsonl line 3 (seq 2)");

    Run usage = java("audit", "check", audit.toString());
    assertThat(usage.exit()).isEqualTo(2);
    assertThat(usage.output()).contains("usage: agegate-gateway audit verify DIR");
  }

  private static Run java(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), Main.class.getName()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the command finished").isTrue();
    return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }
}
