package dev.agegate.gateway.tokens;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.agegate.gateway.config.Site;
import dev.agegate.gateway.store.Check;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.Map;

/**
 * Signs JWTs with the key that signs now ({@link SigningKeys#current()}, one snapshot per token): age tokens (docs/protocol.md, "The age
 * token") and any other claims set with a given {@code typ}. Thread-safe.
 */
public final class AgeTokens {
  /** The {@code typ} of an age token. */
  public static final JOSEObjectType AGE_TOKEN = new JOSEObjectType("agegate-age+jwt");

  private static final SecureRandom RANDOM = new SecureRandom();

  private final String issuer;
  private final SigningKeys keys;
  private final Pseudonyms pseudonyms;

  public AgeTokens(String issuer, SigningKeys keys, Pseudonyms pseudonyms) {
    this.issuer = issuer;
    this.keys = keys;
    this.pseudonyms = pseudonyms;
  }

  /**
   * The age token of a verified check.
   *
   * @param check a verified check, still holding its nullifier
   * @param site the check's site
   * @param now the issue time
   */
  public String ageToken(Check check, Site site, Instant now) {
    JWTClaimsSet.Builder c = new JWTClaimsSet.Builder()
        .issuer(issuer)
        .audience(site.id())
        .issueTime(Date.from(now))
        .expirationTime(Date.from(now.plus(site.tokenLifetime())))
        .jwtID(randomId())
        .claim("age_over", check.minAge())
        // An mdoc's IACA level (trust configuration); a ZK proof shows "at least the minimum".
        .claim("assurance", check.assurance() != null ? check.assurance() : check.minAssurance())
        // Which family proved the age; a check verified by an older gateway was a ZK proof.
        .claim("method", check.method() == null ? Site.AGEGATE_ZK : check.method());
    if (check.binding() != null) {
      c.claim("bnd", check.binding());
    }
    if (site.pseudonym() && check.nullifier() != null) {
      c.claim("psn", pseudonyms.of(site.id(), HexFormat.of().parseHex(check.nullifier())));
    }
    return sign(AGE_TOKEN, c.build());
  }

  /** Signs {@code claims} with header {@code alg: ES256}, the current {@code kid} and {@code typ}. */
  public String sign(JOSEObjectType typ, JWTClaimsSet claims) {
    SigningKeys.Current key = keys.current();
    JWSHeader h = new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.kid()).type(typ).build();
    SignedJWT jwt = new SignedJWT(h, claims);
    try {
      jwt.sign(key.signer());
    } catch (JOSEException e) {
      throw new IllegalStateException("signing failed", e);
    }
    return jwt.serialize();
  }

  /** Signs a claims map (values as nimbus accepts them: strings, numbers, maps, lists). */
  public String sign(JOSEObjectType typ, Map<String, Object> claims) {
    JWTClaimsSet.Builder b = new JWTClaimsSet.Builder();
    claims.forEach(b::claim);
    return sign(typ, b.build());
  }

  private static String randomId() {
    byte[] b = new byte[16];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }
}
