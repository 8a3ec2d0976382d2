package dev.agegate.zk;

import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * The circuits' native library ({@code libagezk.so}, built from circuits/native by the Maven
 * build and bundled in this jar under JNA's platform prefix), through JNA direct mapping.
 *
 * <p>The {@code native} methods are private; the wrappers check buffer sizes before every call,
 * so the library never reads or writes past a Java array. Thread-safe: the library is.
 */
final class NativeLib {
  /** The class-path resource JNA extracts the library from. */
  static final String RESOURCE = Platform.RESOURCE_PREFIX + "/libagezk.so";

  static final int PROOF_SIZE = 256;
  static final int FINGERPRINT_HEX = 64;

  private static final Throwable LOAD_FAILURE;

  static {
    Throwable failure = null;
    try {
      Native.register(NativeLib.class, "agezk");
    } catch (Throwable t) {
      failure = t;
    }
    LOAD_FAILURE = failure;
  }

  private NativeLib() {}

  /** Fails with the cause and the resource path when the library could not be loaded. */
  static void ensureLoaded() {
    if (LOAD_FAILURE != null) {
      throw new ZkException(
          "cannot load the agezk native library from class-path resource "
              + RESOURCE
              + " (is the agegate-circuits jar built for "
              + Platform.RESOURCE_PREFIX
              + "?)",
          LOAD_FAILURE);
    }
  }

  private static native int agz_verifier_load(byte[] vk, long vkLen, long[] handle);

  private static native int agz_prover_load(byte[] pk, long pkLen, long[] handle);

  private static native int agz_free(long handle);

  private static native int agz_verifier_fingerprint(long handle, byte[] out64);

  private static native int agz_verify(
      long handle, byte[] proof, long proofLen, byte[] inputs, long inputsLen);

  private static native int agz_prove(
      long handle,
      byte[] credential,
      long credentialLen,
      byte[] holder,
      long holderLen,
      byte[] trust,
      long trustLen,
      byte[] request,
      long requestLen,
      byte[] proofOut,
      byte[] nullifierOut);

  private static native int agz_dev_setup(byte[] dir, long dirLen);

  private static native int agz_circuit_id(byte[] out64);

  private static native int agz_issuer_new(int level, byte[] out, long cap, long[] written);

  private static native int agz_issuer_public(
      byte[] issuer, long issuerLen, byte[] out, long cap, long[] written);

  private static native int agz_issue(
      byte[] issuer,
      long issuerLen,
      byte[] commitment,
      int birthDay,
      int issuedDay,
      int expiryDay,
      byte[] out,
      long cap,
      long[] written);

  private static native int agz_holder_new(byte[] out, long cap, long[] written);

  private static native int agz_holder_commitment(byte[] holder, long holderLen, byte[] out32);

  private static native int agz_trust_build(
      byte[] issuers, long issuersLen, byte[] out, long cap, long[] written);

  private static native int agz_trust_root(byte[] list, long listLen, byte[] out32);

  static ZkStatus verifierLoad(byte[] vk, long[] handle) {
    ensureLoaded();
    return ZkStatus.of(agz_verifier_load(vk, vk.length, handle));
  }

  static ZkStatus proverLoad(byte[] pk, long[] handle) {
    ensureLoaded();
    return ZkStatus.of(agz_prover_load(pk, pk.length, handle));
  }

  static ZkStatus free(long handle) {
    return ZkStatus.of(agz_free(handle));
  }

  static ZkStatus fingerprint(long handle, byte[] out) {
    require(out, FINGERPRINT_HEX, "fingerprint buffer");
    return ZkStatus.of(agz_verifier_fingerprint(handle, out));
  }

  static ZkStatus verify(long handle, byte[] proof, byte[] inputs) {
    return ZkStatus.of(agz_verify(handle, proof, proof.length, inputs, inputs.length));
  }

  static ZkStatus prove(
      long handle,
      byte[] credential,
      byte[] holder,
      byte[] trust,
      byte[] request,
      byte[] proofOut,
      byte[] nullifierOut) {
    require(proofOut, PROOF_SIZE, "proof buffer");
    require(nullifierOut, FieldElement.SIZE, "nullifier buffer");
    return ZkStatus.of(
        agz_prove(
            handle,
            credential,
            credential.length,
            holder,
            holder.length,
            trust,
            trust.length,
            request,
            request.length,
            proofOut,
            nullifierOut));
  }

  static ZkStatus devSetup(byte[] dir) {
    ensureLoaded();
    return ZkStatus.of(agz_dev_setup(dir, dir.length));
  }

  static ZkStatus circuitId(byte[] out) {
    ensureLoaded();
    require(out, FINGERPRINT_HEX, "circuit id buffer");
    return ZkStatus.of(agz_circuit_id(out));
  }

  static ZkStatus holderCommitment(byte[] holder, byte[] out) {
    ensureLoaded();
    require(out, FieldElement.SIZE, "commitment buffer");
    return ZkStatus.of(agz_holder_commitment(holder, holder.length, out));
  }

  static ZkStatus trustRoot(byte[] list, byte[] out) {
    ensureLoaded();
    require(out, FieldElement.SIZE, "root buffer");
    return ZkStatus.of(agz_trust_root(list, list.length, out));
  }

  /** A native call that fills a variable-size output buffer. */
  @FunctionalInterface
  interface JsonCall {
    int call(byte[] out, long cap, long[] written);
  }

  /** Calls {@code call} with a buffer, growing it once to the size the library asks for. */
  static byte[] json(JsonCall call, String what) {
    ensureLoaded();
    byte[] out = new byte[4096];
    long[] written = new long[1];
    ZkStatus s = ZkStatus.of(call.call(out, out.length, written));
    if (s == ZkStatus.BUFFER_TOO_SMALL) {
      out = new byte[Math.toIntExact(written[0])];
      s = ZkStatus.of(call.call(out, out.length, written));
    }
    ZkException.check(s, what);
    return java.util.Arrays.copyOf(out, Math.toIntExact(written[0]));
  }

  static int issuerNew(int level, byte[] out, long cap, long[] written) {
    return agz_issuer_new(level, out, cap, written);
  }

  static int issuerPublic(byte[] issuer, byte[] out, long cap, long[] written) {
    return agz_issuer_public(issuer, issuer.length, out, cap, written);
  }

  static int issue(
      byte[] issuer,
      byte[] commitment,
      int birth,
      int issued,
      int expiry,
      byte[] out,
      long cap,
      long[] written) {
    require(commitment, FieldElement.SIZE, "commitment");
    return agz_issue(issuer, issuer.length, commitment, birth, issued, expiry, out, cap, written);
  }

  static int holderNew(byte[] out, long cap, long[] written) {
    return agz_holder_new(out, cap, written);
  }

  static int trustBuild(byte[] issuers, byte[] out, long cap, long[] written) {
    return agz_trust_build(issuers, issuers.length, out, cap, written);
  }

  private static void require(byte[] b, int size, String what) {
    if (b == null || b.length != size) {
      throw new IllegalArgumentException(what + " must be " + size + " bytes");
    }
  }
}
