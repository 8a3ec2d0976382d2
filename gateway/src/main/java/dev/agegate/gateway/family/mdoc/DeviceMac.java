package dev.agegate.gateway.family.mdoc;

import com.upokecenter.cbor.CBORObject;
import com.upokecenter.cbor.CBORType;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECParameterSpec;
import java.util.Arrays;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;

/**
 * ISO/IEC 18013-5 §9.1.3.5 mdoc MAC authentication ({@code deviceMac}), the reader's side, for a
 * session in which the reader made the ephemeral key {@code EReaderKey} that the session
 * transcript carries ({@code [DeviceEngagementBytes, EReaderKeyBytes, Handover]}):
 * <pre>
 *   EMacKey = HKDF-SHA-256(IKM = ECDH(EReaderKey.d, SDeviceKey) x-coordinate,
 *                          salt = SHA-256(SessionTranscriptBytes), info = "EMacKey", L = 32)
 *   deviceMac = COSE_Mac0 (alg 5, HMAC 256/256), detached payload DeviceAuthenticationBytes
 * </pre>
 * with {@code SDeviceKey} the MSO's deviceKey. Only P-256 is supported for both keys. Neither
 * OpenID4VP nor ISO 18013-7 Annex C has a reader key in its transcript, so no transport of the
 * gateway can use this; it exists for ISO 18013-5 sessions (and is proved on Annex D's sample).
 */
final class DeviceMac {
  /** COSE alg HMAC 256/256 (RFC 9053 Table 7): HMAC-SHA-256, 32-byte tag. */
  static final long ALG_HMAC_256_256 = 5;
  /** Bytes of an HMAC 256/256 tag. */
  static final int TAG_BYTES = 32;

  private static final X9ECParameters P256 = CustomNamedCurves.getByName("P-256");

  private DeviceMac() {
  }

  /**
   * A parsed COSE_Mac0.
   *
   * @param protectedBytes the protected header bstr exactly as received (MACed over as is)
   * @param tag the tag, {@value #TAG_BYTES} bytes
   */
  record Mac0(byte[] protectedBytes, byte[] tag) {
  }

  /**
   * Parses a detached COSE_Mac0 (untagged, or with tag 17): alg 5 in the protected header and not
   * in the unprotected one, no {@code crit}, payload null.
   *
   * @throws Refusal {@link Reason#DEVICE_MAC_ALG_UNSUPPORTED} for a missing or other alg,
   *     {@link Reason#DEVICE_MAC_INVALID} for a tag that is not {@value #TAG_BYTES} bytes,
   *     else {@link Reason#MALFORMED}
   */
  static Mac0 mac0(CBORObject o) throws Refusal {
    if (o == null) {
      throw new Refusal(Reason.MALFORMED);
    }
    if (o.isTagged()) {
      if (o.getTagCount() != 1 || !o.HasOneTag(17)) {
        throw new Refusal(Reason.MALFORMED);
      }
      o = o.UntagOne();
    }
    CBORObject a = Cbor.array(o, 4);
    byte[] protectedBytes = Cbor.bytes(a.get(0));
    CBORObject unprotected = Cbor.map(a.get(1));
    if (!a.get(2).isNull() || a.get(2).isTagged()) {
      throw new Refusal(Reason.MALFORMED);
    }
    byte[] tag = Cbor.bytes(a.get(3));
    if (protectedBytes.length == 0) {
      throw new Refusal(Reason.DEVICE_MAC_ALG_UNSUPPORTED);
    }
    CBORObject prot = Cbor.map(Cbor.decode(protectedBytes));
    if (prot.ContainsKey(CBORObject.FromObject(Cose.HEADER_CRIT))) {
      throw new Refusal(Reason.MALFORMED);
    }
    if (unprotected.ContainsKey(CBORObject.FromObject(Cose.HEADER_ALG))) {
      throw new Refusal(Reason.DEVICE_MAC_ALG_UNSUPPORTED);
    }
    CBORObject alg = prot.GetOrDefault(CBORObject.FromObject(Cose.HEADER_ALG), null);
    if (alg == null || alg.isTagged() || alg.getType() != CBORType.Integer || !alg.CanValueFitInInt64()
        || alg.AsInt64Value() != ALG_HMAC_256_256) {
      throw new Refusal(Reason.DEVICE_MAC_ALG_UNSUPPORTED);
    }
    if (tag.length != TAG_BYTES) {
      throw new Refusal(Reason.DEVICE_MAC_INVALID);
    }
    return new Mac0(protectedBytes, tag);
  }

  /**
   * Whether {@code mac}'s tag is HMAC-SHA-256 under {@code eMacKey} of
   * {@code MAC_structure = ["MAC0", protected, h'', deviceAuthenticationBytes]} (RFC 9052 §6.3),
   * compared in constant time.
   */
  static boolean verify(Mac0 mac, byte[] eMacKey, byte[] deviceAuthenticationBytes) {
    byte[] structure = CBORObject.NewArray()
        .Add(CBORObject.FromObject("MAC0"))
        .Add(CBORObject.FromObject(mac.protectedBytes()))
        .Add(CBORObject.FromObject(new byte[0]))
        .Add(CBORObject.FromObject(deviceAuthenticationBytes))
        .EncodeToBytes();
    byte[] expected;
    try {
      Mac hmac = Mac.getInstance("HmacSHA256");
      hmac.init(new SecretKeySpec(eMacKey, "HmacSHA256"));
      expected = hmac.doFinal(structure);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK lacks HmacSHA256", e);
    }
    return MessageDigest.isEqual(expected, mac.tag());
  }

  /**
   * {@code EMacKey} for a session with {@code transcript} (the CBOR SessionTranscript, not yet
   * wrapped in tag 24), between the reader key and the MSO's device key.
   *
   * @param readerKey checked by {@link #requireSessionReaderKey}
   * @throws Refusal {@link Reason#DEVICE_MAC_ALG_UNSUPPORTED} when the device key is not on
   *     P-256 (the only key agreement supported); the caller has checked it is on its curve
   */
  static byte[] eMacKey(ECPrivateKey readerKey, ECPublicKey deviceKey, byte[] transcript) throws Refusal {
    if (!Cose.Alg.ES256.matches(deviceKey)) {
      throw new Refusal(Reason.DEVICE_MAC_ALG_UNSUPPORTED);
    }
    byte[] z;
    try {
      KeyAgreement ka = KeyAgreement.getInstance("ECDH");
      ka.init(readerKey);
      ka.doPhase(deviceKey, true);
      z = ka.generateSecret();
    } catch (GeneralSecurityException e) {
      // SunEC refuses a peer point it cannot use; the device key was checked on the curve.
      throw new Refusal(Reason.DEVICE_KEY_INVALID);
    }
    byte[] salt = sha256(Cbor.tag24(transcript));
    HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
    hkdf.init(new HKDFParameters(z, salt, "EMacKey".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
    byte[] key = new byte[32];
    hkdf.generateBytes(key, 0, key.length);
    Arrays.fill(z, (byte) 0);
    return key;
  }

  /**
   * Checks that {@code readerKey} is this session's {@code EReaderKey}: a P-256 private key with
   * d in [1, n−1] whose public point d·G is the EC2 key of {@code EReaderKeyBytes} (element 1 of
   * {@code transcript}, {@code #6.24(bstr .cbor COSE_Key)}, on P-256 and on the curve).
   *
   * @throws IllegalArgumentException otherwise: both come from the gateway, never from the wallet
   */
  static void requireSessionReaderKey(ECPrivateKey readerKey, byte[] transcript) {
    if (!isP256(readerKey.getParams())) {
      throw new IllegalArgumentException("the reader key is not a P-256 key");
    }
    BigInteger d = readerKey.getS();
    if (d.signum() <= 0 || d.compareTo(P256.getN()) >= 0) {
      throw new IllegalArgumentException("the reader key's scalar is not in [1, n-1]");
    }
    ECPublicKey inTranscript;
    try {
      CBORObject eReaderKeyBytes = Cbor.array(Cbor.decode(transcript), 3).get(1);
      inTranscript = Cose.ec2Key(Cbor.decode(Cbor.embeddedBytes(eReaderKeyBytes)));
    } catch (Refusal r) {
      throw new IllegalArgumentException("the session transcript holds no EReaderKeyBytes with a valid EC2 key");
    }
    if (!Cose.Alg.ES256.matches(inTranscript)) {
      throw new IllegalArgumentException("the transcript's EReaderKey is not on P-256");
    }
    ECPoint q = new FixedPointCombMultiplier().multiply(P256.getG(), d).normalize();
    if (!q.getAffineXCoord().toBigInteger().equals(inTranscript.getW().getAffineX())
        || !q.getAffineYCoord().toBigInteger().equals(inTranscript.getW().getAffineY())) {
      throw new IllegalArgumentException("the reader key is not the session transcript's EReaderKey");
    }
  }

  private static boolean isP256(ECParameterSpec p) {
    ECParameterSpec ref = Cose.Alg.ES256.params;
    return p != null && p.getCurve().equals(ref.getCurve()) && p.getGenerator().equals(ref.getGenerator())
        && p.getOrder().equals(ref.getOrder()) && p.getCofactor() == ref.getCofactor();
  }

  private static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
