package dev.agegate.gateway.family.mdoc;

import static org.assertj.core.api.Assertions.assertThat;

import com.upokecenter.cbor.CBOREncodeOptions;
import com.upokecenter.cbor.CBORObject;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An attacker's edits of the two COSE_Sign1 of a genuine response (from the independent wallet):
 * r or s zero or n, the wrong length, a DER signature, the detached payload attached, crit in
 * the device signature's header; ECDSA's own malleability ({@code s → n − s}) still verifies
 * (harmless: nothing keys on signature bytes, replay is stopped by the nonce); and element names
 * that only look like {@code age_over_NN}, and contradicting ages, in real issuer-signed items.
 */
class MdocSignatureEdgesTest {
  static final String AV = "eu.europa.ec.av.1";
  static final String CLIENT_ID = "x509_san_dns:gate.example";
  static final String NONCE = "n-edges-0001";
  static final String RESPONSE_URI = "https://gate.example/v1/responses/r1";
  static final Instant NOW = Instant.now();
  static final byte[] TRANSCRIPT = SessionTranscripts.openId4Vp(CLIENT_ID, NONCE, null, RESPONSE_URI);
  static final BigInteger N = new BigInteger("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551", 16);
  static final CBOREncodeOptions KEEP = new CBOREncodeOptions("keepkeyorder=true");

  static TestPki.Issued ds;
  static MdocVerifier verifier;
  static Map<String, byte[]> responses;
  /** Names that only look like age_over_NN. */
  static final List<String> LOOK_ALIKES = List.of("age_over_018", "age_over_18 ", "age_over_\u0661\u0668",
      "age_over_\uff11\uff18", "AGE_OVER_18", "age_over_1", "age_over_18\u0000", "age_over_-1", "age_over_+8");
  /**
   * Those the test wallet can also have the issuer sign, each as true in its own response
   * (@auth0/mdl finds no field for the non-ASCII names and the NUL when presenting).
   */
  static final List<String> SIGNED_LOOK_ALIKES = List.of("age_over_018", "age_over_18 ", "AGE_OVER_18", "age_over_1",
      "age_over_-1", "age_over_+8");

  @BeforeAll
  static void issue() throws Exception {
    TestPki.Issued iaca = TestPki.iaca("Edges IACA", NOW.minus(Duration.ofDays(30)), NOW.plus(Duration.ofDays(3650)));
    ds = TestPki.documentSigner(iaca, "Edges DS", NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(90)), true);
    verifier = new MdocVerifier(IacaTrustAnchors.of(List.of(iaca.cert())), MdocVerifier.DEFAULT_DOCTYPES,
        Clock.fixed(NOW, ZoneOffset.UTC));
    Map<String, Object> deviceKey = TestPki.jwk(TestPki.ecKeyPair("secp256r1"));
    List<Map<String, Object>> cases = new ArrayList<>();
    cases.add(c("good", deviceKey, Map.of("age_over_18", true)));
    cases.add(c("18and21false", deviceKey, ordered("age_over_18", true, "age_over_21", false)));
    for (int i = 0; i < SIGNED_LOOK_ALIKES.size(); i++) {
      cases.add(c("lookalike" + i, deviceKey, Map.of(SIGNED_LOOK_ALIKES.get(i), true)));
    }
    responses = NodeWallet.build(cases);
  }

  private static Map<String, Object> ordered(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  private static Map<String, Object> c(String name, Map<String, Object> deviceKey, Map<String, Object> elements) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", name);
    m.put("docType", AV);
    m.put("issuerKey", ds.jwk());
    m.put("issuerChain", List.of(ds.pem()));
    m.put("deviceKey", deviceKey);
    m.put("signed", NOW.minus(Duration.ofHours(1)).toString());
    m.put("validFrom", NOW.minus(Duration.ofHours(1)).toString());
    m.put("validUntil", NOW.plus(Duration.ofDays(30)).toString());
    m.put("elements", elements);
    m.put("transcript", ordered("kind", "openid4vp", "clientId", CLIENT_ID, "nonce", NONCE, "responseUri", RESPONSE_URI));
    return m;
  }

  private static MdocResult verify(byte[] r, int minAge) {
    return verifier.verify(r, TRANSCRIPT, minAge);
  }

  /** The COSE_Sign1 array at {@code path} (deviceSignature or issuerAuth) of a copy of the good response, edited. */
  private static byte[] editSign1(boolean device, Function<CBORObject, CBORObject> edit) {
    CBORObject top = CBORObject.DecodeFromBytes(responses.get("good"), KEEP);
    CBORObject doc = top.get("documents").get(0);
    if (device) {
      CBORObject auth = doc.get("deviceSigned").get("deviceAuth");
      auth.set("deviceSignature", edit.apply(auth.get("deviceSignature")));
    } else {
      CBORObject is = doc.get("issuerSigned");
      is.set("issuerAuth", edit.apply(is.get("issuerAuth")));
    }
    return top.EncodeToBytes();
  }

  private static Function<CBORObject, CBORObject> signature(Function<byte[], byte[]> f) {
    return s -> {
      CBORObject a = s.isTagged() ? s.UntagOne() : s;
      a.set(3, CBORObject.FromObject(f.apply(a.get(3).GetByteString())));
      return a;
    };
  }

  private static byte[] rs(BigInteger r, BigInteger s) {
    byte[] out = new byte[64];
    put(out, 0, r);
    put(out, 32, s);
    return out;
  }

  private static void put(byte[] out, int at, BigInteger v) {
    byte[] b = v.toByteArray();
    int len = Math.min(b.length, 32);
    System.arraycopy(b, b.length - len, out, at + 32 - len, len);
  }

  private static BigInteger r(byte[] sig) {
    return new BigInteger(1, Arrays.copyOfRange(sig, 0, 32));
  }

  private static BigInteger s(byte[] sig) {
    return new BigInteger(1, Arrays.copyOfRange(sig, 32, 64));
  }

  @Test
  void good_verified() {
    assertThat(verify(responses.get("good"), 18)).isInstanceOf(MdocResult.Verified.class);
  }

  @Test
  void ecdsaMalleability_sToNMinusS_stillVerifies_harmless() {
    byte[] dev = editSign1(true, signature(sig -> rs(r(sig), N.subtract(s(sig)))));
    assertThat(dev).isNotEqualTo(responses.get("good"));
    assertThat(verify(dev, 18)).isInstanceOf(MdocResult.Verified.class);
    byte[] iss = editSign1(false, signature(sig -> rs(r(sig), N.subtract(s(sig)))));
    assertThat(verify(iss, 18)).isInstanceOf(MdocResult.Verified.class);
  }

  @Test
  void deviceSignature_outOfRangeWrongLengthDer_refused() {
    Map<String, Function<byte[], byte[]>> edits = new LinkedHashMap<>();
    edits.put("r = 0", sig -> rs(BigInteger.ZERO, s(sig)));
    edits.put("s = 0", sig -> rs(r(sig), BigInteger.ZERO));
    edits.put("r = n", sig -> rs(N, s(sig)));
    edits.put("s = n", sig -> rs(r(sig), N));
    edits.put("r = s = 0", sig -> new byte[64]);
    edits.put("63 bytes", sig -> Arrays.copyOf(sig, 63));
    edits.put("65 bytes", sig -> Arrays.copyOf(sig, 65));
    edits.put("96 bytes (an ES384 length)", sig -> Arrays.copyOf(sig, 96));
    edits.put("DER", MdocSignatureEdgesTest::der);
    edits.put("empty", sig -> new byte[0]);
    for (Map.Entry<String, Function<byte[], byte[]>> e : edits.entrySet()) {
      assertThat(verify(editSign1(true, signature(e.getValue())), 18)).as("device " + e.getKey())
          .isEqualTo(new MdocResult.Refused(Reason.DEVICE_SIGNATURE_INVALID));
      assertThat(verify(editSign1(false, signature(e.getValue())), 18)).as("issuer " + e.getKey())
          .isEqualTo(new MdocResult.Refused(Reason.ISSUER_SIGNATURE_INVALID));
    }
  }

  private static byte[] der(byte[] sig) {
    byte[] r = r(sig).toByteArray();
    byte[] s = s(sig).toByteArray();
    byte[] out = new byte[6 + r.length + s.length];
    out[0] = 0x30;
    out[1] = (byte) (4 + r.length + s.length);
    out[2] = 0x02;
    out[3] = (byte) r.length;
    System.arraycopy(r, 0, out, 4, r.length);
    out[4 + r.length] = 0x02;
    out[5 + r.length] = (byte) s.length;
    System.arraycopy(s, 0, out, 6 + r.length, s.length);
    return out;
  }

  @Test
  void deviceSignature_payloadAttachedOrCritOrAlgUnprotected_refused() {
    byte[] attached = editSign1(true, s -> {
      CBORObject a = s.isTagged() ? s.UntagOne() : s;
      a.set(2, CBORObject.FromObject(new byte[] {1, 2, 3}));
      return a;
    });
    assertThat(verify(attached, 18)).isInstanceOf(MdocResult.Refused.class);
    byte[] crit = editSign1(true, s -> {
      CBORObject a = s.isTagged() ? s.UntagOne() : s;
      CBORObject prot = CBORObject.DecodeFromBytes(a.get(0).GetByteString(), KEEP);
      prot.Add(2, CBORObject.NewArray().Add(99)).Add(99, 1);
      a.set(0, CBORObject.FromObject(prot.EncodeToBytes()));
      return a;
    });
    assertThat(verify(crit, 18)).isInstanceOf(MdocResult.Refused.class);
    byte[] unprotAlg = editSign1(true, s -> {
      CBORObject a = s.isTagged() ? s.UntagOne() : s;
      a.get(1).Add(1, -7);
      return a;
    });
    assertThat(verify(unprotAlg, 18)).isEqualTo(new MdocResult.Refused(Reason.DEVICE_ALG_UNSUPPORTED));
  }

  /** The good response with its one item's elementIdentifier replaced after signing. */
  private static byte[] renamed(String element) {
    CBORObject top = CBORObject.DecodeFromBytes(responses.get("good"), KEEP);
    CBORObject items = top.get("documents").get(0).get("issuerSigned").get("nameSpaces").get(AV);
    CBORObject item = CBORObject.DecodeFromBytes(items.get(0).GetByteString(), KEEP);
    item.set("elementIdentifier", CBORObject.FromObject(element));
    items.set(0, CBORObject.FromObject(item.EncodeToBytes()).WithTag(24));
    return top.EncodeToBytes();
  }

  /**
   * Issuer-signed elements whose names only look like age_over_NN (digests right, device
   * signature right) are refused by the disclosure policy; a name edited after signing is a
   * digest mismatch, and the same name re-encoded still verifies.
   */
  @Test
  void elementsThatOnlyLookLikeAgeOver_refusedElementNotAllowed() {
    for (int i = 0; i < SIGNED_LOOK_ALIKES.size(); i++) {
      assertThat(verify(responses.get("lookalike" + i), 18)).as(SIGNED_LOOK_ALIKES.get(i))
          .isEqualTo(new MdocResult.Refused(Reason.ELEMENT_NOT_ALLOWED));
    }
    for (String name : LOOK_ALIKES) {
      assertThat(verify(renamed(name), 18)).as("renamed after signing: " + name)
          .isEqualTo(new MdocResult.Refused(Reason.DIGEST_MISMATCH));
    }
    assertThat(verify(renamed("age_over_18"), 18)).as("the same name re-encoded still verifies").isInstanceOf(MdocResult.Verified.class);
  }

  @Test
  void over18ButNot21_verifiedFor18_tooYoungFor21_unprovenFor19() {
    byte[] r = responses.get("18and21false");
    assertThat(verify(r, 18)).isInstanceOfSatisfying(MdocResult.Verified.class, v -> assertThat(v.ageOver()).isEqualTo(18));
    assertThat(verify(r, 21)).isEqualTo(new MdocResult.Refused(Reason.TOO_YOUNG));
    assertThat(verify(r, 19)).isEqualTo(new MdocResult.Refused(Reason.AGE_OVER_MISSING));
    assertThat(verify(r, 17)).isInstanceOfSatisfying(MdocResult.Verified.class, v -> assertThat(v.ageOver()).isEqualTo(18));
  }

  /**
   * Numbers in tags (bigfloat 2^(2^63), decimal, bignum of 64 KiB) where an integer is read:
   * PeterO keeps the tag (nothing is expanded), and Cbor.integer refuses any tag, so no
   * exponentiation or allocation is ever attempted.
   */
  @Test
  void numericTagsWhereAnIntegerIsRead_refusedMalformed() {
    java.util.HexFormat hex = java.util.HexFormat.of();
    // {"version": "1.0", "documents": [], "status": X}
    String head = "a3" + "6776657273696f6e" + "63312e30" + "69646f63756d656e747380" + "66737461747573";
    for (String x : List.of("c5821b7fffffffffffffff01", "c4821b7fffffffffffffff01", "c2590100" + "ff".repeat(256),
        "c3590100" + "ff".repeat(256), "fb3ff0000000000000", "f93c00")) {
      assertThat(verify(hex.parseHex(head + x), 18)).as(x.substring(0, Math.min(8, x.length()))).isEqualTo(new MdocResult.Refused(Reason.MALFORMED));
    }
  }
}
