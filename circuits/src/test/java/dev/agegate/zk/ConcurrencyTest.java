package dev.agegate.zk;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Many threads verifying through JNA while the JVM collects garbage hard: no crash, every result right. */
class ConcurrencyTest {
  static final int THREADS = 8;
  static final int PER_THREAD = 500;

  @Test
  void verify_8threadsUnderGcPressure_everyResultRight() throws Exception {
    TestWallet w = new TestWallet();
    try (Verifier verifier = Verifier.load(TestWallet.read(DevKeys.VERIFYING_KEY));
        Prover prover = Prover.load(TestWallet.read(DevKeys.PROVING_KEY))) {
      Prover.Proof proof = prover.prove(w.credential(LocalDate.of(1990, 1, 1)), w.holder, w.trust, w.request(18));
      PublicInputs good = w.inputs(18, proof.nullifier());
      PublicInputs bad = w.inputs(21, proof.nullifier());
      byte[] corrupt = proof.proof().clone();
      corrupt[100] ^= 1;
      AtomicInteger wrong = new AtomicInteger();
      ExecutorService pool = Executors.newFixedThreadPool(THREADS + 1);
      try {
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
          futures.add(pool.submit(() -> {
            for (int i = 0; i < PER_THREAD; i++) {
              ZkStatus expected;
              ZkStatus got;
              switch (i % 3) {
                case 0 -> { expected = ZkStatus.OK; got = verifier.verify(proof.proof(), good); }
                case 1 -> { expected = ZkStatus.PROOF_INVALID; got = verifier.verify(proof.proof(), bad); }
                default -> { expected = ZkStatus.PROOF_MALFORMED; got = verifier.verify(corrupt, good); }
              }
              if (got != expected) {
                wrong.incrementAndGet();
              }
            }
          }));
        }
        Future<?> garbage = pool.submit(() -> {
          List<byte[]> keep = new ArrayList<>();
          while (!Thread.currentThread().isInterrupted()) {
            keep.add(new byte[64 << 10]);
            if (keep.size() > 256) {
              keep.clear();
              System.gc();
            }
          }
        });
        for (Future<?> f : futures) {
          f.get();
        }
        garbage.cancel(true);
      } finally {
        pool.shutdownNow();
      }
      assertEquals(0, wrong.get(), "verifications with a wrong result out of " + THREADS * PER_THREAD);
    }
  }
}
