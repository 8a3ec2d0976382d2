package dev.agegate.gateway.family.mdoc;

import com.upokecenter.cbor.CBORObject;
import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.Objects;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.hpke.HPKE;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.math.ec.ECPoint;

/**
 * ISO/IEC 18013-7 Annex C ({@code org-iso-mdoc} over the W3C Digital Credentials API), the
 * reader's side: the DeviceRequest and EncryptionInfo a page hands {@code navigator.credentials.get},
 * the SessionTranscript, and opening the wallet's EncryptedResponse (HPKE base mode,
 * DHKEM(P-256, HKDF-SHA256), HKDF-SHA256, AES-128-GCM; info = the SessionTranscript's CBOR,
 * empty aad). The DeviceResponse inside is verified by {@link MdocVerifier} like any other.
 */
public final class AnnexC {
  /** The Digital Credentials API protocol identifier. */
  public static final String PROTOCOL = "org-iso-mdoc";
  /** The largest EncryptedResponse opened: a DeviceResponse at its cap, plus the envelope. */
  public static final int MAX_ENCRYPTED_BYTES = MdocVerifier.MAX_RESPONSE_BYTES + 256;

  private static final X9ECParameters P256 = CustomNamedCurves.getByName("P-256");

  private AnnexC() {
  }

  /** Why an EncryptedResponse was not opened. */
  public static final class Unopened extends Exception {
    private static final long serialVersionUID = 1L;
    /** True when the envelope was well-formed but HPKE refused it (another key, another transcript, altered). */
    public final boolean undecryptable;

    Unopened(boolean undecryptable, String message) {
      super(message, null, false, false);
      this.undecryptable = undecryptable;
    }
  }

  private static HPKE suite() {
    return new HPKE(HPKE.mode_base, HPKE.kem_P256_SHA256, HPKE.kdf_HKDF_SHA256, HPKE.aead_AES_GCM128);
  }

  /** RFC 9180 DeriveKeyPair for P-256 from {@code ikm} (at least 32 bytes of secret input): always a valid key. */
  public static AsymmetricCipherKeyPair deriveKeyPair(byte[] ikm) {
    if (ikm.length < 32) {
      throw new IllegalArgumentException("ikm must have at least 32 bytes");
    }
    return suite().deriveKeyPair(ikm);
  }

  /** {@code EncryptionInfo = ["dcapi", {"nonce": bstr, "recipientPublicKey": COSE_Key}]}, CBOR-encoded. */
  public static byte[] encryptionInfo(byte[] nonce, AsymmetricCipherKeyPair reader) {
    ECPoint q = ((ECPublicKeyParameters) reader.getPublic()).getQ().normalize();
    CBORObject key = CBORObject.NewOrderedMap()
        .Add(1, 2) // kty EC2
        .Add(-1, 1) // crv P-256
        .Add(-2, q.getAffineXCoord().getEncoded())
        .Add(-3, q.getAffineYCoord().getEncoded());
    CBORObject params = CBORObject.NewOrderedMap()
        .Add("nonce", nonce)
        .Add("recipientPublicKey", key);
    return CBORObject.NewArray().Add("dcapi").Add(params).EncodeToBytes();
  }

  /**
   * {@code DeviceRequest = {"version": "1.0", "docRequests": [{"itemsRequest": #6.24(ItemsRequest)}, ...]}},
   * one per accepted docType, each asking for {@code age_over_NN} (not retained) in its namespace.
   *
   * @param docTypes the accepted docTypes, each with the namespace of its {@code age_over_NN}
   * @param minAge 1..99 (ISO 18013-5 has two digits)
   */
  public static byte[] deviceRequest(Map<String, String> docTypes, int minAge) {
    if (minAge < 1 || minAge > 99) {
      throw new IllegalArgumentException("age_over_NN has two digits");
    }
    String element = String.format(java.util.Locale.ROOT, "age_over_%02d", minAge);
    CBORObject docRequests = CBORObject.NewArray();
    for (Map.Entry<String, String> d : docTypes.entrySet()) {
      CBORObject items = CBORObject.NewOrderedMap()
          .Add("docType", d.getKey())
          .Add("nameSpaces", CBORObject.NewOrderedMap().Add(d.getValue(), CBORObject.NewOrderedMap().Add(element, false)));
      docRequests.Add(CBORObject.NewOrderedMap().Add("itemsRequest",
          CBORObject.FromObject(items.EncodeToBytes()).WithTag(24)));
    }
    return CBORObject.NewOrderedMap().Add("version", "1.0").Add("docRequests", docRequests).EncodeToBytes();
  }

  /**
   * {@code SessionTranscript = [null, null, ["dcapi", SHA-256(CBOR [encryptionInfoB64, origin])]]},
   * CBOR-encoded: the HPKE info and what the device signs over.
   *
   * @param encryptionInfoB64 the EncryptionInfo exactly as the page was given it (base64url)
   * @param origin the calling page's origin
   */
  public static byte[] sessionTranscript(String encryptionInfoB64, String origin) {
    Objects.requireNonNull(encryptionInfoB64, "encryptionInfoB64");
    Objects.requireNonNull(origin, "origin");
    byte[] hash;
    try {
      hash = MessageDigest.getInstance("SHA-256")
          .digest(CBORObject.NewArray().Add(encryptionInfoB64).Add(origin).EncodeToBytes());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    CBORObject handover = CBORObject.NewArray().Add("dcapi").Add(hash);
    return CBORObject.NewArray().Add(CBORObject.Null).Add(CBORObject.Null).Add(handover).EncodeToBytes();
  }

  /**
   * Opens {@code EncryptedResponse = ["dcapi", {"enc": bstr, "cipherText": bstr}]} for
   * {@code reader} with {@code info} (the SessionTranscript's CBOR): the DeviceResponse bytes.
   * The encapsulated key must be an uncompressed P-256 point on the curve.
   *
   * @throws Unopened malformed ({@code undecryptable} false) or refused by HPKE (true)
   */
  public static byte[] open(byte[] encryptedResponse, AsymmetricCipherKeyPair reader, byte[] info) throws Unopened {
    if (encryptedResponse.length > MAX_ENCRYPTED_BYTES) {
      throw new Unopened(false, "the EncryptedResponse is larger than " + MAX_ENCRYPTED_BYTES + " bytes");
    }
    byte[] enc;
    byte[] cipherText;
    try {
      CBORObject a = Cbor.array(Cbor.decode(encryptedResponse), 2);
      if (!"dcapi".equals(Cbor.text(a.get(0)))) {
        throw new Unopened(false, "the EncryptedResponse is not of the dcapi kind");
      }
      CBORObject m = Cbor.map(a.get(1));
      enc = Cbor.bytes(m.get(CBORObject.FromObject("enc")));
      cipherText = Cbor.bytes(m.get(CBORObject.FromObject("cipherText")));
    } catch (Refusal | RuntimeException e) {
      throw new Unopened(false, "the EncryptedResponse is not [\"dcapi\", {\"enc\": bstr, \"cipherText\": bstr}]");
    }
    if (!onCurve(enc)) {
      throw new Unopened(false, "enc is not an uncompressed P-256 point on the curve");
    }
    if (cipherText.length < 16) {
      throw new Unopened(false, "cipherText is shorter than its tag");
    }
    try {
      return suite().open(enc, reader, info, new byte[0], cipherText, null, null, null);
    } catch (InvalidCipherTextException | RuntimeException e) {
      throw new Unopened(true, "the EncryptedResponse does not open for this check's key and transcript");
    }
  }

  /** 65 bytes {@code 04 || x || y}, x and y below p, y² = x³ + ax + b (cofactor 1: in the group). */
  static boolean onCurve(byte[] enc) {
    if (enc == null || enc.length != 65 || enc[0] != 0x04) {
      return false;
    }
    BigInteger p = P256.getCurve().getField().getCharacteristic();
    BigInteger x = new BigInteger(1, java.util.Arrays.copyOfRange(enc, 1, 33));
    BigInteger y = new BigInteger(1, java.util.Arrays.copyOfRange(enc, 33, 65));
    if (x.compareTo(p) >= 0 || y.compareTo(p) >= 0) {
      return false;
    }
    BigInteger a = P256.getCurve().getA().toBigInteger();
    BigInteger b = P256.getCurve().getB().toBigInteger();
    return y.multiply(y).mod(p).equals(x.pow(3).add(a.multiply(x)).add(b).mod(p));
  }
}
