package dev.agegate.gateway.metrics;

import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Metrics;
import io.helidon.metrics.api.Timer;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The gateway's meters, in Helidon's registry (served by {@code /metrics} in Prometheus
 * format): {@code agegate_checks_total{outcome,reason}} for created, verified, rejected and
 * redeemed checks, and {@code agegate_verification_seconds{family}} (histogram) for a
 * presentation family's verification alone (its time on the verification pool's thread, without
 * the queue). Thread-safe.
 */
public final class GatewayMetrics {
  private static final Duration[] BUCKETS = {
      Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(3), Duration.ofMillis(5),
      Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100),
      Duration.ofMillis(250), Duration.ofSeconds(1)};

  private final MeterRegistry registry;
  private final ConcurrentHashMap<String, Timer> verifications = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Counter> counters = new ConcurrentHashMap<>();

  public GatewayMetrics() {
    this.registry = Metrics.globalRegistry();
  }

  /** Counts one check outcome ({@code created}, {@code verified}, {@code rejected}, {@code redeemed}); reason may be "none". */
  public void outcome(String outcome, String reason) {
    counters.computeIfAbsent(outcome + "/" + reason, k -> registry.getOrCreate(
        Counter.builder("agegate.checks")
            .description("Age checks by outcome and reason")
            .tags(Metrics.tags("outcome", outcome, "reason", reason)))).increment();
  }

  /** Records one verification's duration by the family {@code family} ({@code agegate-zk}, {@code mso_mdoc}). */
  public void verification(String family, Duration d) {
    verificationTimer(family).record(d);
  }

  /** The histogram of {@code family}'s verifications, made on first use (a gateway makes its families' at start). */
  public Timer verificationTimer(String family) {
    return verifications.computeIfAbsent(family, f -> registry.getOrCreate(Timer.builder("agegate.verification")
        .description("Presentation verification time, by family")
        .tags(Metrics.tags("family", f))
        .buckets(BUCKETS)));
  }
}
