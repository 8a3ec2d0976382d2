package dev.agegate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.util.X509CertUtils;
import dev.agegate.gateway.tokens.RequestCertificates;
import dev.agegate.gateway.tokens.SigningKeys;
import dev.agegate.testsupport.MutableClock;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The {@code x509_san_dns} client id (OpenID4VP 1.0 §5.9.3): every request object carries an
 * {@code x5c} whose leaf verifies its signature and names the public URL's host, and a
 * configured chain that does not certify the request-signing key for that host stops the start.
 */
@ServerTest
class ClientIdTest {
  static final String HOST = "gateway.test";
  static Gateway gateway;
  private final Api api;

  ClientIdTest(Http1Client client) {
    this.api = new Api(client);
  }

  @SetUpRoute
  static void routing(HttpRouting.Builder routing) {
    gateway = TestGateways.create(MutableClock.ticking(), v -> v, "");
    Main.routing(routing, gateway);
  }

  @AfterAll
  static void close() {
    gateway.close();
  }

  @Test
  void requestObject_x5cLeafVerifiesTheJwsAndNamesTheHost_linksCarryThePrefixedClientId() throws Exception {
    Api.Started s = api.start("shop", 18, TestGateways.SHOP_ORIGIN);
    assertThat(s.claims().getString("client_id")).isEqualTo("x509_san_dns:" + HOST);
    assertThat(s.created().getString("wallet_link")).startsWith("openid4vp://?client_id=x509_san_dns%3A" + HOST + "&");
    assertThat(s.created().getString("web_wallet_link")).contains("?client_id=x509_san_dns%3A" + HOST + "&");

    List<com.nimbusds.jose.util.Base64> x5c = s.requestObject().getHeader().getX509CertChain();
    assertThat(x5c).as("leaf, then its issuer").hasSize(2);
    X509Certificate leaf = X509CertUtils.parse(x5c.get(0).decode());
    X509Certificate ca = X509CertUtils.parse(x5c.get(1).decode());
    assertThat(s.requestObject().verify(new ECDSAVerifier((ECPublicKey) leaf.getPublicKey()))).as("the leaf's key signed it").isTrue();
    assertThat(leaf.getSubjectAlternativeNames()).containsExactly(List.of(2, HOST));
    leaf.verify(ca.getPublicKey()); // throws unless the CA issued it
    leaf.checkValidity();
    assertThat(s.requestObject().getHeader().getKeyID()).as("and it is the JWKS key of that kid")
        .isEqualTo(new ECKey.Builder(Curve.P_256, (ECPublicKey) leaf.getPublicKey()).build().computeThumbprint().toString());
  }

  /**
   * The Digital Credentials API's signed request (openid4vp-v1-signed) comes from the same
   * signer: the same x5c chain and kid, and the leaf's key verifies it.
   */
  @Test
  void dcApiSignedRequest_sameX5cLeafVerifiesIt() throws Exception {
    MdocGateway m = MdocGateway.create("client-id", Instant.now());
    try (Gateway g = m.gateway()) {
      dev.agegate.gateway.config.Site shop = g.settings().site("shop").orElseThrow();
      dev.agegate.gateway.store.Check c = g.checks().create(shop, 18, "A".repeat(43), null);
      jakarta.json.JsonObject request = g.digital.of(c, shop).getJsonArray("requests").getValuesAs(jakarta.json.JsonObject.class)
          .stream().filter(r -> r.getString("protocol").equals("openid4vp-v1-signed")).findFirst().orElseThrow();
      com.nimbusds.jwt.SignedJWT jwt = com.nimbusds.jwt.SignedJWT.parse(request.getJsonObject("data").getString("request"));
      List<com.nimbusds.jose.util.Base64> x5c = jwt.getHeader().getX509CertChain();
      assertThat(x5c).hasSize(2);
      X509Certificate leaf = X509CertUtils.parse(x5c.get(0).decode());
      assertThat(jwt.verify(new ECDSAVerifier((ECPublicKey) leaf.getPublicKey()))).isTrue();
      assertThat(leaf.getSubjectAlternativeNames()).containsExactly(List.of(2, HOST));
      assertThat(jwt.getJWTClaimsSet().getStringClaim("client_id")).isEqualTo("x509_san_dns:" + HOST);
    }
  }

  // ---- a configured chain ----------------------------------------------------------------------

  /** A key pair, a CA and files in a fresh folder. */
  static final class Pki {
    final Path dir = TestGateways.freshDataDir().toAbsolutePath();
    final KeyPair signing = keyPair();
    final KeyPair caKey = keyPair();
    final Instant now = Instant.now();
    final X509Certificate ca;
    final Path signingPem;

    Pki() throws Exception {
      Files.createDirectories(dir);
      X500Name n = new X500Name("CN=Test Registrar CA");
      JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(n, BigInteger.ONE, Date.from(now.minus(Duration.ofDays(1))),
          Date.from(now.plus(Duration.ofDays(365))), n, caKey.getPublic());
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
      ca = sign(b, caKey);
      signingPem = dir.resolve("request-key.pem");
      StringWriter w = new StringWriter();
      try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
        pw.writeObject(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(signing.getPrivate(), null));
      }
      Files.writeString(signingPem, w.toString(), StandardCharsets.US_ASCII);
      Files.setPosixFilePermissions(signingPem, PosixFilePermissions.fromString("rw-------"));
    }

    X509Certificate leaf(java.security.PublicKey key, String dns, Instant from, Instant to) throws Exception {
      JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(ca, BigInteger.TWO, Date.from(from), Date.from(to),
          new X500Name("CN=" + dns), key);
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
      b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName(GeneralName.dNSName, dns)));
      return sign(b, caKey);
    }

    X509Certificate leaf() throws Exception {
      return leaf(signing.getPublic(), HOST, now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(90)));
    }

    Path chain(X509Certificate... certs) throws Exception {
      Path f = Files.createTempFile(dir, "chain", ".pem");
      StringWriter w = new StringWriter();
      try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
        for (X509Certificate c : certs) {
          pw.writeObject(c);
        }
      }
      Files.writeString(f, w.toString(), StandardCharsets.US_ASCII);
      return f;
    }

    SigningKeys keys() {
      return SigningKeys.open(List.of(signingPem), dir, Duration.ofDays(30), Clock.systemUTC());
    }

    RequestCertificates open(Path chain) {
      return RequestCertificates.configured(chain, keys(), HOST, Clock.systemUTC());
    }
  }

  static KeyPair keyPair() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      return g.generateKeyPair();
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static X509Certificate sign(JcaX509v3CertificateBuilder b, KeyPair issuer) throws Exception {
    return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuer.getPrivate())));
  }

  @Test
  void configuredChain_leafOfTheSigningKeyForTheHost_isTheX5cAndItsKeySigns() throws Exception {
    Pki p = new Pki();
    X509Certificate leaf = p.leaf();
    RequestCertificates rc = p.open(p.chain(leaf, p.ca));
    RequestCertificates.Signer s = rc.signer();
    List<byte[]> der = new ArrayList<>();
    s.x5c().forEach(b -> der.add(b.decode()));
    assertThat(der).containsExactly(leaf.getEncoded(), p.ca.getEncoded());
    assertThat(s.key().kid()).isEqualTo(new ECKey.Builder(Curve.P_256, (ECPublicKey) p.signing.getPublic()).build().computeThumbprint().toString());
  }

  @Test
  void configuredChain_leafForAnotherKey_refusedAtStartNamingBothKeys() throws Exception {
    Pki p = new Pki();
    Path chain = p.chain(p.leaf(keyPair().getPublic(), HOST, p.now.minus(Duration.ofDays(1)), p.now.plus(Duration.ofDays(9))), p.ca);
    String extra = "  client-id:\n    certificate-chain: " + chain + "\n  tokens:\n    signing-keys: [\"" + p.signingPem + "\"]\n";
    assertThatThrownBy(() -> TestGateways.create(Clock.systemUTC(), v -> v, extra))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("agegate.client-id.certificate-chain")
        .hasMessageContaining("is not the request-signing key");
    // the same files with the right leaf start
    String good = "  client-id:\n    certificate-chain: " + p.chain(p.leaf(), p.ca) + "\n  tokens:\n    signing-keys: [\""
        + p.signingPem + "\"]\n";
    try (Gateway g = TestGateways.create(Clock.systemUTC(), v -> v, good)) {
      assertThat(g.requestCertificates.selfSigned()).isFalse();
    }
  }

  @Test
  void configuredChain_sanNotTheHost_refused() throws Exception {
    Pki p = new Pki();
    Path chain = p.chain(p.leaf(p.signing.getPublic(), "other.example", p.now.minus(Duration.ofDays(1)), p.now.plus(Duration.ofDays(9))), p.ca);
    assertThatThrownBy(() -> p.open(chain)).hasMessageContaining("no dNSName subject alternative name '" + HOST + "'");
  }

  @Test
  void configuredChain_expiredOrNotYetValid_refused() throws Exception {
    Pki p = new Pki();
    Path expired = p.chain(p.leaf(p.signing.getPublic(), HOST, p.now.minus(Duration.ofDays(9)), p.now.minus(Duration.ofDays(1))), p.ca);
    assertThatThrownBy(() -> p.open(expired)).hasMessageContaining("the leaf certificate is not valid now");
    Path future = p.chain(p.leaf(p.signing.getPublic(), HOST, p.now.plus(Duration.ofDays(1)), p.now.plus(Duration.ofDays(9))), p.ca);
    assertThatThrownBy(() -> p.open(future)).hasMessageContaining("the leaf certificate is not valid now");
  }

  @Test
  void configuredChain_issuerNotTheNextCertificateOrLeafSelfSigned_refused() throws Exception {
    Pki p = new Pki();
    Pki other = new Pki();
    assertThatThrownBy(() -> p.open(p.chain(p.leaf(), other.ca))).hasMessageContaining("is not signed by the next certificate");
    X500Name n = new X500Name("CN=" + HOST);
    JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(n, BigInteger.TEN, Date.from(p.now.minus(Duration.ofDays(1))),
        Date.from(p.now.plus(Duration.ofDays(9))), n, p.signing.getPublic());
    b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName(GeneralName.dNSName, HOST)));
    X509Certificate selfSigned = sign(b, p.signing);
    assertThatThrownBy(() -> p.open(p.chain(selfSigned))).hasMessageContaining("self-signed");
  }

  @Test
  void configuredChain_withGeneratedSigningKeys_refused() throws Exception {
    Pki p = new Pki();
    SigningKeys generated = SigningKeys.open(List.of(), p.dir.resolve("gen"), Duration.ofDays(30), Clock.systemUTC());
    assertThatThrownBy(() -> RequestCertificates.configured(p.chain(p.leaf(), p.ca), generated, HOST, Clock.systemUTC()))
        .hasMessageContaining("generated signing keys rotate");
  }

  @Test
  void noChain_selfSignedOff_refusedAtStart() {
    assertThatThrownBy(() -> TestGateways.create(Clock.systemUTC(), v -> v, "  client-id:\n    self-signed: false\n"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("agegate.client-id.certificate-chain is required")
        .hasMessageContaining("x509_san_dns:" + HOST);
  }
}
