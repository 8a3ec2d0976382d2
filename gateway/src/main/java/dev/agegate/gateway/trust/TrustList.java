package dev.agegate.gateway.trust;

import dev.agegate.zk.FieldElement;

/**
 * One version of the trust list: the document as served to wallets and its root, recomputed
 * natively from the listed issuers.
 *
 * @param json the trust list document (circuits/README.md format)
 * @param root its Merkle root
 */
public record TrustList(byte[] json, FieldElement root) {

  /** The root as 64 lower-case hex digits. */
  public String rootHex() {
    return root.toHex();
  }
}
