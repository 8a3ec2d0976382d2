package dev.agegate.gateway.family.mdoc;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import java.io.StringWriter;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.crypto.generators.Ed25519KeyPairGenerator;
import org.bouncycastle.crypto.params.Ed25519KeyGenerationParameters;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Test IACAs and document signers (BouncyCastle), with the validity windows a test needs, and
 * their keys as JWKs for the Node test wallet. The certificates follow ISO 18013-5 Annex B only
 * as far as the verifier looks: IACA = CA with keyCertSign; DS = digitalSignature + the critical
 * mdoc DS extended key usage.
 */
public final class TestPki {
  static final KeyPurposeId MDOC_DS = KeyPurposeId.getInstance(new ASN1ObjectIdentifier(MdocVerifier.EKU_MDOC_DS));
  private static final SecureRandom RANDOM = new SecureRandom();

  /** A certificate with its private key (JCA) and the private key as a JWK map. */
  public record Issued(X509Certificate cert, PrivateKey key, Map<String, Object> jwk) {
    public String pem() {
      return TestPki.pem(cert);
    }
  }

  private TestPki() {
  }

  public static KeyPair ecKeyPair(String curve) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec(curve));
    return g.generateKeyPair();
  }

  public static Map<String, Object> jwk(KeyPair kp) {
    Curve c = Curve.forECParameterSpec(((ECPublicKey) kp.getPublic()).getParams());
    return new LinkedHashMap<>(new ECKey.Builder(c, (ECPublicKey) kp.getPublic())
        .privateKey((ECPrivateKey) kp.getPrivate()).build().toJSONObject());
  }

  public static Issued iaca(String name, Instant notBefore, Instant notAfter) throws Exception {
    KeyPair kp = ecKeyPair("secp256r1");
    X500Name subject = new X500Name("CN=" + name + ",C=EU");
    X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, serial(), Date.from(notBefore),
        Date.from(notAfter), subject, kp.getPublic());
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
    b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    return new Issued(sign(b, kp.getPrivate()), kp.getPrivate(), jwk(kp));
  }

  /** A P-256 document signer under {@code iaca}; {@code eku} false leaves the mdoc EKU out. */
  public static Issued documentSigner(Issued iaca, String name, Instant notBefore, Instant notAfter, boolean eku)
      throws Exception {
    KeyPair kp = ecKeyPair("secp256r1");
    X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(iaca.cert(), serial(), Date.from(notBefore),
        Date.from(notAfter), new X500Name("CN=" + name + ",C=EU"), kp.getPublic());
    dsExtensions(b, eku);
    return new Issued(sign(b, iaca.key()), kp.getPrivate(), jwk(kp));
  }

  /** A P-256 document signer under {@code iaca} whose certificate the IACA signed with SHA1withECDSA. */
  static Issued sha1DocumentSigner(Issued iaca, Instant notBefore, Instant notAfter) throws Exception {
    KeyPair kp = ecKeyPair("secp256r1");
    X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(iaca.cert(), serial(), Date.from(notBefore),
        Date.from(notAfter), new X500Name("CN=SHA-1 DS,C=EU"), kp.getPublic());
    dsExtensions(b, true);
    X509Certificate c = new JcaX509CertificateConverter().getCertificate(
        b.build(new JcaContentSignerBuilder("SHA1withECDSA").build(iaca.key())));
    return new Issued(c, kp.getPrivate(), jwk(kp));
  }

  /** An Ed25519 document signer under {@code iaca} (an alg mdoc verifiers here refuse). */
  static Issued ed25519DocumentSigner(Issued iaca, Instant notBefore, Instant notAfter) throws Exception {
    Ed25519KeyPairGenerator g = new Ed25519KeyPairGenerator();
    g.init(new Ed25519KeyGenerationParameters(RANDOM));
    var pair = g.generateKeyPair();
    byte[] pub = ((Ed25519PublicKeyParameters) pair.getPublic()).getEncoded();
    byte[] priv = ((Ed25519PrivateKeyParameters) pair.getPrivate()).getEncoded();
    SubjectPublicKeyInfo spki = new SubjectPublicKeyInfo(new AlgorithmIdentifier(EdECObjectIdentifiers.id_Ed25519), pub);
    X509v3CertificateBuilder b = new X509v3CertificateBuilder(
        X500Name.getInstance(iaca.cert().getSubjectX500Principal().getEncoded()), serial(),
        Date.from(notBefore), Date.from(notAfter), new X500Name("CN=Ed25519 DS,C=EU"), spki);
    dsExtensions(b, true);
    Map<String, Object> jwk = new LinkedHashMap<>();
    jwk.put("kty", "OKP");
    jwk.put("crv", "Ed25519");
    jwk.put("x", Base64.getUrlEncoder().withoutPadding().encodeToString(pub));
    jwk.put("d", Base64.getUrlEncoder().withoutPadding().encodeToString(priv));
    return new Issued(sign(b, iaca.key()), null, jwk);
  }

  public static String pem(X509Certificate c) {
    StringWriter w = new StringWriter();
    try (JcaPEMWriter p = new JcaPEMWriter(w)) {
      p.writeObject(c);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return w.toString();
  }

  private static void dsExtensions(X509v3CertificateBuilder b, boolean eku) throws Exception {
    b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
    if (eku) {
      b.addExtension(Extension.extendedKeyUsage, true, new ExtendedKeyUsage(MDOC_DS));
    }
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey issuerKey) throws Exception {
    return new JcaX509CertificateConverter().getCertificate(
        b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey)));
  }

  private static BigInteger serial() {
    return new BigInteger(64, RANDOM).add(BigInteger.ONE);
  }
}
