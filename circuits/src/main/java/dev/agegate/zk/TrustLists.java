package dev.agegate.zk;

import java.io.ByteArrayOutputStream;
import java.util.List;

/** Trust lists: the issuers a verifier accepts, committed to as a Merkle root. Thread-safe. */
public final class TrustLists {
  private TrustLists() {}

  /** Builds a trust list from issuers' public parts (or key files: private keys are dropped). */
  public static byte[] build(List<byte[]> issuerPublicJson) {
    ByteArrayOutputStream array = new ByteArrayOutputStream();
    array.write('[');
    for (int i = 0; i < issuerPublicJson.size(); i++) {
      if (i > 0) {
        array.write(',');
      }
      array.writeBytes(issuerPublicJson.get(i));
    }
    array.write(']');
    byte[] issuers = array.toByteArray();
    return NativeLib.json((out, cap, w) -> NativeLib.trustBuild(issuers, out, cap, w), "building a trust list");
  }

  /**
   * The root, recomputed natively from the listed issuers.
   *
   * @throws ZkException {@link ZkStatus#ARGUMENT_INVALID} if the document is malformed or its
   *     stated root does not match its issuers
   */
  public static FieldElement root(byte[] trustListJson) {
    byte[] out = new byte[FieldElement.SIZE];
    ZkException.check(NativeLib.trustRoot(trustListJson, out), "trust list root");
    return FieldElement.fromBytes(out);
  }
}
