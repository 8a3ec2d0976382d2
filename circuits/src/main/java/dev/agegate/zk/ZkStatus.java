package dev.agegate.zk;

/**
 * Status codes of the native library. Keep in sync with the Status constants in
 * {@code circuits/native/main.go}: the ordinal is not used, {@link #code()} is.
 */
public enum ZkStatus {
  /** Success; for a verification, the proof is valid. */
  OK(0),
  /** A well-formed proof that does not verify against these public inputs. */
  PROOF_INVALID(1),
  /** Wrong length, coordinates out of range, points off the curve or outside their subgroup. */
  PROOF_MALFORMED(2),
  /** Public inputs of the wrong length, or an element not strictly below the field modulus. */
  INPUT_MALFORMED(3),
  /** A key that does not decode or is not for the age circuit. */
  KEY_INVALID(4),
  /** A handle that was never issued or was already closed. */
  HANDLE_INVALID(5),
  /** An output buffer too small; the binding retries with the size the library reports. */
  BUFFER_TOO_SMALL(6),
  /** A missing or malformed argument (bad JSON, bad date, null buffer). */
  ARGUMENT_INVALID(7),
  /** The credential cannot satisfy the request (too young, expired, untrusted issuer, ...). */
  UNSATISFIABLE(8),
  /** A failure inside the library (a recovered panic); never a verdict on a proof. */
  INTERNAL(9);

  private final int code;

  ZkStatus(int code) {
    this.code = code;
  }

  /** The native status code. */
  public int code() {
    return code;
  }

  /** Maps a native code to its status; an unknown code is {@link #INTERNAL}. */
  public static ZkStatus of(int code) {
    for (ZkStatus s : values()) {
      if (s.code == code) {
        return s;
      }
    }
    return INTERNAL;
  }
}
