package dev.agegate.gateway.tokens;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.util.Base64;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The certificate chain behind the {@code x509_san_dns:<host>} client id (OpenID4VP 1.0
 * §5.9.3): the {@code x5c} of every request object, leaf first, and the key that signs with it.
 * The leaf certifies the request-signing key and names the public URL's host as a dNSName SAN.
 *
 * <ul>
 *   <li><b>Configured</b> ({@code agegate.client-id.certificate-chain}, a PEM file, leaf first):
 *       checked once at start, and the gateway refuses to start, naming the problem, unless the
 *       leaf's public key is the key that signs now (one of {@code agegate.tokens.signing-keys}:
 *       generated keys rotate and a certificate cannot follow them), the leaf names the host, is
 *       not self-signed and may sign, every certificate is valid now and each is signed by the
 *       next. Request objects are then signed by the leaf's key, even after another configured
 *       key starts signing age tokens: the certificate pins it.</li>
 *   <li><b>Self-signed</b> (demo and tests, {@code agegate.client-id.self-signed}): a CA key made at
 *       start and never written anywhere issues a leaf for each signing key as it starts signing,
 *       so rotation keeps working; the chain is leaf, CA. No wallet can trust that CA: it
 *       authenticates nothing (docs/security.md).</li>
 * </ul>
 *
 * Thread-safe.
 */
public final class RequestCertificates {
  /** How long a self-signed leaf is valid (it is issued again when less than a day is left). */
  static final Duration SELF_SIGNED_LEAF = Duration.ofDays(30);

  /** The key that signs a request object and the {@code x5c} that certifies it, leaf first. */
  public record Signer(SigningKeys.Current key, List<Base64> x5c) {
    public Signer {
      x5c = List.copyOf(x5c);
    }
  }

  private final SigningKeys keys;
  private final String host;
  private final Clock clock;
  /** Configured: the chain and the id of the key its leaf certifies. Null when self-signed. */
  private final List<Base64> configured;
  private final String configuredKid;
  /** Self-signed: the CA and the leaves issued so far, by key id. */
  private final KeyPair ca;
  private final X509Certificate caCert;
  private final Map<String, Leaf> leaves = new ConcurrentHashMap<>();

  private record Leaf(List<Base64> x5c, Instant notAfter) {}

  /** The configured chain's earliest notAfter (null for the self-signed chain). */
  private final Instant configuredUntil;

  private RequestCertificates(SigningKeys keys, String host, Clock clock, List<Base64> configured, String configuredKid,
      KeyPair ca, X509Certificate caCert, Instant configuredUntil) {
    this.configuredUntil = configuredUntil;
    this.keys = keys;
    this.host = host;
    this.clock = clock;
    this.configured = configured;
    this.configuredKid = configuredKid;
    this.ca = ca;
    this.caCert = caCert;
  }

  /** The host the client id names. */
  public String host() {
    return host;
  }

  /**
   * Reads and checks a configured chain (see the class).
   *
   * @param file PEM certificates, leaf first, then its issuer(s); the trust anchor may be left out
   * @param host the public URL's host, which the leaf must name as a dNSName
   * @throws IllegalStateException naming {@code agegate.client-id.certificate-chain} and what is wrong
   */
  public static RequestCertificates configured(Path file, SigningKeys keys, String host, Clock clock) {
    String key = "agegate.client-id.certificate-chain (" + file + ")";
    List<X509Certificate> chain = readChain(file, key);
    checkChain(chain, host, clock.instant(), key);
    String leafKid = kidOf(chain.get(0).getPublicKey(), key);
    String signing = keys.current().kid();
    if (!keys.fromPem()) {
      throw new IllegalStateException(key + ": needs the request-signing key in agegate.tokens.signing-keys;"
          + " generated signing keys rotate, and a certificate cannot follow them");
    }
    if (!leafKid.equals(signing)) {
      throw new IllegalStateException(key + ": the leaf certificate's public key (RFC 7638 thumbprint " + leafKid
          + ") is not the request-signing key (" + signing + ", the key of agegate.tokens.signing-keys that signs now)");
    }
    List<Base64> x5c = new ArrayList<>();
    for (X509Certificate c : chain) {
      x5c.add(encode(c));
    }
    Instant until = chain.stream().map(c -> c.getNotAfter().toInstant()).min(Instant::compareTo).orElseThrow();
    return new RequestCertificates(keys, host, clock, List.copyOf(x5c), leafKid, null, null, until);
  }

  /**
   * Until when the configured chain is valid: the earliest {@code notAfter} of its certificates;
   * empty for the self-signed chain, whose leaf is renewed as it nears its end. Past it every
   * wallet refuses the request objects: the gateway is then not ready ({@code /health}).
   */
  public java.util.Optional<Instant> validUntil() {
    return java.util.Optional.ofNullable(configuredUntil);
  }

  /** A self-signed chain made now for {@code host} (see the class): for demos and tests only. */
  public static RequestCertificates selfSigned(SigningKeys keys, String host, Clock clock) {
    try {
      KeyPair ca = newKeyPair();
      Instant now = clock.instant();
      X500Name name = new X500Name("CN=agegate demo request-signing CA (self-signed)");
      JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial(), Date.from(now.minus(Duration.ofHours(1))),
          Date.from(now.plus(Duration.ofDays(3650))), name, ca.getPublic());
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      X509Certificate caCert = sign(b, ca);
      return new RequestCertificates(keys, host, clock, null, null, ca, caCert, null);
    } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
      throw new IllegalStateException("cannot make the self-signed request-signing chain: " + e.getMessage(), e);
    }
  }

  /** Whether the chain is the self-signed one. */
  public boolean selfSigned() {
    return configured == null;
  }

  /**
   * The key that signs a request object now and its {@code x5c}.
   *
   * @throws IllegalStateException when the configured leaf's key is no longer among the signing keys
   */
  public Signer signer() {
    if (configured != null) {
      SigningKeys.Current k = keys.byKid(configuredKid).orElseThrow(() -> new IllegalStateException(
          "the key of agegate.client-id.certificate-chain (" + configuredKid + ") is no longer a signing key"));
      return new Signer(k, configured);
    }
    SigningKeys.Current k = keys.current();
    Instant now = clock.instant();
    Leaf leaf = leaves.compute(k.kid(), (kid, old) ->
        old != null && old.notAfter().isAfter(now.plus(Duration.ofDays(1))) ? old : issueLeaf(kid, now));
    return new Signer(k, leaf.x5c());
  }

  private Leaf issueLeaf(String kid, Instant now) {
    try {
      PublicKey pub = ((ECKey) keys.publicJwks().getKeyByKeyId(kid)).toECPublicKey();
      Instant notAfter = now.plus(SELF_SIGNED_LEAF);
      JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(caCert, serial(),
          Date.from(now.minus(Duration.ofHours(1))), Date.from(notAfter), new X500Name("CN=agegate demo request signing"), pub);
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
      b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName(GeneralName.dNSName, host)));
      X509Certificate leaf = sign(b, ca);
      return new Leaf(List.of(encode(leaf), encode(caCert)), notAfter);
    } catch (GeneralSecurityException | IOException | OperatorCreationException | JOSEException | RuntimeException e) {
      throw new IllegalStateException("cannot issue the self-signed request-signing certificate for key " + kid, e);
    }
  }

  /** The chain's checks, in order (see the class); the message names the certificate and the failure. */
  static void checkChain(List<X509Certificate> chain, String host, Instant now, String key) {
    X509Certificate leaf = chain.get(0);
    if (!(leaf.getPublicKey() instanceof ECPublicKey)) {
      throw new IllegalStateException(key + ": the leaf certificate's key is not an EC P-256 key");
    }
    for (int i = 0; i < chain.size(); i++) {
      X509Certificate c = chain.get(i);
      String which = i == 0 ? "the leaf certificate" : "certificate " + (i + 1) + " (" + c.getSubjectX500Principal() + ")";
      Date d = Date.from(now);
      if (d.before(c.getNotBefore()) || d.after(c.getNotAfter())) {
        throw new IllegalStateException(key + ": " + which + " is not valid now (" + now + "): it is valid from "
            + c.getNotBefore().toInstant() + " to " + c.getNotAfter().toInstant());
      }
      if (i + 1 < chain.size()) {
        X509Certificate issuer = chain.get(i + 1);
        try {
          c.verify(issuer.getPublicKey());
        } catch (GeneralSecurityException e) {
          throw new IllegalStateException(key + ": " + which + " is not signed by the next certificate in the file ("
              + issuer.getSubjectX500Principal() + "): the chain must be leaf first, then its issuer");
        }
        if (issuer.getBasicConstraints() < 0) {
          throw new IllegalStateException(key + ": certificate " + (i + 2) + " issues certificate " + (i + 1)
              + " but is not a CA (basicConstraints)");
        }
      }
    }
    if (selfSignedCert(leaf)) {
      throw new IllegalStateException(key + ": the leaf certificate is self-signed; it must be issued by a CA");
    }
    boolean[] usage = leaf.getKeyUsage();
    if (usage != null && !usage[0]) {
      throw new IllegalStateException(key + ": the leaf certificate's key usage does not include digitalSignature");
    }
    if (!dnsNames(leaf).contains(host.toLowerCase(Locale.ROOT))) {
      throw new IllegalStateException(key + ": the leaf certificate has no dNSName subject alternative name '" + host
          + "' (the host of agegate.public-url); it names " + dnsNames(leaf));
    }
  }

  /** The leaf's dNSName subject alternative names, lower-case. */
  static List<String> dnsNames(X509Certificate c) {
    List<String> out = new ArrayList<>();
    try {
      Collection<List<?>> sans = c.getSubjectAlternativeNames();
      if (sans != null) {
        for (List<?> san : sans) {
          if (Integer.valueOf(2).equals(san.get(0)) && san.get(1) instanceof String s) {
            out.add(s.toLowerCase(Locale.ROOT));
          }
        }
      }
    } catch (CertificateException e) {
      // an unparseable extension names nothing
    }
    return out;
  }

  private static boolean selfSignedCert(X509Certificate c) {
    if (!c.getSubjectX500Principal().equals(c.getIssuerX500Principal())) {
      return false;
    }
    try {
      c.verify(c.getPublicKey());
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static List<X509Certificate> readChain(Path file, String key) {
    List<X509Certificate> chain = new ArrayList<>();
    try (InputStream in = Files.newInputStream(file)) {
      for (java.security.cert.Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        chain.add((X509Certificate) c);
      }
    } catch (IOException e) {
      throw new IllegalStateException(key + ": cannot read it: " + e.getMessage(), e);
    } catch (CertificateException e) {
      throw new IllegalStateException(key + ": not PEM X.509 certificates: " + e.getMessage(), e);
    }
    if (chain.isEmpty()) {
      throw new IllegalStateException(key + ": holds no certificate");
    }
    return chain;
  }

  private static String kidOf(PublicKey pub, String key) {
    try {
      return new ECKey.Builder(com.nimbusds.jose.jwk.Curve.P_256, (ECPublicKey) pub).build().computeThumbprint().toString();
    } catch (JOSEException | RuntimeException e) {
      throw new IllegalStateException(key + ": the leaf certificate's key is not an EC P-256 key", e);
    }
  }

  private static Base64 encode(X509Certificate c) {
    try {
      return Base64.encode(c.getEncoded());
    } catch (java.security.cert.CertificateEncodingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static KeyPair newKeyPair() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  private static final SecureRandom RANDOM = new SecureRandom();

  private static BigInteger serial() {
    return new BigInteger(127, RANDOM).add(BigInteger.ONE);
  }

  private static X509Certificate sign(JcaX509v3CertificateBuilder b, KeyPair issuer)
      throws OperatorCreationException, CertificateException {
    return new JcaX509CertificateConverter().getCertificate(
        b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuer.getPrivate())));
  }
}
