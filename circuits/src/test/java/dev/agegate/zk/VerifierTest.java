package dev.agegate.zk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class VerifierTest {
  static TestWallet w;
  static Verifier verifier;
  static Prover prover;
  static Prover.Proof proof;
  static PublicInputs inputs;

  @BeforeAll
  static void proveOnce() {
    w = new TestWallet();
    TestWallet.keys();
    verifier = Verifier.load(TestWallet.read(DevKeys.VERIFYING_KEY));
    prover = Prover.load(TestWallet.read(DevKeys.PROVING_KEY));
    proof = prover.prove(w.credential(LocalDate.of(1996, 5, 17)), w.holder, w.trust, w.request(18));
    inputs = w.inputs(18, proof.nullifier());
  }

  @AfterAll
  static void close() {
    verifier.close();
    prover.close();
  }

  @Test
  void verify_realProof_ok() {
    assertEquals(256, proof.proof().length);
    assertEquals(ZkStatus.OK, verifier.verify(proof.proof(), inputs));
    assertEquals(64, verifier.fingerprint().length());
  }

  @Test
  void verify_otherRequest_proofInvalid() {
    assertEquals(ZkStatus.PROOF_INVALID, verifier.verify(proof.proof(), w.inputs(21, proof.nullifier())));
    PublicInputs otherSite = PublicInputs.of(w.root, TestWallet.TODAY, 18, 2, TestWallet.NONCE, TestWallet.AUDIENCE, "other-shop", proof.nullifier());
    assertEquals(ZkStatus.PROOF_INVALID, verifier.verify(proof.proof(), otherSite));
    PublicInputs otherNonce = PublicInputs.of(w.root, TestWallet.TODAY, 18, 2, "replayed", TestWallet.AUDIENCE, TestWallet.SITE, proof.nullifier());
    assertEquals(ZkStatus.PROOF_INVALID, verifier.verify(proof.proof(), otherNonce));
  }

  @Test
  void verify_eachEncodedInputChanged_proofInvalid() {
    byte[] enc = inputs.encode();
    for (int i = 0; i < 7; i++) {
      byte[] changed = enc.clone();
      changed[i * 32 + 31] ^= 1;
      assertEquals(ZkStatus.PROOF_INVALID, verifier.verifyEncoded(proof.proof(), changed), "input " + (i + 1));
    }
  }

  @Test
  void verify_corruptedTruncatedOversizedOffCurve_proofMalformed() {
    byte[] p = proof.proof();
    assertEquals(ZkStatus.PROOF_MALFORMED, verifier.verify(Arrays.copyOf(p, 255), inputs));
    assertEquals(ZkStatus.PROOF_MALFORMED, verifier.verify(Arrays.copyOf(p, 257), inputs));
    assertEquals(ZkStatus.PROOF_MALFORMED, verifier.verify(new byte[0], inputs));
    assertEquals(ZkStatus.PROOF_MALFORMED, verifier.verify(null, inputs));
    assertEquals(ZkStatus.PROOF_MALFORMED, verifier.verify(new byte[10 << 20], inputs));
    assertEquals(ZkStatus.PROOF_MALFORMED, verifier.verify(new byte[256], inputs));
    for (int offset : new int[] {63, 191, 255}) {
      byte[] offCurve = p.clone();
      offCurve[offset] ^= 1;
      assertEquals(ZkStatus.PROOF_MALFORMED, verifier.verify(offCurve, inputs), "byte " + offset);
    }
    byte[] ff = p.clone();
    Arrays.fill(ff, 0, 32, (byte) 0xff);
    assertEquals(ZkStatus.PROOF_MALFORMED, verifier.verify(ff, inputs));
  }

  @Test
  void verify_inputAtOrAboveModulus_inputMalformed() {
    byte[] r = HexFormat.of().parseHex(String.format("%064x", FieldElement.MODULUS));
    byte[] enc = inputs.encode();
    for (int i = 0; i < 7; i++) {
      byte[] b = enc.clone();
      System.arraycopy(r, 0, b, i * 32, 32);
      assertEquals(ZkStatus.INPUT_MALFORMED, verifier.verifyEncoded(proof.proof(), b), "input " + (i + 1));
    }
    // the nullifier plus r: the same field element, a different encoding
    byte[] b = enc.clone();
    BigInteger n = new BigInteger(1, proof.nullifier().toBytes()).add(FieldElement.MODULUS);
    if (n.bitLength() <= 256) {
      byte[] nb = HexFormat.of().parseHex(String.format("%064x", n));
      System.arraycopy(nb, 0, b, 192, 32);
      assertEquals(ZkStatus.INPUT_MALFORMED, verifier.verifyEncoded(proof.proof(), b));
    }
    assertEquals(ZkStatus.INPUT_MALFORMED, verifier.verifyEncoded(proof.proof(), Arrays.copyOf(enc, 200)));
  }

  @Test
  void load_garbageKey_keyInvalid() {
    ZkException e = assertThrows(ZkException.class, () -> Verifier.load(new byte[] {1, 2, 3}));
    assertEquals(ZkStatus.KEY_INVALID, e.status());
    byte[] vk = TestWallet.read(DevKeys.VERIFYING_KEY);
    assertEquals(ZkStatus.KEY_INVALID, assertThrows(ZkException.class, () -> Verifier.load(Arrays.copyOf(vk, vk.length - 1))).status());
    assertEquals(ZkStatus.KEY_INVALID, assertThrows(ZkException.class, () -> Prover.load(vk)).status());
  }

  /** Offset of K's uint32 length in a raw verifying key: α₁, β₁ (64 bytes), β₂, γ₂ (128), δ₁, δ₂. */
  static final int K_LENGTH_OFFSET = 3 * 64 + 3 * 128;

  static byte[] hostileLengthPrefix(byte[] vk) {
    byte[] b = vk.clone();
    Arrays.fill(b, K_LENGTH_OFFSET, K_LENGTH_OFFSET + 4, (byte) 0xff);
    return b;
  }

  // Before the framing check, gnark made a slice of 2^32-1 points here (256 GiB): a fatal Go
  // runtime error that took the JVM down with it.
  @Test
  void load_lengthPrefixFFFFFFFF_keyInvalid() {
    byte[] vk = TestWallet.read(DevKeys.VERIFYING_KEY);
    byte[] hostile = hostileLengthPrefix(vk);
    assertEquals(vk.length, hostile.length);
    assertEquals(ZkStatus.KEY_INVALID, assertThrows(ZkException.class, () -> Verifier.load(hostile)).status());
    byte[] onePoint = Arrays.copyOf(hostile, K_LENGTH_OFFSET + 4 + 64);
    assertEquals(ZkStatus.KEY_INVALID, assertThrows(ZkException.class, () -> Verifier.load(onePoint)).status());
    byte[] pk = TestWallet.read(DevKeys.PROVING_KEY);
    byte[] hostilePk = pk.clone();
    Arrays.fill(hostilePk, 169 + 3 * 64, 169 + 3 * 64 + 4, (byte) 0xff); // len(G1.A), after the FFT domain and α₁, β₁, δ₁
    assertEquals(ZkStatus.KEY_INVALID, assertThrows(ZkException.class, () -> Prover.load(hostilePk)).status());
  }

  @Test
  void load_wrongLength_keyInvalid() {
    byte[] vk = TestWallet.read(DevKeys.VERIFYING_KEY);
    for (int n : new int[] {0, 1, vk.length - 4, vk.length + 1, vk.length + 4, 2 * vk.length}) {
      byte[] b = Arrays.copyOf(vk, n);
      assertEquals(ZkStatus.KEY_INVALID, assertThrows(ZkException.class, () -> Verifier.load(b)).status(), n + " bytes");
    }
  }

  @Test
  void loadPinned_otherKey_keyInvalidBeforeNativeNamingBoth() {
    byte[] vk = TestWallet.read(DevKeys.VERIFYING_KEY);
    String pin = verifier.fingerprint();
    assertEquals(pin, Verifier.fingerprintOf(vk));
    try (Verifier v = Verifier.load(vk, pin)) {
      assertEquals(pin, v.fingerprint());
    }
    byte[] hostile = hostileLengthPrefix(vk);
    ZkException e = assertThrows(ZkException.class, () -> Verifier.load(hostile, pin));
    assertEquals(ZkStatus.KEY_INVALID, e.status());
    // the pin's message, not the native load's: the bytes never reached the library
    assertTrue(e.getMessage().contains("not the pinned " + pin), e.getMessage());
    assertTrue(e.getMessage().contains(Verifier.fingerprintOf(hostile)), e.getMessage());
    ZkException own = assertThrows(ZkException.class, () -> Verifier.load(hostile, Verifier.fingerprintOf(hostile)));
    assertTrue(own.getMessage().startsWith("loading the verifying key"), own.getMessage());
    for (String bad : new String[] {"", pin.toUpperCase(java.util.Locale.ROOT), pin.substring(1), pin + "0"}) {
      assertThrows(IllegalArgumentException.class, () -> Verifier.load(vk, bad), bad);
    }
    assertThrows(IllegalArgumentException.class, () -> Verifier.load(vk, (String) null));
  }

  @Test
  void verify_afterClose_handleInvalid() {
    Verifier v = Verifier.load(TestWallet.read(DevKeys.VERIFYING_KEY));
    assertEquals(verifier.fingerprint(), v.fingerprint());
    v.close();
    assertEquals(ZkStatus.HANDLE_INVALID, v.verify(proof.proof(), inputs));
    assertEquals(ZkStatus.HANDLE_INVALID, NativeLib.free(-1L));
  }

  @Test
  void prove_tooYoungOrUntrusted_unsatisfiable() {
    byte[] young = w.credential(LocalDate.of(2010, 1, 1));
    ZkException e = assertThrows(ZkException.class, () -> prover.prove(young, w.holder, w.trust, w.request(18)));
    assertEquals(ZkStatus.UNSATISFIABLE, e.status());
    byte[] untrusted = Issuers.issue(Issuers.newIssuer(4), Holders.commitment(w.holder), LocalDate.of(1990, 1, 1), LocalDate.of(2025, 1, 1), LocalDate.of(2030, 1, 1));
    assertEquals(ZkStatus.UNSATISFIABLE, assertThrows(ZkException.class, () -> prover.prove(untrusted, w.holder, w.trust, w.request(18))).status());
  }

  @Test
  void nativeCalls_malformedArguments_argumentInvalid() {
    assertEquals(ZkStatus.ARGUMENT_INVALID, assertThrows(ZkException.class, () -> TrustLists.root("{".getBytes())).status());
    assertEquals(ZkStatus.ARGUMENT_INVALID, assertThrows(ZkException.class, () -> Holders.commitment(new byte[0])).status());
    assertEquals(ZkStatus.ARGUMENT_INVALID, assertThrows(ZkException.class, () -> prover.prove("x".getBytes(), w.holder, w.trust, w.request(18))).status());
    assertEquals(ZkStatus.ARGUMENT_INVALID, assertThrows(ZkException.class, () -> Issuers.newIssuer(5)).status());
    byte[] tampered = new String(w.trust).replace(w.root.toHex(), "0".repeat(64)).getBytes();
    assertEquals(ZkStatus.ARGUMENT_INVALID, assertThrows(ZkException.class, () -> TrustLists.root(tampered)).status());
  }

  @Test
  void jsonOutput_smallBuffer_bufferTooSmallThenRetried() {
    byte[] small = new byte[8];
    long[] written = new long[1];
    NativeLib.ensureLoaded();
    assertEquals(ZkStatus.BUFFER_TOO_SMALL.code(), NativeLib.holderNew(small, small.length, written));
    assertTrue(written[0] > small.length);
    // a trust list of 40 issuers is larger than the first 4 KiB buffer: json() retries once
    java.util.List<byte[]> issuers = new java.util.ArrayList<>();
    for (int i = 0; i < 40; i++) {
      issuers.add(Issuers.publicPart(Issuers.newIssuer(1 + i % 4)));
    }
    byte[] list = TrustLists.build(issuers);
    assertTrue(list.length > 4096);
    TrustLists.root(list);
  }

  @Test
  void status_everyCodeMapsBack() {
    for (ZkStatus s : ZkStatus.values()) {
      assertEquals(s, ZkStatus.of(s.code()));
    }
    assertEquals(ZkStatus.INTERNAL, ZkStatus.of(12345));
  }

  @Test
  void issuerPublicPart_neverContainsPrivateKey() {
    assertTrue(new String(w.issuer).contains("private_key"));
    assertTrue(!new String(Issuers.publicPart(w.issuer)).contains("private_key"));
    assertArrayEquals(w.root.toBytes(), TrustLists.root(w.trust).toBytes());
  }
}
