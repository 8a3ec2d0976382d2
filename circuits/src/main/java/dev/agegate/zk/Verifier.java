package dev.agegate.zk;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;

/**
 * Verifies age proofs against one verifying key, loaded once into the native library and held
 * behind a handle.
 *
 * <p>Thread-safe: any number of threads may call {@link #verify} at once. A verification is a
 * blocking native call of about a millisecond that pins a virtual thread's carrier, so servers
 * should run it on a bounded pool of platform threads. After {@link #close()}, {@link #verify}
 * returns {@link ZkStatus#HANDLE_INVALID}; it never touches freed memory.
 */
public final class Verifier implements AutoCloseable {
  private final long handle;
  private final String fingerprint;

  private Verifier(long handle, String fingerprint) {
    this.handle = handle;
    this.fingerprint = fingerprint;
  }

  /**
   * Loads a raw verifying key (vk.bin).
   *
   * @throws ZkException {@link ZkStatus#KEY_INVALID} if it is not a verifying key of the age circuit
   */
  public static Verifier load(byte[] vkBytes) {
    Objects.requireNonNull(vkBytes, "vkBytes");
    long[] h = new long[1];
    ZkException.check(NativeLib.verifierLoad(vkBytes, h), "loading the verifying key");
    byte[] fp = new byte[NativeLib.FINGERPRINT_HEX];
    ZkStatus s = NativeLib.fingerprint(h[0], fp);
    if (s != ZkStatus.OK) {
      NativeLib.free(h[0]);
      throw new ZkException(s, "reading the verifying key's fingerprint");
    }
    return new Verifier(h[0], new String(fp, StandardCharsets.US_ASCII));
  }

  /** Loads a verifying key from a file. */
  public static Verifier load(Path vkFile) {
    try {
      return load(Files.readAllBytes(vkFile));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read verifying key " + vkFile, e);
    }
  }

  /** The lower-case hex SHA-256 of the raw verifying key. */
  public String fingerprint() {
    return fingerprint;
  }

  /**
   * Verifies a 256-byte proof against public inputs. Never throws for bad proof bytes: a proof of
   * the wrong size is {@link ZkStatus#PROOF_MALFORMED} without a native call.
   *
   * @return {@link ZkStatus#OK} only for a valid proof; otherwise why not
   */
  public ZkStatus verify(byte[] proof, PublicInputs inputs) {
    Objects.requireNonNull(inputs, "inputs");
    return verifyEncoded(proof, inputs.encode());
  }

  /**
   * Verifies a proof against the 224-byte wire form of the public inputs, for callers that hold
   * inputs as bytes. An element {@code >= r} is {@link ZkStatus#INPUT_MALFORMED}.
   */
  public ZkStatus verifyEncoded(byte[] proof, byte[] inputs) {
    if (proof == null || proof.length != NativeLib.PROOF_SIZE) {
      return ZkStatus.PROOF_MALFORMED;
    }
    if (inputs == null || inputs.length != PublicInputs.SIZE) {
      return ZkStatus.INPUT_MALFORMED;
    }
    return NativeLib.verify(handle, proof, inputs);
  }

  /** Frees the native key. Idempotent. */
  @Override
  public void close() {
    NativeLib.free(handle);
  }
}
