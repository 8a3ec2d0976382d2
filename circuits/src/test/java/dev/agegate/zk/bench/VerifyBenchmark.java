package dev.agegate.zk.bench;

import dev.agegate.zk.DevKeys;
import dev.agegate.zk.FieldElement;
import dev.agegate.zk.Holders;
import dev.agegate.zk.Issuers;
import dev.agegate.zk.Prover;
import dev.agegate.zk.PublicInputs;
import dev.agegate.zk.TrustLists;
import dev.agegate.zk.Verifier;
import dev.agegate.zk.ZkStatus;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Verification and proving through JNA, to compare with Go's {@code go test -bench} figures.
 *
 * <p>Run: {@code mvn -pl circuits -Pbench test -DskipTests} (keys in circuits/target/test-keys,
 * made if missing). {@code -Djmh.args="-f 1 -wi 2 -i 5"} shortens it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class VerifyBenchmark {
  Verifier verifier;
  Prover prover;
  byte[] proof;
  PublicInputs inputs;
  byte[] credential;
  byte[] holder;
  byte[] trust;
  Prover.ProofRequest request;

  @Setup
  public void setup() throws Exception {
    Path keys = Path.of(System.getProperty("agegate.keys", "target/test-keys"));
    DevKeys.ensure(keys);
    verifier = Verifier.load(keys.resolve(DevKeys.VERIFYING_KEY));
    prover = Prover.load(keys.resolve(DevKeys.PROVING_KEY));
    byte[] issuer = Issuers.newIssuer(3);
    trust = TrustLists.build(List.of(Issuers.publicPart(issuer)));
    holder = Holders.newHolder();
    credential = Issuers.issue(issuer, Holders.commitment(holder), LocalDate.of(1990, 1, 1), LocalDate.of(2025, 1, 1), LocalDate.of(2030, 1, 1));
    LocalDate today = LocalDate.of(2026, 11, 28);
    request = new Prover.ProofRequest(today, 18, 2, "bench-nonce", "http://localhost:8090", "demo-shop");
    Prover.Proof p = prover.prove(credential, holder, trust, request);
    proof = p.proof();
    FieldElement root = TrustLists.root(trust);
    inputs = PublicInputs.of(root, today, 18, 2, "bench-nonce", "http://localhost:8090", "demo-shop", p.nullifier());
    if (verifier.verify(proof, inputs) != ZkStatus.OK) {
      throw new IllegalStateException("benchmark proof does not verify");
    }
  }

  @TearDown
  public void tearDown() {
    verifier.close();
    prover.close();
  }

  /** Verification through JNA, public inputs computed on the Java side as a gateway does. */
  @Benchmark
  public ZkStatus jnaVerify() {
    return verifier.verify(proof, inputs);
  }

  /** Native proving through JNA. */
  @Benchmark
  @Warmup(iterations = 1, time = 2)
  @Measurement(iterations = 3, time = 3)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public Prover.Proof jnaProve() {
    return prover.prove(credential, holder, trust, request);
  }
}
