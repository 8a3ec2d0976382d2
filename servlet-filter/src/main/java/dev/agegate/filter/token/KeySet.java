package dev.agegate.filter.token;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import java.text.ParseException;
import java.util.Map;
import java.util.TreeMap;

/**
 * An immutable snapshot of the gateway's ES256 signing keys, with a ready verifier per
 * {@code kid}. Keys of any other type, curve, use or algorithm are dropped, so a JWKS
 * cannot smuggle in an RSA or symmetric key that a confused verifier would accept.
 */
final class KeySet {

  private final Map<String, JWSVerifier> verifiers;

  private KeySet(Map<String, JWSVerifier> verifiers) {
    this.verifiers = Map.copyOf(verifiers);
  }

  /**
   * @param json a JWKS document
   * @throws ParseException when it is not a JWKS or holds no usable ES256 key
   */
  static KeySet parse(String json) throws ParseException {
    JWKSet set = JWKSet.parse(json);
    Map<String, JWSVerifier> verifiers = new TreeMap<>();
    for (JWK jwk : set.getKeys()) {
      if (!(jwk instanceof ECKey ec) || !Curve.P_256.equals(ec.getCurve()) || ec.getKeyID() == null
          || (ec.getKeyUse() != null && !KeyUse.SIGNATURE.equals(ec.getKeyUse()))
          || (ec.getAlgorithm() != null && !JWSAlgorithm.ES256.equals(ec.getAlgorithm()))) {
        continue;
      }
      try {
        verifiers.putIfAbsent(ec.getKeyID(), new ECDSAVerifier(ec.toPublicJWK()));
      } catch (JOSEException e) {
        throw new ParseException("JWKS key " + ec.getKeyID() + " is not a usable P-256 key", 0);
      }
    }
    if (verifiers.isEmpty()) {
      throw new ParseException("JWKS holds no EC P-256 signing key with a kid", 0);
    }
    return new KeySet(verifiers);
  }

  /** @return the verifier for {@code kid}, or null when the set has no such key */
  JWSVerifier verifier(String kid) {
    return verifiers.get(kid);
  }

  @Override
  public String toString() {
    return "KeySet" + verifiers.keySet();
  }
}
