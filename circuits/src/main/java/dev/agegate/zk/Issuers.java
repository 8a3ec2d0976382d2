package dev.agegate.zk;

import java.time.LocalDate;
import java.util.Objects;

/** Issuer keys and credential signing (JSON formats of circuits/README.md). Thread-safe. */
public final class Issuers {
  private Issuers() {}

  /** A new issuer key file (keep it secret) at assurance level 1..4. */
  public static byte[] newIssuer(int level) {
    return NativeLib.json((out, cap, w) -> NativeLib.issuerNew(level, out, cap, w), "new issuer, level " + level);
  }

  /** The publishable part of an issuer key (or of a public part), never the private key. */
  public static byte[] publicPart(byte[] issuerJson) {
    Objects.requireNonNull(issuerJson, "issuerJson");
    return NativeLib.json((out, cap, w) -> NativeLib.issuerPublic(issuerJson, out, cap, w), "issuer public part");
  }

  /**
   * Signs a credential for a holder commitment.
   *
   * @throws ZkException {@link ZkStatus#KEY_INVALID} for a bad issuer key; {@link
   *     ZkStatus#ARGUMENT_INVALID} for dates out of order or range
   */
  public static byte[] issue(byte[] issuerJson, FieldElement holderCommitment, LocalDate birth, LocalDate issued, LocalDate expiry) {
    Objects.requireNonNull(issuerJson, "issuerJson");
    byte[] c = holderCommitment.toBytes();
    int b = DayNumber.of(birth), i = DayNumber.of(issued), e = DayNumber.of(expiry);
    return NativeLib.json((out, cap, w) -> NativeLib.issue(issuerJson, c, b, i, e, out, cap, w), "issuing a credential");
  }
}
