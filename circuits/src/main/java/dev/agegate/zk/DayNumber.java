package dev.agegate.zk;

import java.time.LocalDate;
import java.time.temporal.ChronoUnit;

/**
 * The circuit's dates: days since 1900-01-01 (day 0), at most {@link #MAX} (2258-11-11), the
 * range every day is checked to in the circuit. Same as Go's {@code days} package.
 */
public final class DayNumber {
  /** Day 0. */
  public static final LocalDate EPOCH = LocalDate.of(1900, 1, 1);

  /** The largest representable day, 2^17 - 1. */
  public static final int MAX = (1 << 17) - 1;

  private DayNumber() {}

  /**
   * The day number of {@code d}.
   *
   * @throws IllegalArgumentException if {@code d} is before 1900-01-01 or after 2258-11-11
   */
  public static int of(LocalDate d) {
    long n = ChronoUnit.DAYS.between(EPOCH, d);
    if (n < 0 || n > MAX) {
      throw new IllegalArgumentException("date " + d + " outside 1900-01-01.." + toDate(MAX));
    }
    return (int) n;
  }

  /** The date of day number {@code day}. */
  public static LocalDate toDate(int day) {
    return EPOCH.plusDays(day);
  }
}
