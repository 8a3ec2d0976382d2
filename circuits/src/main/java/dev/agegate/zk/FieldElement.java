package dev.agegate.zk;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * An element of the BN254 scalar field, held as its canonical encoding: 32 bytes, big-endian,
 * strictly below the modulus r. Construction refuses a value {@code >= r} instead of reducing
 * it, so one element has exactly one encoding. Immutable.
 */
public final class FieldElement {
  /** The BN254 scalar field modulus r. */
  public static final BigInteger MODULUS =
      new BigInteger(
          "21888242871839275222246405745257275088548364400416034343698204186575808495617");

  /** Encoded size in bytes. */
  public static final int SIZE = 32;

  private final byte[] bytes;

  private FieldElement(byte[] bytes) {
    this.bytes = bytes;
  }

  /**
   * Decodes 32 big-endian bytes.
   *
   * @throws IllegalArgumentException if the array is not 32 bytes or the value is {@code >= r}
   */
  public static FieldElement fromBytes(byte[] b32) {
    if (b32 == null || b32.length != SIZE) {
      throw new IllegalArgumentException("a field element is 32 bytes");
    }
    if (new BigInteger(1, b32).compareTo(MODULUS) >= 0) {
      throw new IllegalArgumentException("field element is not below the modulus r");
    }
    return new FieldElement(b32.clone());
  }

  /**
   * Decodes 64 hex digits (either case).
   *
   * @throws IllegalArgumentException for any other length, a non-hex digit, or a value {@code >= r}
   */
  public static FieldElement fromHex(String hex64) {
    if (hex64 == null || hex64.length() != 2 * SIZE) {
      throw new IllegalArgumentException("a field element is 64 hex digits");
    }
    return fromBytes(HexFormat.of().parseHex(hex64));
  }

  /** The element {@code v}, which must be non-negative and below r. */
  public static FieldElement of(BigInteger v) {
    if (v.signum() < 0 || v.compareTo(MODULUS) >= 0) {
      throw new IllegalArgumentException("value outside [0, r)");
    }
    byte[] out = new byte[SIZE];
    byte[] raw = v.toByteArray();
    int n = Math.min(raw.length, SIZE);
    System.arraycopy(raw, raw.length - n, out, SIZE - n, n);
    return new FieldElement(out);
  }

  /** A copy of the 32-byte encoding. */
  public byte[] toBytes() {
    return bytes.clone();
  }

  /** 64 lower-case hex digits. */
  public String toHex() {
    return HexFormat.of().formatHex(bytes);
  }

  void copyTo(byte[] dst, int offset) {
    System.arraycopy(bytes, 0, dst, offset, SIZE);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FieldElement f && Arrays.equals(bytes, f.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return toHex();
  }
}
