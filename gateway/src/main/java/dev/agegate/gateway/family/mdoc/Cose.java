package dev.agegate.gateway.family.mdoc;

import com.upokecenter.cbor.CBORObject;
import com.upokecenter.cbor.CBORType;
import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECFieldFp;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.EllipticCurve;

/**
 * COSE_Sign1 (RFC 9052 §4.2) and COSE_Key EC2 (RFC 9053 §7.1), limited to what an mdoc may use:
 * ECDSA with SHA-256/384/512 on P-256/P-384/P-521, each alg bound to its curve (as ISO 18013-5
 * Table 22 and the HAIP profile do). Verification uses the JDK's SunEC provider with the raw
 * {@code r || s} signature form that COSE specifies.
 */
final class Cose {
  /** COSE header labels and values used here. */
  static final long HEADER_ALG = 1;
  static final long HEADER_CRIT = 2;
  static final long HEADER_X5CHAIN = 33;

  /** The three signature algorithms accepted; anything else (EdDSA, none, RSA, HMAC) is refused. */
  enum Alg {
    ES256(-7, "SHA256withECDSAinP1363Format", "secp256r1", 32, 1),
    ES384(-35, "SHA384withECDSAinP1363Format", "secp384r1", 48, 2),
    ES512(-36, "SHA512withECDSAinP1363Format", "secp521r1", 66, 3);

    final long id;
    final String jca;
    final String curveName;
    /** Bytes of a field element or of r and s. */
    final int size;
    /** The COSE_Key crv value (RFC 9053 Table 18). */
    final long coseCrv;
    final ECParameterSpec params;

    Alg(long id, String jca, String curveName, int size, long coseCrv) {
      this.id = id;
      this.jca = jca;
      this.curveName = curveName;
      this.size = size;
      this.coseCrv = coseCrv;
      try {
        AlgorithmParameters p = AlgorithmParameters.getInstance("EC");
        p.init(new ECGenParameterSpec(curveName));
        this.params = p.getParameterSpec(ECParameterSpec.class);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("the JDK lacks curve " + curveName, e);
      }
    }

    static Alg byId(long id) {
      for (Alg a : values()) {
        if (a.id == id) {
          return a;
        }
      }
      return null;
    }

    static Alg byCrv(long crv) {
      for (Alg a : values()) {
        if (a.coseCrv == crv) {
          return a;
        }
      }
      return null;
    }

    /** Whether {@code key} is an EC key on exactly this alg's curve. */
    boolean matches(PublicKey key) {
      if (!(key instanceof ECPublicKey ec)) {
        return false;
      }
      ECParameterSpec k = ec.getParams();
      return k.getCurve().equals(params.getCurve())
          && k.getGenerator().equals(params.getGenerator())
          && k.getOrder().equals(params.getOrder())
          && k.getCofactor() == params.getCofactor();
    }
  }

  /**
   * A parsed COSE_Sign1.
   *
   * @param protectedBytes the protected header bstr exactly as received (signed over as is)
   * @param unprotected the unprotected header map
   * @param payload the payload, or null when detached
   * @param signature {@code r || s}, each {@code alg.size} bytes
   */
  record Sign1(byte[] protectedBytes, CBORObject unprotected, byte[] payload, byte[] signature, Alg alg) {
  }

  private Cose() {
  }

  /**
   * Parses a COSE_Sign1 (untagged, or with tag 18). The alg must be in the protected header and
   * nowhere else, no {@code crit} header is understood, and the signature must have the alg's
   * exact length.
   *
   * @param algRefusal the reason when the alg is missing or not accepted
   */
  static Sign1 sign1(CBORObject o, boolean detached, Reason algRefusal) throws Refusal {
    if (o == null) {
      throw new Refusal(Reason.MALFORMED);
    }
    if (o.isTagged()) {
      if (o.getTagCount() != 1 || !o.HasOneTag(18)) {
        throw new Refusal(Reason.MALFORMED);
      }
      o = o.UntagOne();
    }
    CBORObject a = Cbor.array(o, 4);
    byte[] protectedBytes = Cbor.bytes(a.get(0));
    CBORObject unprotected = Cbor.map(a.get(1));
    byte[] payload;
    if (detached) {
      if (!a.get(2).isNull() || a.get(2).isTagged()) {
        throw new Refusal(Reason.MALFORMED);
      }
      payload = null;
    } else {
      payload = Cbor.bytes(a.get(2));
    }
    byte[] signature = Cbor.bytes(a.get(3));

    if (protectedBytes.length == 0) {
      throw new Refusal(algRefusal);
    }
    CBORObject prot = Cbor.map(Cbor.decode(protectedBytes));
    if (prot.ContainsKey(CBORObject.FromObject(HEADER_CRIT))) {
      throw new Refusal(Reason.MALFORMED);
    }
    if (unprotected.ContainsKey(CBORObject.FromObject(HEADER_ALG))) {
      throw new Refusal(algRefusal);
    }
    CBORObject algItem = prot.GetOrDefault(CBORObject.FromObject(HEADER_ALG), null);
    if (algItem == null || algItem.isTagged() || algItem.getType() != CBORType.Integer
        || !algItem.CanValueFitInInt64()) {
      throw new Refusal(algRefusal);
    }
    Alg alg = Alg.byId(algItem.AsInt64Value());
    if (alg == null) {
      throw new Refusal(algRefusal);
    }
    return new Sign1(protectedBytes, unprotected, payload, signature, alg);
  }

  /**
   * Verifies {@code s} over {@code payload} (the attached one, or the detached one given) with
   * {@code key}, which must be on the alg's curve. r and s must each be in [1, n-1].
   */
  static boolean verify(Sign1 s, byte[] payload, ECPublicKey key) {
    if (!s.alg().matches(key) || s.signature().length != 2 * s.alg().size) {
      return false;
    }
    BigInteger n = s.alg().params.getOrder();
    BigInteger r = new BigInteger(1, java.util.Arrays.copyOfRange(s.signature(), 0, s.alg().size));
    BigInteger sv = new BigInteger(1, java.util.Arrays.copyOfRange(s.signature(), s.alg().size, 2 * s.alg().size));
    if (r.signum() <= 0 || r.compareTo(n) >= 0 || sv.signum() <= 0 || sv.compareTo(n) >= 0) {
      return false;
    }
    CBORObject structure = CBORObject.NewArray()
        .Add(CBORObject.FromObject("Signature1"))
        .Add(CBORObject.FromObject(s.protectedBytes()))
        .Add(CBORObject.FromObject(new byte[0]))
        .Add(CBORObject.FromObject(payload));
    try {
      Signature v = Signature.getInstance(s.alg().jca);
      v.initVerify(key);
      v.update(structure.EncodeToBytes());
      return v.verify(s.signature());
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  /**
   * A COSE_Key of kty EC2 on P-256, P-384 or P-521 as a public key, with x and y of the curve's
   * exact length, both below p, and the point on the curve (y² = x³ + ax + b mod p; the three
   * curves have cofactor 1, so on the curve means in the group). Compressed points (y as a
   * boolean) and OKP keys are refused.
   */
  static ECPublicKey ec2Key(CBORObject o) throws Refusal {
    CBORObject m;
    try {
      m = Cbor.map(o);
      if (Cbor.integer(Cbor.get(m, 1)) != 2) {
        throw new Refusal(Reason.DEVICE_KEY_INVALID);
      }
    } catch (Refusal r) {
      throw new Refusal(Reason.DEVICE_KEY_INVALID);
    }
    Alg curve;
    byte[] x;
    byte[] y;
    try {
      curve = Alg.byCrv(Cbor.integer(Cbor.get(m, -1)));
      x = Cbor.bytes(Cbor.get(m, -2));
      y = Cbor.bytes(Cbor.get(m, -3));
    } catch (Refusal r) {
      throw new Refusal(Reason.DEVICE_KEY_INVALID);
    }
    if (curve == null || x.length != curve.size || y.length != curve.size) {
      throw new Refusal(Reason.DEVICE_KEY_INVALID);
    }
    EllipticCurve c = curve.params.getCurve();
    BigInteger p = ((ECFieldFp) c.getField()).getP();
    BigInteger bx = new BigInteger(1, x);
    BigInteger by = new BigInteger(1, y);
    if (bx.compareTo(p) >= 0 || by.compareTo(p) >= 0) {
      throw new Refusal(Reason.DEVICE_KEY_INVALID);
    }
    BigInteger lhs = by.multiply(by).mod(p);
    BigInteger rhs = bx.pow(3).add(c.getA().multiply(bx)).add(c.getB()).mod(p);
    if (!lhs.equals(rhs)) {
      throw new Refusal(Reason.DEVICE_KEY_INVALID);
    }
    try {
      return (ECPublicKey) KeyFactory.getInstance("EC")
          .generatePublic(new ECPublicKeySpec(new ECPoint(bx, by), curve.params));
    } catch (GeneralSecurityException e) {
      throw new Refusal(Reason.DEVICE_KEY_INVALID);
    }
  }
}
