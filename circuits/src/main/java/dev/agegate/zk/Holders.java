package dev.agegate.zk;

/** Holder secrets (they never leave the wallet) and their commitments. Thread-safe. */
public final class Holders {
  private Holders() {}

  /** A new holder file with a uniformly random secret. */
  public static byte[] newHolder() {
    return NativeLib.json(NativeLib::holderNew, "new holder");
  }

  /** The holder commitment H_holder-commitment(secret) (circuit v2): what an issuer signs into a credential. */
  public static FieldElement commitment(byte[] holderJson) {
    byte[] out = new byte[FieldElement.SIZE];
    ZkException.check(NativeLib.holderCommitment(holderJson, out), "holder commitment");
    return FieldElement.fromBytes(out);
  }
}
