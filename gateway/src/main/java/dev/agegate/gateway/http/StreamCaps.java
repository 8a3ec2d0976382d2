package dev.agegate.gateway.http;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Caps on the event streams open on this node: per check, per client address and in total
 * ({@code agegate.limits.event-streams}). {@link #open} takes a slot in all three or none and
 * refuses with 429 {@code rate_limited} (per check, per address) or 503 {@code overloaded} (in
 * total); the slot is given back by closing the {@link Slot}, exactly once. Thread-safe.
 */
public final class StreamCaps {
  /** Seconds a refused client is told to wait. */
  static final long RETRY_AFTER_SECONDS = 5;

  private final int perCheck;
  private final int perAddress;
  private final int total;
  private final ConcurrentHashMap<String, AtomicInteger> byCheck = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, AtomicInteger> byAddress = new ConcurrentHashMap<>();
  private final AtomicInteger open = new AtomicInteger();

  public StreamCaps(int perCheck, int perAddress, int total) {
    this.perCheck = perCheck;
    this.perAddress = perAddress;
    this.total = total;
  }

  /** One open stream's slot; closing it more than once is harmless. */
  public final class Slot implements AutoCloseable {
    private final String check;
    private final String address;
    private boolean closed;

    private Slot(String check, String address) {
      this.check = check;
      this.address = address;
    }

    @Override
    public synchronized void close() {
      if (!closed) {
        closed = true;
        release(byCheck, check);
        release(byAddress, address);
        open.decrementAndGet();
      }
    }
  }

  /**
   * Takes a slot for a stream of {@code check} from {@code address}.
   *
   * @throws Problem 429 when the check or the address has its cap open, 503 when the node has
   */
  public Slot open(String check, String address) {
    if (open.incrementAndGet() > total) {
      open.decrementAndGet();
      throw new Problem(Reason.OVERLOADED, "too many event streams open at this gateway; poll the check instead", RETRY_AFTER_SECONDS);
    }
    if (!acquire(byCheck, check, perCheck)) {
      open.decrementAndGet();
      throw new Problem(Reason.RATE_LIMITED, "too many event streams open for this check", RETRY_AFTER_SECONDS);
    }
    if (!acquire(byAddress, address, perAddress)) {
      release(byCheck, check);
      open.decrementAndGet();
      throw new Problem(Reason.RATE_LIMITED, "too many event streams open from this address", RETRY_AFTER_SECONDS);
    }
    return new Slot(check, address);
  }

  /** Streams open now (for tests and metrics). */
  public int openStreams() {
    return open.get();
  }

  private static boolean acquire(ConcurrentHashMap<String, AtomicInteger> m, String key, int cap) {
    boolean[] ok = {false};
    m.compute(key, (k, n) -> {
      AtomicInteger c = n == null ? new AtomicInteger() : n;
      if (c.get() < cap) {
        c.incrementAndGet();
        ok[0] = true;
      }
      return c.get() == 0 ? null : c;
    });
    return ok[0];
  }

  private static void release(ConcurrentHashMap<String, AtomicInteger> m, String key) {
    m.computeIfPresent(key, (k, n) -> n.decrementAndGet() <= 0 ? null : n);
  }
}
