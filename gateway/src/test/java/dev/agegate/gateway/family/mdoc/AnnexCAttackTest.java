package dev.agegate.gateway.family.mdoc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.upokecenter.cbor.CBORObject;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.hpke.HPKE;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.math.ec.ECPoint;
import org.junit.jupiter.api.Test;

/**
 * An attacker's review of {@link AnnexC} (ISO 18013-7 Annex C, HPKE with BouncyCastle): the
 * primitives against RFC 9180's own test vectors (so the "DeriveKeyPair" the decisions rely on
 * is the RFC's), and every byte of the EncryptedResponse chosen by the attacker: aliased
 * coordinates (x + p), compressed / hybrid / infinity encodings, wrong lengths, envelope shapes
 * (tags, duplicate keys, indefinite lengths, huge declared lengths), another transcript. Each
 * is refused as {@link AnnexC.Unopened}, never another exception.
 */
class AnnexCAttackTest {
  private static final HexFormat HEX = HexFormat.of();
  private static final X9ECParameters P256 = CustomNamedCurves.getByName("P-256");
  private static final BigInteger P = P256.getCurve().getField().getCharacteristic();

  private static HPKE suite() {
    return new HPKE(HPKE.mode_base, HPKE.kem_P256_SHA256, HPKE.kdf_HKDF_SHA256, HPKE.aead_AES_GCM128);
  }

  private static byte[] uncompressed(BigInteger x, BigInteger y) {
    byte[] out = new byte[65];
    out[0] = 0x04;
    put(out, 1, x);
    put(out, 33, y);
    return out;
  }

  private static void put(byte[] out, int at, BigInteger v) {
    byte[] b = v.toByteArray();
    int len = Math.min(b.length, 32);
    System.arraycopy(b, b.length - len, out, at + 32 - len, len);
  }

  /** A sealed EncryptedResponse {@code ["dcapi", {"enc", "cipherText"}]} to {@code reader} over {@code info}. */
  private static byte[] sealed(AsymmetricCipherKeyPair reader, byte[] info, byte[] plaintext) throws Exception {
    byte[][] ctEnc = suite().seal(reader.getPublic(), info, new byte[0], plaintext, null, null, null);
    return envelope(ctEnc[1], ctEnc[0]);
  }

  private static byte[] envelope(byte[] enc, byte[] cipherText) {
    return CBORObject.NewArray().Add("dcapi")
        .Add(CBORObject.NewOrderedMap().Add("enc", enc).Add("cipherText", cipherText)).EncodeToBytes();
  }

  private static AnnexC.Unopened refused(byte[] response, AsymmetricCipherKeyPair reader, byte[] info) {
    AnnexC.Unopened u = catchThrowableOfType(AnnexC.Unopened.class, () -> AnnexC.open(response, reader, info));
    assertThat(u).as("refused as Unopened").isNotNull();
    return u;
  }

  @Test
  void deriveKeyPair_isRfc9180DeriveKeyPair_testVectorA3() {
    // RFC 9180 A.3 (DHKEM(P-256, HKDF-SHA256), HKDF-SHA256, AES-128-GCM), recipient key.
    AsymmetricCipherKeyPair kp = AnnexC.deriveKeyPair(HEX.parseHex("668b37171f1072f3cf12ea8a236a45df23fc13b82af3609ad1e354f6ef817550"));
    assertThat(HEX.formatHex(((ECPrivateKeyParameters) kp.getPrivate()).getD().toByteArray()))
        .endsWith("f3ce7fdae57e1a310d87f1ebbde6f328be0a99cdbcadf4d6589cf29de4b8ffd2");
    assertThat(HEX.formatHex(((ECPublicKeyParameters) kp.getPublic()).getQ().getEncoded(false)))
        .isEqualTo("04fe8c19ce0905191ebc298a9245792531f26f0cece2460639e8bc39cb7f706a826a779b4cf969b8a0e539c7f62fb3d30ad6aa8f80e30f1d128aafd68a2ce72ea0");
  }

  @Test
  void bouncyCastleHpke_isRfc9180_testVectorA3_1() throws Exception {
    // The same suite's first encryption: the sender's ephemeral from ikmE, then open as the gateway does.
    HPKE hpke = suite();
    AsymmetricCipherKeyPair r = hpke.deriveKeyPair(HEX.parseHex("668b37171f1072f3cf12ea8a236a45df23fc13b82af3609ad1e354f6ef817550"));
    byte[] info = HEX.parseHex("4f6465206f6e2061204772656369616e2055726e");
    // pkEm, the sender's ephemeral of the vector: what the gateway receives as enc
    byte[] enc = HEX.parseHex("04a92719c6195d5085104f469a8b9814d5838ff72b60501e2c4466e5e67b325ac98536d7b61a1af4b78e5b7f951c0900be863c403ce65c9bfcb9382657222d18c4");
    assertThat(AnnexC.onCurve(enc)).isTrue();
    byte[] ct = HEX.parseHex("5ad590bb8baa577f8619db35a36311226a896e7342a6d836d8b7bcd2f20b6c7f9076ac232e3ab2523f39513434");
    byte[] pt = hpke.open(enc, r, info, HEX.parseHex("436f756e742d30"), ct, null, null, null);
    assertThat(HEX.formatHex(pt)).isEqualTo("4265617574792069732074727574682c20747275746820626561757479");
  }

  @Test
  void genuineEnvelope_opens_anotherTranscriptOrKeyDoesNot() throws Exception {
    AsymmetricCipherKeyPair reader = AnnexC.deriveKeyPair(new byte[32]);
    byte[] info = AnnexC.sessionTranscript("ei", "https://shop.example");
    byte[] env = sealed(reader, info, new byte[] {1, 2, 3});
    assertThat(AnnexC.open(env, reader, info)).containsExactly(1, 2, 3);
    assertThat(refused(env, reader, AnnexC.sessionTranscript("ei", "https://shop.example/")).undecryptable)
        .as("a trailing slash is another origin").isTrue();
    assertThat(refused(env, reader, AnnexC.sessionTranscript("ei", "https://SHOP.example")).undecryptable).isTrue();
    assertThat(refused(env, reader, AnnexC.sessionTranscript("ei", "https://shop.example:443")).undecryptable).isTrue();
    assertThat(refused(env, reader, AnnexC.sessionTranscript("ej", "https://shop.example")).undecryptable).isTrue();
    assertThat(refused(env, AnnexC.deriveKeyPair(new byte[33]), info).undecryptable).isTrue();
  }

  @Test
  void enc_aliasedCoordinatesCompressedHybridInfinityWrongLength_refusedBeforeHpke() throws Exception {
    AsymmetricCipherKeyPair reader = AnnexC.deriveKeyPair(new byte[32]);
    byte[] info = AnnexC.sessionTranscript("ei", "https://shop.example");
    byte[] env = sealed(reader, info, new byte[] {1});
    CBORObject m = CBORObject.DecodeFromBytes(env).get(1);
    byte[] enc = m.get("enc").GetByteString();
    byte[] ct = m.get("cipherText").GetByteString();
    ECPoint e = P256.getCurve().decodePoint(enc).normalize();
    BigInteger x = e.getAffineXCoord().toBigInteger();
    BigInteger y = e.getAffineYCoord().toBigInteger();

    // A point whose x is small enough that x + p still fits 32 bytes: the same point mod p.
    ECPoint small = smallXPoint();
    BigInteger sx = small.getAffineXCoord().toBigInteger();
    BigInteger sy = small.getAffineYCoord().toBigInteger();
    assertThat(sx.add(P).bitLength()).isLessThanOrEqualTo(256);
    assertThat(AnnexC.onCurve(uncompressed(sx, sy))).as("the honest encoding is on the curve").isTrue();
    assertThat(AnnexC.onCurve(uncompressed(sx.add(P), sy))).as("x + p").isFalse();
    if (sy.add(P).bitLength() <= 256) {
      assertThat(AnnexC.onCurve(uncompressed(sx, sy.add(P)))).as("y + p").isFalse();
    }
    assertThat(AnnexC.onCurve(uncompressed(sx, P.subtract(sy)))).as("the negation is a valid point").isTrue();

    byte[][] bad = {
        null,
        new byte[0],
        new byte[65], // 04 missing, all zero
        uncompressed(BigInteger.ZERO, BigInteger.ZERO), // what some libraries use for infinity
        new byte[] {0x00}, // SEC1 infinity
        e.getEncoded(true), // compressed, 33 bytes
        hybrid(enc, y.testBit(0) ? 0x07 : 0x06), // SEC1 hybrid form of the real point
        Arrays.copyOf(enc, 64),
        Arrays.copyOf(enc, 66),
        uncompressed(x, y.add(BigInteger.ONE)), // off the curve (invalid-curve attack)
        uncompressed(P, y),
        uncompressed(x, P),
        uncompressed(sx.add(P), sy),
    };
    for (byte[] b : bad) {
      assertThat(AnnexC.onCurve(b)).as(b == null ? "null" : HEX.formatHex(b)).isFalse();
      if (b != null) {
        AnnexC.Unopened u = refused(envelope(b, ct), reader, info);
        assertThat(u.undecryptable).as("refused before HPKE: " + HEX.formatHex(b)).isFalse();
      }
    }
    // The reader's own public key (or the generator) as enc: a valid point, HPKE just fails.
    byte[] own = ((ECPublicKeyParameters) reader.getPublic()).getQ().getEncoded(false);
    assertThat(refused(envelope(own, ct), reader, info).undecryptable).isTrue();
    assertThat(refused(envelope(P256.getG().getEncoded(false), ct), reader, info).undecryptable).isTrue();
  }

  private static byte[] hybrid(byte[] uncompressed, int prefix) {
    byte[] h = uncompressed.clone();
    h[0] = (byte) prefix;
    return h;
  }

  /** A point of P-256 with x < 2^256 − p, found by walking x up from 1. */
  private static ECPoint smallXPoint() {
    for (int i = 1; ; i++) {
      BigInteger x = BigInteger.valueOf(i);
      BigInteger rhs = x.pow(3).add(P256.getCurve().getA().toBigInteger().multiply(x)).add(P256.getCurve().getB().toBigInteger()).mod(P);
      // p ≡ 3 (mod 4): a square root is rhs^((p+1)/4) when one exists
      BigInteger y = rhs.modPow(P.add(BigInteger.ONE).shiftRight(2), P);
      if (y.multiply(y).mod(P).equals(rhs)) {
        return P256.getCurve().createPoint(x, y);
      }
    }
  }

  @Test
  void envelopeShapes_chosenByAttacker_refusedNotThrown() throws Exception {
    AsymmetricCipherKeyPair reader = AnnexC.deriveKeyPair(new byte[32]);
    byte[] info = AnnexC.sessionTranscript("ei", "https://shop.example");
    byte[] env = sealed(reader, info, new byte[] {1});
    CBORObject m = CBORObject.DecodeFromBytes(env).get(1);
    byte[] enc = m.get("enc").GetByteString();
    byte[] ct = m.get("cipherText").GetByteString();
    String encHex = HEX.formatHex(enc);
    String ctHex = HEX.formatHex(ct);
    String bstrEnc = "5841" + encHex;
    String bstrCt = String.format("58%02x", ct.length) + ctHex;
    String[] hex = {
        "",
        "f6", // null
        "80", // []
        "8165646361706921", // ["dcapi"] and a trailing byte
        "d818" + HEX.formatHex(env), // tagged 24
        "83" + HEX.formatHex(env).substring(2) + "f6", // three elements
        "82" + "4564636170" + "69" + "a2" + "63656e63" + bstrEnc + "6a63697068657254657874" + bstrCt, // "dcapi" as bytes
        // duplicate "enc" keys: the first a genuine enc, the second an off-curve one
        "82" + "656463617069" + "a3" + "63656e63" + bstrEnc + "63656e63" + "5841" + "04" + "00".repeat(64)
            + "6a63697068657254657874" + bstrCt,
        // enc as a text string
        "82" + "656463617069" + "a2" + "63656e63" + "7841" + "61".repeat(65) + "6a63697068657254657874" + bstrCt,
        // cipherText declared 2^63 bytes long
        "82" + "656463617069" + "a2" + "63656e63" + bstrEnc + "6a63697068657254657874" + "5b7fffffffffffffff00",
        // cipherText shorter than a GCM tag
        "82" + "656463617069" + "a2" + "63656e63" + bstrEnc + "6a63697068657254657874" + "4f" + "00".repeat(15),
        // the map nested 600 deep instead of a map
        "82" + "656463617069" + "81".repeat(600) + "a0",
        // keys as integers
        "82" + "656463617069" + "a2" + "01" + bstrEnc + "02" + bstrCt,
    };
    for (String h : hex) {
      byte[] b = HEX.parseHex(h);
      assertThatCode(() -> {
        try {
          AnnexC.open(b, reader, info);
          throw new AssertionError("opened: " + h);
        } catch (AnnexC.Unopened expected) {
          // refused
        }
      }).as(h.length() > 80 ? h.substring(0, 80) : h).doesNotThrowAnyException();
    }
    // Indefinite-length strings and map: the same values in another encoding. Opening them is
    // harmless (the AEAD decides, the plaintext is what the holder of the key sealed), but it must not throw.
    String indefinite = "9f" + "7f63646361627069ff" + "bf" + "63656e63" + "5f" + "5820" + encHex.substring(0, 64) + "5821"
        + encHex.substring(64) + "ff" + "6a63697068657254657874" + bstrCt + "ff" + "ff";
    byte[] b = HEX.parseHex(indefinite);
    assertThatCode(() -> {
      try {
        assertThat(AnnexC.open(b, reader, info)).containsExactly(1);
      } catch (AnnexC.Unopened refused) {
        // refusing is also fine
      }
    }).doesNotThrowAnyException();
    assertThat(refused(new byte[AnnexC.MAX_ENCRYPTED_BYTES + 1], reader, info).undecryptable).isFalse();
  }

  @Test
  void randomMutations_neverOpenNeverThrowOtherwise() throws Exception {
    AsymmetricCipherKeyPair reader = AnnexC.deriveKeyPair(new byte[32]);
    byte[] info = AnnexC.sessionTranscript("ei", "https://shop.example");
    byte[] env = sealed(reader, info, "a DeviceResponse".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    Random rnd = new Random(9180);
    for (int i = 0; i < 600; i++) {
      byte[] b = env.clone();
      int flips = 1 + rnd.nextInt(3);
      for (int k = 0; k < flips; k++) {
        b[rnd.nextInt(b.length)] ^= (byte) (1 + rnd.nextInt(255));
      }
      if (Arrays.equals(b, env)) {
        continue;
      }
      byte[] in = b;
      assertThatCode(() -> {
        try {
          byte[] pt = AnnexC.open(in, reader, info);
          // Only a change the CBOR decoder reads as the same values (e.g. a length header's form) may open.
          assertThat(new String(pt, java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("a DeviceResponse");
        } catch (AnnexC.Unopened expected) {
          // refused
        }
      }).doesNotThrowAnyException();
    }
  }
}
