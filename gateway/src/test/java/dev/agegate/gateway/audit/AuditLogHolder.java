package dev.agegate.gateway.audit;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

/**
 * A second process for {@link AuditLogTwoProcessesTest}: opens the audit log in {@code args[0]},
 * writes one record, prints {@code open} and keeps the log open until its standard input ends.
 */
public final class AuditLogHolder {
  private AuditLogHolder() {}

  public static void main(String[] args) throws Exception {
    try (AuditLog log = AuditLog.open(Path.of(args[0]), Clock.systemUTC())) {
      log.record("check.created", Map.of("site", "other-process"));
      System.out.println("open");
      System.out.flush();
      System.in.readAllBytes();
    }
  }
}
