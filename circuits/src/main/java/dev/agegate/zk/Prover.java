package dev.agegate.zk;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Objects;

/**
 * Makes age proofs with one proving key, loaded once into the native library. For Java wallets,
 * tests and load tools. Thread-safe; a proof takes a few hundred milliseconds of CPU.
 */
public final class Prover implements AutoCloseable {
  private final long handle;

  private Prover(long handle) {
    this.handle = handle;
  }

  /** What a verifier asks: every value comes from its request object. */
  public record ProofRequest(
      LocalDate today, int minAge, int minAssurance, String nonce, String audience, String siteId) {
    public ProofRequest {
      Objects.requireNonNull(today, "today");
      Objects.requireNonNull(nonce, "nonce");
      Objects.requireNonNull(audience, "audience");
      Objects.requireNonNull(siteId, "siteId");
    }
  }

  /** A 256-byte proof and the nullifier it commits to. */
  public record Proof(byte[] proof, FieldElement nullifier) {}

  /**
   * Loads a raw proving key (pk.bin), which may come from an untrusted place: the native library
   * checks every length prefix and count against the compiled circuit before decoding, so a
   * hostile key is refused instead of making the process allocate what it claims.
   *
   * @throws ZkException {@link ZkStatus#KEY_INVALID} if it is not a proving key of the age circuit
   */
  public static Prover load(byte[] pkBytes) {
    long[] h = new long[1];
    ZkException.check(NativeLib.proverLoad(Objects.requireNonNull(pkBytes), h), "loading the proving key");
    return new Prover(h[0]);
  }

  /** Loads a proving key from a file. */
  public static Prover load(Path pkFile) {
    try {
      return load(Files.readAllBytes(pkFile));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read proving key " + pkFile, e);
    }
  }

  /**
   * Proves a request from a wallet's files (JSON formats of circuits/README.md).
   *
   * @throws ZkException {@link ZkStatus#UNSATISFIABLE} when the credential cannot meet the request;
   *     {@link ZkStatus#ARGUMENT_INVALID} for malformed files
   */
  public Proof prove(byte[] credentialJson, byte[] holderJson, byte[] trustListJson, ProofRequest req) {
    String request =
        "{\"today\":\"%s\",\"min_age\":%d,\"min_assurance\":%d,\"nonce\":%s,\"audience\":%s,\"site\":%s}"
            .formatted(req.today(), req.minAge(), req.minAssurance(), quote(req.nonce()), quote(req.audience()), quote(req.siteId()));
    byte[] proof = new byte[NativeLib.PROOF_SIZE];
    byte[] nullifier = new byte[FieldElement.SIZE];
    ZkException.check(
        NativeLib.prove(handle, credentialJson, holderJson, trustListJson, request.getBytes(StandardCharsets.UTF_8), proof, nullifier),
        "proving");
    return new Proof(proof, FieldElement.fromBytes(nullifier));
  }

  /** A JSON string literal. */
  static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }

  /** Frees the native key. Idempotent. */
  @Override
  public void close() {
    NativeLib.free(handle);
  }
}
