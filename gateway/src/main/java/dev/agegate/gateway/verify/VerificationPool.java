package dev.agegate.gateway.verify;

import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A bounded pool of platform threads for native verification: a native call pins a virtual
 * thread's carrier, so request threads hand the work here and wait. At most {@code threads}
 * run at once and {@code queue} wait; beyond that {@link #run} refuses at once
 * ({@link OverloadedException#queueFull()}). A task that has not finished within the timeout is
 * given up ({@link OverloadedException#timedOut()}): if it had not started it never runs, if it
 * had its result is dropped. Either way the caller knows that no result of it will be used.
 */
public final class VerificationPool implements AutoCloseable {
  private final ThreadPoolExecutor executor;
  private final Duration timeout;

  /** Thrown when the queue is full or the task did not finish in time. */
  public static final class OverloadedException extends Exception {
    private static final long serialVersionUID = 1L;
    private final boolean timedOut;

    OverloadedException(String message, boolean timedOut) {
      super(message, null, false, false);
      this.timedOut = timedOut;
    }

    /** The queue was full: the task was never queued. */
    public boolean queueFull() {
      return !timedOut;
    }

    /** The task was queued but did not finish in time (or the waiting thread was interrupted). */
    public boolean timedOut() {
      return timedOut;
    }
  }

  public VerificationPool(int threads, int queue, Duration timeout) {
    AtomicInteger n = new AtomicInteger();
    this.executor = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS,
        new ArrayBlockingQueue<>(queue), r -> {
          Thread t = new Thread(r, "agegate-verify-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        }, new ThreadPoolExecutor.AbortPolicy());
    this.timeout = timeout;
  }

  /**
   * Runs {@code task} on the pool and waits for it.
   *
   * @throws OverloadedException if the queue is full or the task took longer than the timeout
   *     (a queued task is then cancelled; a running one completes in the background, unused)
   */
  public <T> T run(Callable<T> task) throws OverloadedException {
    Future<T> f;
    try {
      f = executor.submit(task);
    } catch (RejectedExecutionException e) {
      throw new OverloadedException("verification queue full", false);
    }
    try {
      return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      f.cancel(false);
      executor.remove((Runnable) f); // frees its queue slot now
      throw new OverloadedException("verification took longer than " + timeout, true);
    } catch (InterruptedException e) {
      f.cancel(false);
      Thread.currentThread().interrupt();
      throw new OverloadedException("interrupted", true);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  /** How long {@link #run} waits for a task. */
  public Duration timeout() {
    return timeout;
  }

  /** Whether the queue is full, so that a new verification would be refused now. */
  public boolean full() {
    return executor.getQueue().remainingCapacity() == 0;
  }

  @Override
  public void close() {
    executor.shutdown();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
