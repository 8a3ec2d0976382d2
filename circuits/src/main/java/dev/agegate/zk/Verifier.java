package dev.agegate.zk;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.regex.Pattern;

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
  private static final Pattern FINGERPRINT = Pattern.compile("[0-9a-f]{64}");

  private final long handle;
  private final String fingerprint;

  private Verifier(long handle, String fingerprint) {
    this.handle = handle;
    this.fingerprint = fingerprint;
  }

  /**
   * Loads a raw verifying key (vk.bin). The native library refuses, before decoding, any length
   * but the one of this circuit's key and any length prefix other than this circuit's; a key
   * from an untrusted place should still be pinned: {@link #load(byte[], String)}.
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

  /**
   * Loads a raw verifying key only if its fingerprint is {@code pinnedFingerprint}. The bytes are
   * hashed here, in Java, before any of them reaches the native library: a key from an untrusted
   * place is parsed only when it is the pinned one.
   *
   * @param pinnedFingerprint 64 lower-case hex digits (the SHA-256 of the expected vk.bin)
   * @throws IllegalArgumentException if the pin is not 64 lower-case hex digits
   * @throws ZkException {@link ZkStatus#KEY_INVALID} if the key's fingerprint is another one (the
   *     message names both) or it is not a verifying key of the age circuit
   */
  public static Verifier load(byte[] vkBytes, String pinnedFingerprint) {
    Objects.requireNonNull(vkBytes, "vkBytes");
    if (pinnedFingerprint == null || !FINGERPRINT.matcher(pinnedFingerprint).matches()) {
      throw new IllegalArgumentException(
          "pinned fingerprint '" + pinnedFingerprint + "' is not 64 lower-case hex digits");
    }
    String actual = fingerprintOf(vkBytes);
    if (!actual.equals(pinnedFingerprint)) {
      throw new ZkException(
          ZkStatus.KEY_INVALID,
          "the verifying key has fingerprint " + actual + ", not the pinned " + pinnedFingerprint);
    }
    return load(vkBytes);
  }

  /** Loads a verifying key from a file. */
  public static Verifier load(Path vkFile) {
    return load(read(vkFile));
  }

  /** Loads a verifying key from a file if its fingerprint is the pinned one: see {@link #load(byte[], String)}. */
  public static Verifier load(Path vkFile, String pinnedFingerprint) {
    return load(read(vkFile), pinnedFingerprint);
  }

  private static byte[] read(Path vkFile) {
    try {
      return Files.readAllBytes(vkFile);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read verifying key " + vkFile, e);
    }
  }

  /**
   * The fingerprint of a raw verifying key, computed without parsing it: the lower-case hex
   * SHA-256 of the bytes, the value {@link #fingerprint()} reports once it is loaded.
   */
  public static String fingerprintOf(byte[] vkBytes) {
    Objects.requireNonNull(vkBytes, "vkBytes");
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(vkBytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
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
