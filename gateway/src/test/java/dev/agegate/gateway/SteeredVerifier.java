package dev.agegate.gateway;

import dev.agegate.gateway.family.zk.ProofVerifier;
import dev.agegate.zk.PublicInputs;
import dev.agegate.zk.ZkStatus;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The real verifier with a test's hand on it: it counts calls, can throw once, and can hold
 * calls until the test lets them go (each call tells {@link #entered} first).
 */
final class SteeredVerifier implements ProofVerifier {
  final ProofVerifier inner;
  final AtomicInteger calls = new AtomicInteger();
  final AtomicInteger finished = new AtomicInteger();
  final AtomicReference<RuntimeException> failNext = new AtomicReference<>();
  final Semaphore entered = new Semaphore(0);
  volatile CountDownLatch hold;

  SteeredVerifier(ProofVerifier inner) {
    this.inner = inner;
  }

  @Override
  public ZkStatus verify(byte[] proof, PublicInputs inputs) {
    calls.incrementAndGet();
    // Read before telling the test: a test that clears hold once a call entered still holds that call.
    CountDownLatch h = hold;
    entered.release();
    try {
      RuntimeException fail = failNext.getAndSet(null);
      if (fail != null) {
        throw fail;
      }
      if (h != null) {
        try {
          if (!h.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the test never let the verification go");
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
      }
      return inner.verify(proof, inputs);
    } finally {
      finished.incrementAndGet();
      synchronized (this) {
        notifyAll();
      }
    }
  }

  /** Waits until {@code n} calls have returned (or thrown). */
  synchronized void awaitFinished(int n) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (finished.get() < n) {
      long left = until - System.nanoTime();
      if (left <= 0) {
        throw new IllegalStateException("only " + finished.get() + " of " + n + " verifications returned");
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
  }

  @Override
  public String fingerprint() {
    return inner.fingerprint();
  }

  @Override
  public void close() {
    inner.close();
  }
}
