package dev.agegate.gateway.protocol;

import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWEObject;
import com.nimbusds.jose.crypto.ECDHDecrypter;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;
import dev.agegate.gateway.http.Problem;
import dev.agegate.gateway.http.Reason;
import dev.agegate.gateway.store.Check;
import dev.agegate.gateway.tokens.Pseudonyms;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.math.ec.ECPoint;

/**
 * OpenID4VP 1.0 encrypted responses ({@code direct_post.jwt}, section 8.3) of the cross-device
 * flow: one ephemeral P-256 key per check, offered in the request object's
 * {@code client_metadata.jwks}, and the decryption of the wallet's {@code response} (a compact
 * JWE, {@code ECDH-ES} with {@code A128GCM} or {@code A256GCM}). Thread-safe.
 *
 * <p>The private key is never stored: it is derived when needed, on any gateway sharing the
 * data folder's secret, as {@code d = Pseudonyms.derive("oid4vp/response-enc/v1", 48, nonce)
 * mod (n − 1) + 1} (HKDF-SHA-256) (48 bytes before the reduction, so its bias is below 2^-128); see
 * docs/decisions.md, "Encrypted OpenID4VP responses". Its {@code kid} is the RFC 7638 thumbprint
 * of the public key, which also goes into the mdoc session transcript.
 */
public final class ResponseEncryption {
  /** The one key agreement offered. */
  public static final JWEAlgorithm ALG = JWEAlgorithm.ECDH_ES;
  /** The content encryptions offered ({@code encrypted_response_enc_values_supported}). */
  public static final List<EncryptionMethod> ENCS = List.of(EncryptionMethod.A128GCM, EncryptionMethod.A256GCM);
  private static final X9ECParameters P256 = CustomNamedCurves.getByName("secp256r1");
  private static final String PURPOSE = "oid4vp/response-enc/v1";

  private final Pseudonyms secret;

  public ResponseEncryption(Pseudonyms secret) {
    this.secret = secret;
  }

  /** A decrypted response: its fields, and the thumbprint of the key it was encrypted to. */
  public record Decrypted(String vpToken, String state, byte[] jwkThumbprint) {}

  /** The check's key pair (private part included: never log or serialise it). */
  ECKey key(Check c) {
    BigInteger n = P256.getN();
    byte[] okm = secret.derive(PURPOSE, 48, c.nonce());
    BigInteger d = new BigInteger(1, okm).mod(n.subtract(BigInteger.ONE)).add(BigInteger.ONE);
    ECPoint q = P256.getG().multiply(d).normalize();
    ECKey pub = new ECKey.Builder(Curve.P_256, coord(q.getAffineXCoord().toBigInteger()),
        coord(q.getAffineYCoord().toBigInteger())).build();
    try {
      String kid = pub.computeThumbprint("SHA-256").toString();
      return new ECKey.Builder(pub).d(coord(d)).keyID(kid).build();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The public JWK of the check's key, as {@code client_metadata.jwks} carries it. */
  public Map<String, Object> publicJwk(Check c) {
    ECKey k = key(c).toPublicJWK();
    Map<String, Object> jwk = new LinkedHashMap<>(new ECKey.Builder(k).keyUse(com.nimbusds.jose.jwk.KeyUse.ENCRYPTION)
        .algorithm(ALG).build().toJSONObject());
    return jwk;
  }

  /** The RFC 7638 SHA-256 thumbprint of the check's public key (32 bytes). */
  public byte[] thumbprint(Check c) {
    return thumbprint(key(c));
  }

  /** The thumbprint of {@code key}: its {@code kid}, which {@link #key} sets to it. */
  private static byte[] thumbprint(ECKey key) {
    return new Base64URL(key.getKeyID()).decode();
  }

  /** An opened JWE: its plaintext (not yet parsed) and the thumbprint of the key it was encrypted to. */
  public record Opened(String plaintext, byte[] jwkThumbprint) {}

  /**
   * Decrypts {@code compact} for {@code c}; every refusal is 400 {@code response_encryption_invalid}
   * with what was wrong (nothing of the check changes: the wallet may send a correct one).
   */
  public Decrypted decrypt(Check c, String compact) {
    Opened opened = open(c, compact);
    Map<String, Object> payload;
    try {
      payload = JSONObjectUtils.parse(opened.plaintext());
    } catch (ParseException ex) {
      throw refuse("the decrypted response is not a JSON object");
    }
    Object vp = payload.get("vp_token");
    Object state = payload.get("state");
    if (!(state instanceof String st)) {
      throw new Problem(Reason.MALFORMED_REQUEST, "the decrypted response has no state");
    }
    String vpToken;
    if (vp instanceof Map<?, ?> m) {
      @SuppressWarnings("unchecked")
      Map<String, Object> obj = (Map<String, Object>) m;
      vpToken = JSONObjectUtils.toJSONString(obj);
    } else if (vp instanceof String s) {
      vpToken = s;
    } else {
      throw new Problem(Reason.MALFORMED_REQUEST, "the decrypted response has no vp_token");
    }
    return new Decrypted(vpToken, st, opened.jwkThumbprint());
  }

  /**
   * Decrypts {@code compact} for {@code c} with every check of the header ({@code alg}
   * ECDH-ES, an offered {@code enc}, no {@code zip}, the check's {@code kid}, an {@code epk} on
   * P-256); the caller reads the plaintext. Refusals as {@link #decrypt}.
   */
  public Opened open(Check c, String compact) {
    JWEObject jwe;
    try {
      jwe = JWEObject.parse(compact);
    } catch (ParseException e) {
      // nimbus refuses an epk whose point is not on its curve while parsing the header
      throw refuse("the response is not a compact JWE with a valid header (" + e.getMessage() + ")");
    } catch (RuntimeException e) {
      // nimbus throws unchecked exceptions for headers it cannot build (alg none, an epk with
      // its private part d, no enc): a malformed answer, not a failure of the gateway
      throw refuse("the response is not a compact JWE with a valid header");
    }
    JWEHeader h = jwe.getHeader();
    if (!ALG.equals(h.getAlgorithm())) {
      throw refuse("alg " + h.getAlgorithm() + " was not offered (ECDH-ES only)");
    }
    if (!ENCS.contains(h.getEncryptionMethod())) {
      throw refuse("enc " + h.getEncryptionMethod() + " was not offered (A128GCM, A256GCM)");
    }
    if (h.getCompressionAlgorithm() != null) {
      throw refuse("zip was not offered");
    }
    ECKey key = key(c);
    if (h.getKeyID() == null || !h.getKeyID().equals(key.getKeyID())) {
      throw refuse("kid is not the key of this check");
    }
    JWK epk = h.getEphemeralPublicKey();
    if (!(epk instanceof ECKey e) || !Curve.P_256.equals(e.getCurve())) {
      throw refuse("epk is not a P-256 key");
    }
    if (!onCurve(e)) {
      throw refuse("epk is not a point of P-256");
    }
    try {
      jwe.decrypt(new ECDHDecrypter(key));
    } catch (JOSEException | RuntimeException ex) {
      throw refuse("the response does not decrypt with this check's key");
    }
    // the key derived above: one scalar multiplication per response
    return new Opened(new String(jwe.getPayload().toBytes(), StandardCharsets.UTF_8), thumbprint(key));
  }

  private static boolean onCurve(ECKey e) {
    try {
      ECPoint p = P256.getCurve().validatePoint(e.getX().decodeToBigInteger(), e.getY().decodeToBigInteger());
      return p.isValid() && !p.isInfinity();
    } catch (IllegalArgumentException ex) {
      return false;
    }
  }

  private static Problem refuse(String detail) {
    return new Problem(Reason.RESPONSE_ENCRYPTION_INVALID, detail);
  }

  private static Base64URL coord(BigInteger v) {
    byte[] b = v.toByteArray();
    byte[] out = new byte[32];
    int len = Math.min(b.length, 32);
    System.arraycopy(b, b.length - len, out, 32 - len, len);
    return Base64URL.encode(out);
  }
}
