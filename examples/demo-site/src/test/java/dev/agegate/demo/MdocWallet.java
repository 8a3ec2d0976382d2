package dev.agegate.demo;

import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWEObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDHEncrypter;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.StringWriter;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * An mdoc holder for the browser journey: a test IACA and document signer (BouncyCastle; the
 * IACA goes into the gateway's {@code agegate.mdoc.iaca-dir}), a device key, and the Node test
 * wallet ({@code gateway/src/test/node/mdoc/wallet.mjs}, @auth0/mdl: code no one
 * here wrote) that builds the DeviceResponse a wallet would post.
 */
final class MdocWallet {
  static final Path NODE_DIR = Path.of("..", "..", "gateway", "src", "test", "node", "mdoc").toAbsolutePath().normalize();
  /** ISO 18013-5 Annex B: the mdoc document signer extended key usage. */
  private static final String EKU_MDOC_DS = "1.0.18013.5.1.2";
  private static final SecureRandom RANDOM = new SecureRandom();
  /** The DCQL credential query id the gateway gives the {@code eu.europa.ec.av.1} query. */
  private static final String AV_QUERY = "mdoc_eu_europa_ec_av_1";

  private final Instant now = Instant.now();
  final X509Certificate iaca;
  private final X509Certificate ds;
  private final Map<String, Object> dsJwk;
  private final Map<String, Object> deviceJwk;

  /** A holder under a test IACA of its own (see {@link #writeIaca}). */
  MdocWallet() throws Exception {
    this(testIaca());
  }

  private MdocWallet(Iaca iaca) throws Exception {
    this(iaca.certificate(), iaca.key());
  }

  private record Iaca(X509Certificate certificate, PrivateKey key) {}

  /**
   * A holder whose document signer is signed by {@code iacaKey} under {@code iaca}, e.g. the
   * demo's own IACA ({@code DemoIaca}, which the launched demo trusts).
   */
  MdocWallet(X509Certificate iaca, PrivateKey iacaKey) throws Exception {
    this.iaca = iaca;
    KeyPair dsKeys = p256();
    X509v3CertificateBuilder db = new JcaX509v3CertificateBuilder(iaca, serial(), Date.from(now.minus(Duration.ofDays(1))),
        Date.from(now.plus(Duration.ofDays(90))), new X500Name("CN=Demo journey DS,C=EU"), dsKeys.getPublic());
    db.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
    db.addExtension(Extension.extendedKeyUsage, true, new ExtendedKeyUsage(KeyPurposeId.getInstance(new ASN1ObjectIdentifier(EKU_MDOC_DS))));
    ds = sign(db, iacaKey);
    dsJwk = jwk(dsKeys);
    deviceJwk = jwk(p256());
  }

  private static Iaca testIaca() throws Exception {
    Instant now = Instant.now();
    KeyPair iacaKeys = p256();
    X500Name iacaName = new X500Name("CN=Demo journey IACA,C=EU");
    X509v3CertificateBuilder ib = new JcaX509v3CertificateBuilder(iacaName, serial(), Date.from(now.minus(Duration.ofDays(30))),
        Date.from(now.plus(Duration.ofDays(3650))), iacaName, iacaKeys.getPublic());
    ib.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
    ib.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    return new Iaca(sign(ib, iacaKeys.getPrivate()), iacaKeys.getPrivate());
  }

  /** Writes the IACA as PEM into {@code dir} (the gateway's {@code agegate.mdoc.iaca-dir}). */
  Path writeIaca(Path dir) throws Exception {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("journey-iaca.pem"), pem(iaca));
    return dir;
  }

  /**
   * The DeviceResponse a wallet posts for a cross-device OpenID4VP request object (session
   * transcript: the OpenID4VPHandover of {@code clientId}, {@code nonce}, {@code responseUri}),
   * disclosing {@code elements}; base64url without padding, as {@code vp_token} carries it.
   */
  String openid4vp(String clientId, String nonce, String jwkThumbprintHex, String responseUri, Map<String, Object> elements)
      throws Exception {
    Map<String, Object> transcript = new LinkedHashMap<>();
    transcript.put("kind", "openid4vp");
    transcript.put("clientId", clientId);
    transcript.put("nonce", nonce);
    transcript.put("jwkThumbprint", jwkThumbprintHex);
    transcript.put("responseUri", responseUri);
    Map<String, Object> c = document(elements);
    c.put("transcript", transcript);
    String hex = (String) run(List.of(c)).get("case").get("response");
    return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.HexFormat.of().parseHex(hex));
  }

  /** The {@code request_uri} of a gate's wallet link (its QR code), or null. */
  static String requestUri(String walletLink) {
    for (String kv : URI.create(walletLink).getRawQuery().split("&")) {
      if (kv.startsWith("request_uri=")) {
        return URLDecoder.decode(kv.substring("request_uri=".length()), StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  /**
   * Answers a gate's wallet link (its QR code) as a phone's wallet would over OpenID4VP: fetches
   * the signed request object, builds the DeviceResponse for {@code eu.europa.ec.av.1}
   * disclosing {@code elements} over its handover (with the offered key's thumbprint), and posts
   * it to {@code response_uri} as {@code direct_post.jwt} (a JWE to that key).
   *
   * @return the status of the post
   */
  int answerRequest(String walletLink, Map<String, Object> elements) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> ro = http.send(HttpRequest.newBuilder(URI.create(requestUri(walletLink))).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    if (ro.statusCode() != 200) {
      throw new IllegalStateException("request object: " + ro.statusCode() + " " + ro.body());
    }
    JWTClaimsSet c = SignedJWT.parse(ro.body()).getJWTClaimsSet();
    if (!"direct_post.jwt".equals(c.getStringClaim("response_mode"))) {
      throw new IllegalStateException("a site accepting mdocs asks for direct_post.jwt, not " + c.getStringClaim("response_mode"));
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> jwks = (Map<String, Object>) c.getJSONObjectClaim("client_metadata").get("jwks");
    @SuppressWarnings("unchecked")
    ECKey key = ECKey.parse((Map<String, Object>) ((List<?>) jwks.get("keys")).get(0));
    String vp = openid4vp(c.getStringClaim("client_id"), c.getStringClaim("nonce"),
        java.util.HexFormat.of().formatHex(key.computeThumbprint("SHA-256").decode()), c.getStringClaim("response_uri"), elements);
    JWEObject jwe = new JWEObject(new JWEHeader.Builder(JWEAlgorithm.ECDH_ES, EncryptionMethod.A128GCM).keyID(key.getKeyID()).build(),
        new Payload(Map.of("vp_token", Map.of(AV_QUERY, List.of(vp)), "state", c.getStringClaim("state"))));
    jwe.encrypt(new ECDHEncrypter(key));
    String form = "response=" + URLEncoder.encode(jwe.serialize(), StandardCharsets.UTF_8);
    return http.send(HttpRequest.newBuilder(URI.create(c.getStringClaim("response_uri")))
        .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  /**
   * The {@code data} a wallet returns through the Digital Credentials API for {@code request}
   * (one of {@code digital.requests}, protocol {@code org-iso-mdoc}): the DeviceResponse over the
   * ISO 18013-7 Annex C transcript of the request's EncryptionInfo and {@code origin}, disclosing
   * {@code elements}, sealed by the Node wallet with HPKE (@hpke/core), as {@code {"response": "<b64url>"}}.
   */
  Map<String, Object> annexC(Map<String, Object> request, String origin, Map<String, Object> elements) throws Exception {
    @SuppressWarnings("unchecked")
    Map<String, Object> data = (Map<String, Object>) request.get("data");
    Map<String, Object> c = document(elements);
    c.put("transcript", Map.of("kind", "annexc", "origin", origin, "deviceRequest", data.get("deviceRequest"),
        "encryptionInfo", data.get("encryptionInfo")));
    return run(List.of(c)).get("case");
  }

  /**
   * The {@code data} a wallet returns through the Digital Credentials API for {@code request}
   * (protocol {@code openid4vp-v1-signed}): the Node wallet reads the signed request JWT (its
   * {@code expected_origins} must hold {@code origin}), builds the DeviceResponse over the
   * OpenID4VPDCAPIHandover of {@code origin}, the request's nonce and its encryption key's
   * thumbprint, and seals {@code vp_token} with jose: {@code {"response": "<compact JWE>"}}.
   */
  Map<String, Object> openid4vpDcApi(Map<String, Object> request, String origin, Map<String, Object> elements)
      throws Exception {
    @SuppressWarnings("unchecked")
    Map<String, Object> data = (Map<String, Object>) request.get("data");
    Map<String, Object> c = document(elements);
    c.put("openid4vp", Map.of("request", data.get("request"), "origin", origin));
    return JSONObjectUtils.parse((String) run(List.of(c)).get("case").get("response"));
  }

  private Map<String, Object> document(Map<String, Object> elements) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("name", "case");
    c.put("docType", "eu.europa.ec.av.1");
    c.put("issuerKey", dsJwk);
    c.put("issuerChain", List.of(pem(ds)));
    c.put("deviceKey", deviceJwk);
    c.put("signed", now.minus(Duration.ofHours(1)).toString());
    c.put("validFrom", now.minus(Duration.ofHours(1)).toString());
    c.put("validUntil", now.plus(Duration.ofDays(30)).toString());
    c.put("elements", elements);
    return c;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Map<String, Object>> run(List<Map<String, Object>> cases) throws Exception {
    if (!Files.isDirectory(NODE_DIR.resolve("node_modules/@auth0/mdl"))) {
      throw new IllegalStateException("the Node test wallet's modules are missing: run `npm install` in " + NODE_DIR
          + " (the demo-site build does)");
    }
    Path in = Files.createTempFile("journey-mdoc", ".json");
    Path out = Files.createTempFile("journey-mdoc-out", ".json");
    Path err = Files.createTempFile("journey-mdoc-err", ".txt");
    try {
      Files.writeString(in, JSONObjectUtils.toJSONString(Map.of("cases", cases)), StandardCharsets.UTF_8);
      Process p = new ProcessBuilder("node", "wallet.mjs", in.toString()).directory(NODE_DIR.toFile())
          .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("the Node test wallet did not finish in 120 s");
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException("the Node test wallet failed: " + Files.readString(err));
      }
      Map<String, Object> json = JSONObjectUtils.parse(Files.readString(out));
      Map<String, Map<String, Object>> result = new LinkedHashMap<>();
      json.forEach((k, v) -> result.put(k, v instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of("response", v)));
      return result;
    } finally {
      Files.deleteIfExists(in);
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  private static KeyPair p256() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  private static Map<String, Object> jwk(KeyPair kp) {
    return new LinkedHashMap<>(new ECKey.Builder(Curve.P_256, (ECPublicKey) kp.getPublic())
        .privateKey((ECPrivateKey) kp.getPrivate()).build().toJSONObject());
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey key) throws Exception {
    return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key)));
  }

  static String pem(X509Certificate c) {
    StringWriter w = new StringWriter();
    try (JcaPEMWriter p = new JcaPEMWriter(w)) {
      p.writeObject(c);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return w.toString();
  }

  private static BigInteger serial() {
    return new BigInteger(64, RANDOM).add(BigInteger.ONE);
  }
}
