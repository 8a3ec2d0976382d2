package dev.agegate.gateway.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.nimbusds.jose.CompressionAlgorithm;
import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEEncrypter;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWEObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.DirectEncrypter;
import com.nimbusds.jose.crypto.ECDHEncrypter;
import com.nimbusds.jose.crypto.RSAEncrypter;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import dev.agegate.gateway.http.Problem;
import dev.agegate.gateway.http.Reason;
import dev.agegate.gateway.store.Check;
import dev.agegate.gateway.tokens.Pseudonyms;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An attacker's review of {@link ResponseEncryption} ({@code direct_post.jwt}): every header
 * trick (alg none/dir/key wrap/RSA/PBES2 with a huge p2c, zip, crit, JSON serialisation, a
 * non-empty encrypted key, short IV or tag, kid confusion, epk aliased / off-curve / another
 * curve / X25519) is a 400 {@link Problem} with no other exception; the per-check key is
 * separated from the Annex C key of the same check and from other checks'; the decrypted
 * payload's shape is checked; random mutations of a genuine JWE never escape as anything but
 * a Problem.
 */
class ResponseEncryptionAttackTest {
  static Pseudonyms secret;
  static ResponseEncryption encryption;
  static final Check CHECK = DcApiMdocTest.check("tx-aaaaaaaaaaaaaaaa", "nonce-aaaaaaaaaaaaaaaaa", 18);
  static final String PAYLOAD = "{\"vp_token\":{\"mdoc_eu_europa_ec_av_1\":[\"oQE\"]},\"state\":\"state\"}";
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  @BeforeAll
  static void keys(@TempDir Path dir) {
    secret = Pseudonyms.open(dir);
    encryption = new ResponseEncryption(secret);
  }

  private static ECKey pub() {
    return encryption.key(CHECK).toPublicJWK();
  }

  private static String jwe(JWEHeader h, JWEEncrypter enc, String payload) throws Exception {
    JWEObject o = new JWEObject(h, new Payload(payload));
    o.encrypt(enc);
    return o.serialize();
  }

  private static JWEHeader.Builder header() {
    return new JWEHeader.Builder(JWEAlgorithm.ECDH_ES, EncryptionMethod.A128GCM).keyID(pub().getKeyID());
  }

  private static String genuine() throws Exception {
    return jwe(header().build(), new ECDHEncrypter(pub()), PAYLOAD);
  }

  /** Decrypting {@code compact} for the check is refused with a 400 Problem (no other exception). */
  private static Problem refused(String what, String compact) {
    Throwable t = catchThrowable(() -> encryption.decrypt(CHECK, compact));
    assertThat(t).as(what).isInstanceOf(Problem.class);
    Problem p = (Problem) t;
    assertThat(p.reason()).as(what + ": " + p.detail()).isIn(Reason.RESPONSE_ENCRYPTION_INVALID, Reason.MALFORMED_REQUEST);
    assertThat(p.reason().status().code()).isEqualTo(400);
    return p;
  }

  private static String b64(String json) {
    return B64.encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  /** A genuine JWE's parts with its protected header replaced by {@code headerJson} (the tag then fails, if reached). */
  private static String withHeader(String headerJson) throws Exception {
    String[] p = genuine().split("\\.", -1);
    p[0] = b64(headerJson);
    return String.join(".", p);
  }

  private static String epkJson(ECKey k) {
    return k.toPublicJWK().toJSONString();
  }

  @Test
  void genuine_decrypts_withTheCheckOwnThumbprint() throws Exception {
    ResponseEncryption.Decrypted d = encryption.decrypt(CHECK, genuine());
    assertThat(d.state()).isEqualTo("state");
    assertThat(d.jwkThumbprint()).isEqualTo(pub().computeThumbprint("SHA-256").decode());
    assertThat(encryption.thumbprint(CHECK)).isEqualTo(d.jwkThumbprint());
  }

  @Test
  void algAndEncTricks_refused() throws Exception {
    String kid = pub().getKeyID();
    refused("alg dir", jwe(new JWEHeader.Builder(JWEAlgorithm.DIR, EncryptionMethod.A128GCM).keyID(kid).build(),
        new DirectEncrypter(new byte[16]), PAYLOAD));
    refused("alg ECDH-ES+A128KW", jwe(new JWEHeader.Builder(JWEAlgorithm.ECDH_ES_A128KW, EncryptionMethod.A128GCM)
        .keyID(kid).build(), new ECDHEncrypter(pub()), PAYLOAD));
    RSAKey rsa = new RSAKeyGenerator(2048).generate();
    refused("alg RSA-OAEP-256", jwe(new JWEHeader.Builder(JWEAlgorithm.RSA_OAEP_256, EncryptionMethod.A128GCM)
        .keyID(kid).build(), new RSAEncrypter(rsa.toPublicJWK()), PAYLOAD));
    // PBES2 with a p2c of 2^31-1 (CVE-2023-52428 style CPU exhaustion): refused on the alg, no iteration run
    refused("alg PBES2 huge p2c", withHeader("{\"alg\":\"PBES2-HS256+A128KW\",\"enc\":\"A128GCM\",\"p2c\":2147483647,"
        + "\"p2s\":\"AAAAAAAAAAAAAAAAAAAAAA\",\"kid\":\"" + kid + "\"}"));
    refused("alg ECDH-1PU", withHeader("{\"alg\":\"ECDH-1PU\",\"enc\":\"A128GCM\",\"kid\":\"" + kid
        + "\",\"epk\":" + epkJson(new ECKeyGenerator(Curve.P_256).generate()) + "}"));
    refused("enc A128CBC-HS256", jwe(new JWEHeader.Builder(JWEAlgorithm.ECDH_ES, EncryptionMethod.A128CBC_HS256)
        .keyID(kid).build(), new ECDHEncrypter(pub()), PAYLOAD));
    refused("enc unknown", withHeader("{\"alg\":\"ECDH-ES\",\"enc\":\"XC20P\",\"kid\":\"" + kid + "\",\"epk\":"
        + epkJson(new ECKeyGenerator(Curve.P_256).generate()) + "}"));
  }

  /**
   * Was a hole (low, fixed): nimbus' {@code JWEObject.parse} throws {@link IllegalArgumentException}, not
   * {@code ParseException}, for a header it cannot build (alg "none", no enc, enc or alg not a
   * string...), and {@code ResponseEncryption.decrypt} catches only ParseException: the wallet's
   * POST becomes a 500 {@code internal_error} with a WARNING and stack trace in the log, instead
   * of 400 {@code response_encryption_invalid}.
   */
  @Test
  void headerNimbusCannotBuild_refused400_notAnIllegalArgumentException() throws Exception {
    String kid = pub().getKeyID();
    String epk = epkJson(new ECKeyGenerator(Curve.P_256).generate());
    refused("alg none", withHeader("{\"alg\":\"none\",\"enc\":\"A128GCM\",\"kid\":\"" + kid + "\"}"));
    refused("enc missing", withHeader("{\"alg\":\"ECDH-ES\",\"kid\":\"" + kid + "\",\"epk\":" + epk + "}"));
    refused("alg missing", withHeader("{\"enc\":\"A128GCM\",\"kid\":\"" + kid + "\",\"epk\":" + epk + "}"));
    refused("enc a number", withHeader("{\"alg\":\"ECDH-ES\",\"enc\":1,\"kid\":\"" + kid + "\",\"epk\":" + epk + "}"));
    refused("kid a number", withHeader("{\"alg\":\"ECDH-ES\",\"enc\":\"A128GCM\",\"kid\":1,\"epk\":" + epk + "}"));
    refused("epk with its private d", withHeader("{\"alg\":\"ECDH-ES\",\"enc\":\"A128GCM\",\"kid\":\"" + kid
        + "\",\"epk\":" + new ECKeyGenerator(Curve.P_256).generate().toJSONString() + "}"));
    refused("crit not an array", withHeader("{\"alg\":\"ECDH-ES\",\"enc\":\"A128GCM\",\"crit\":\"x\",\"kid\":\""
        + kid + "\",\"epk\":" + epk + "}"));
  }

  @Test
  void zipCritAndSerialisationTricks_refused() throws Exception {
    Problem zip = refused("zip DEF (decompression bomb)", jwe(header().compressionAlgorithm(CompressionAlgorithm.DEF).build(),
        new ECDHEncrypter(pub()), PAYLOAD));
    assertThat(zip.detail()).contains("zip");
    refused("crit on an unknown parameter", jwe(header().criticalParams(Set.of("exp")).customParam("exp", 1).build(),
        new ECDHEncrypter(pub()), PAYLOAD));
    String[] p = genuine().split("\\.", -1);
    refused("JSON serialisation", "{\"protected\":\"" + p[0] + "\",\"encrypted_key\":\"\",\"iv\":\"" + p[2]
        + "\",\"ciphertext\":\"" + p[3] + "\",\"tag\":\"" + p[4] + "\"}");
    refused("a JWS, not a JWE", p[0] + "." + p[3] + "." + p[4]);
    refused("six parts", genuine() + ".AAAA");
    refused("empty IV", String.join(".", p[0], p[1], "", p[3], p[4]));
    refused("16-byte IV", String.join(".", p[0], p[1], B64.encodeToString(new byte[16]), p[3], p[4]));
    refused("empty tag", String.join(".", p[0], p[1], p[2], p[3], ""));
    byte[] tag = Base64.getUrlDecoder().decode(p[4]);
    refused("tag cut to 4 bytes", String.join(".", p[0], p[1], p[2], p[3], B64.encodeToString(java.util.Arrays.copyOf(tag, 4))));
    refused("empty ciphertext", String.join(".", p[0], p[1], p[2], "", p[4]));
    refused("empty", "");
    refused("dots only", "....");
    refused("header not JSON", String.join(".", b64("not json"), p[1], p[2], p[3], p[4]));
    refused("header nested 100000 deep", String.join(".", b64("{\"alg\":\"ECDH-ES\",\"x\":" + "[".repeat(100_000)
        + "]".repeat(100_000) + "}"), p[1], p[2], p[3], p[4]));
  }

  /**
   * RFC 7518 §4.6: in ECDH-ES direct key agreement the JWE Encrypted Key MUST be empty. nimbus
   * ignores a non-empty one, so it is accepted: no effect on what is decrypted (the encrypted key
   * is not authenticated in any JWE mode, and it is not used here), noted as a laxness only.
   */
  @Test
  void nonEmptyEncryptedKey_ignored_samePayload() throws Exception {
    String[] p = genuine().split("\\.", -1);
    ResponseEncryption.Decrypted d = encryption.decrypt(CHECK,
        String.join(".", p[0], B64.encodeToString(new byte[16]), p[2], p[3], p[4]));
    assertThat(d.state()).isEqualTo("state");
  }

  @Test
  void kidAndEpkTricks_refused() throws Exception {
    ECKey stranger = new ECKeyGenerator(Curve.P_256).generate();
    assertThat(refused("kid missing", jwe(new JWEHeader.Builder(JWEAlgorithm.ECDH_ES, EncryptionMethod.A128GCM).build(),
        new ECDHEncrypter(pub()), PAYLOAD)).detail()).contains("kid");
    refused("kid of a stranger's key, sealed to it", jwe(new JWEHeader.Builder(JWEAlgorithm.ECDH_ES, EncryptionMethod.A128GCM)
        .keyID(stranger.computeThumbprint().toString()).build(), new ECDHEncrypter(stranger.toPublicJWK()), PAYLOAD));
    refused("our kid, sealed to a stranger's key", jwe(header().build(), new ECDHEncrypter(stranger.toPublicJWK()), PAYLOAD));
    refused("kid with a trailing space", jwe(new JWEHeader.Builder(JWEAlgorithm.ECDH_ES, EncryptionMethod.A128GCM)
        .keyID(pub().getKeyID() + " ").build(), new ECDHEncrypter(pub()), PAYLOAD));
    Check other = DcApiMdocTest.check("tx-bbbbbbbbbbbbbbbb", "nonce-bbbbbbbbbbbbbbbbb", 18);
    ECKey otherKey = encryption.key(other).toPublicJWK();
    refused("another check's kid and key", jwe(new JWEHeader.Builder(JWEAlgorithm.ECDH_ES, EncryptionMethod.A128GCM)
        .keyID(otherKey.getKeyID()).build(), new ECDHEncrypter(otherKey), PAYLOAD));

    String kid = pub().getKeyID();
    refused("epk X25519 (OKP)", withHeader("{\"alg\":\"ECDH-ES\",\"enc\":\"A128GCM\",\"kid\":\"" + kid
        + "\",\"epk\":{\"kty\":\"OKP\",\"crv\":\"X25519\",\"x\":\"" + B64.encodeToString(new byte[32]) + "\"}}"));
    // secp256k1's generator (the JDK no longer generates keys on it)
    String k1 = "{\"kty\":\"EC\",\"crv\":\"secp256k1\",\"x\":\"" + B64.encodeToString(java.util.HexFormat.of()
        .parseHex("79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798")) + "\",\"y\":\""
        + B64.encodeToString(java.util.HexFormat.of().parseHex("483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8"))
        + "\"}";
    refused("epk secp256k1", withHeader("{\"alg\":\"ECDH-ES\",\"enc\":\"A128GCM\",\"kid\":\"" + kid + "\",\"epk\":"
        + k1 + "}"));
    ECKey p384 = new ECKeyGenerator(Curve.P_384).generate();
    refused("epk P-384 (labelled P-256)", withHeader("{\"alg\":\"ECDH-ES\",\"enc\":\"A128GCM\",\"kid\":\"" + kid
        + "\",\"epk\":{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" + p384.getX() + "\",\"y\":\"" + p384.getY() + "\"}}"));

    X9ECParameters c = CustomNamedCurves.getByName("secp256r1");
    BigInteger p = c.getCurve().getField().getCharacteristic();
    ECKey e = new ECKeyGenerator(Curve.P_256).generate();
    BigInteger x = e.getX().decodeToBigInteger();
    BigInteger y = e.getY().decodeToBigInteger();
    Map<String, String> epks = new LinkedHashMap<>();
    epks.put("y + 1 (off the curve)", epk(x, y.add(BigInteger.ONE)));
    epks.put("x + p (aliased, 33 bytes)", epk(x.add(p), y));
    epks.put("y + p (aliased, 33 bytes)", epk(x, y.add(p)));
    epks.put("(0, 0)", epk(BigInteger.ZERO, BigInteger.ZERO));
    epks.put("(p, p)", epk(p, p));
    epks.put("y missing", "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" + e.getX() + "\"}");
    epks.put("y as a number", "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" + e.getX() + "\",\"y\":1}");
    epks.put("epk a string", "\"" + e.getX() + "\"");
    for (Map.Entry<String, String> t : epks.entrySet()) {
      refused("epk " + t.getKey(), withHeader("{\"alg\":\"ECDH-ES\",\"enc\":\"A128GCM\",\"kid\":\"" + kid
          + "\",\"epk\":" + t.getValue() + "}"));
    }
  }

  private static String epk(BigInteger x, BigInteger y) {
    return "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" + B64.encodeToString(unsigned(x)) + "\",\"y\":\""
        + B64.encodeToString(unsigned(y)) + "\"}";
  }

  private static byte[] unsigned(BigInteger v) {
    byte[] b = v.toByteArray();
    if (b.length > 1 && b[0] == 0) {
      b = java.util.Arrays.copyOfRange(b, 1, b.length);
    }
    if (b.length < 32) {
      byte[] out = new byte[32];
      System.arraycopy(b, 0, out, 32 - b.length, b.length);
      return out;
    }
    return b;
  }

  @Test
  void decryptedPayloadShapes_refused() throws Exception {
    Map<String, String> bad = new LinkedHashMap<>();
    bad.put("not JSON", "vp_token=x&state=state");
    bad.put("an array", "[]");
    bad.put("no state", "{\"vp_token\":\"x\"}");
    bad.put("state a number", "{\"vp_token\":\"x\",\"state\":1}");
    bad.put("no vp_token", "{\"state\":\"state\"}");
    bad.put("vp_token a number", "{\"vp_token\":7,\"state\":\"state\"}");
    bad.put("vp_token nested 50000 deep", "{\"state\":\"state\",\"vp_token\":" + "{\"a\":".repeat(50_000) + "1"
        + "}".repeat(50_000) + "}");
    for (Map.Entry<String, String> t : bad.entrySet()) {
      refused(t.getKey(), jwe(header().build(), new ECDHEncrypter(pub()), t.getValue()));
    }
  }

  @Test
  void keys_perCheck_andSeparatedFromTheAnnexCKeyOfTheSameCheck() throws Exception {
    BigInteger d = encryption.key(CHECK).getD().decodeToBigInteger();
    // The Annex C reader key of the same check (DcApiMdoc's derivation)
    byte[] ikm = secret.derive("dcapi/org-iso-mdoc/reader-key", 32, CHECK.transactionId(), CHECK.nonce());
    BigInteger annexC = ((org.bouncycastle.crypto.params.ECPrivateKeyParameters)
        dev.agegate.gateway.family.mdoc.AnnexC.deriveKeyPair(ikm).getPrivate()).getD();
    assertThat(d).isNotEqualTo(annexC);
    assertThat(new BigInteger(1, ikm)).isNotEqualTo(d);
    // same nonce on another transaction: the JWE key depends on the nonce only (the nonce is per check)
    Check sameNonce = DcApiMdocTest.check("tx-cccccccccccccccc", CHECK.nonce(), 18);
    assertThat(encryption.key(sameNonce).getD()).isEqualTo(encryption.key(CHECK).getD());
    // ... but the Annex C key does not: tx and nonce both go in, in order
    byte[] swapped = secret.derive("dcapi/org-iso-mdoc/reader-key", 32, CHECK.nonce(), CHECK.transactionId());
    assertThat(swapped).isNotEqualTo(ikm);
    assertThat(secret.derive("dcapi/org-iso-mdoc/nonce", 32, CHECK.transactionId(), CHECK.nonce())).isNotEqualTo(ikm);
    // d in [1, n-1]
    BigInteger n = CustomNamedCurves.getByName("secp256r1").getN();
    assertThat(d.signum()).isPositive();
    assertThat(d).isLessThan(n);
  }

  /** Random mutations of a valid JWE: only refusals escape (found the unchecked exceptions of {@link #headerNimbusCannotBuild_refused400_notAnIllegalArgumentException}). */
  @Test
  void randomMutations_onlyProblemsEscape() throws Exception {
    String real = genuine();
    Random rnd = new Random(7516);
    char[] alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ ".toCharArray();
    Map<String, String> escaped = new java.util.TreeMap<>();
    for (int i = 0; i < 400; i++) {
      char[] c = real.toCharArray();
      for (int k = 0, n = 1 + rnd.nextInt(3); k < n; k++) {
        c[rnd.nextInt(c.length)] = alphabet[rnd.nextInt(alphabet.length)];
      }
      String m = new String(c);
      Throwable t = catchThrowable(() -> {
        ResponseEncryption.Decrypted d = encryption.decrypt(CHECK, m);
        // only a change base64url's lenient last character hides may still decrypt, to the same payload
        assertThat(d.state()).isEqualTo("state");
      });
      if (t != null && !(t instanceof Problem p && p.reason().status().code() == 400)) {
        escaped.put(t.getClass().getSimpleName() + ": " + t.getMessage(), m);
      }
    }
    assertThat(escaped).as("mutations that escaped as something else than a 400 Problem").isEmpty();
    SecureRandom sr = new SecureRandom();
    byte[] junk = new byte[2048];
    sr.nextBytes(junk);
    refused("random bytes", Base64URL.encode(junk).toString());
  }
}
