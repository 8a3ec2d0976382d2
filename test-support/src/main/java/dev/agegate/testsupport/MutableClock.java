package dev.agegate.testsupport;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock tests move by hand, so expiry is tested without sleeping. Thread-safe. Two kinds:
 * {@link #MutableClock(Instant) frozen} at an instant (time moves only when the test moves it), or
 * {@link #ticking() ticking}: real time plus an offset the test moves. Both kinds answer
 * {@link #advance}, {@link #set} and {@link #offset}. Always UTC.
 */
public final class MutableClock extends Clock {

  /** The instant the offset is added to; null for a ticking clock (real time). */
  private final Instant origin;
  private final AtomicReference<Duration> offset = new AtomicReference<>(Duration.ZERO);

  /** A frozen clock that reads {@code start} until the test moves it. */
  public MutableClock(Instant start) {
    this.origin = Objects.requireNonNull(start, "start");
  }

  private MutableClock() {
    this.origin = null;
  }

  /** Real time plus an offset (zero at first) that the test moves. */
  public static MutableClock ticking() {
    return new MutableClock();
  }

  /** Moves the clock by {@code d} (forward when positive). */
  public void advance(Duration d) {
    Objects.requireNonNull(d, "d");
    offset.updateAndGet(o -> o.plus(d));
  }

  /** Makes the clock read {@code instant} now (a ticking clock goes on ticking from there). */
  public void set(Instant instant) {
    Objects.requireNonNull(instant, "instant");
    offset.set(Duration.between(base(), instant));
  }

  /** How far the test has moved the clock from its start (or from real time, when ticking). */
  public Duration offset() {
    return offset.get();
  }

  private Instant base() {
    return origin == null ? Instant.now() : origin;
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }

  @Override
  public Instant instant() {
    return base().plus(offset.get());
  }
}
