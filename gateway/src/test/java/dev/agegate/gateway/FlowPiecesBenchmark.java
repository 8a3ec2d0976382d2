package dev.agegate.gateway;

import com.google.zxing.BarcodeFormat;
import com.google.zxing.EncodeHintType;
import com.google.zxing.common.BitMatrix;
import com.google.zxing.qrcode.QRCodeWriter;
import com.google.zxing.qrcode.decoder.ErrorCorrectionLevel;
import com.google.zxing.qrcode.encoder.Encoder;
import com.google.zxing.qrcode.encoder.QRCode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import dev.agegate.gateway.checks.Ids;
import dev.agegate.gateway.checks.Links;
import dev.agegate.gateway.checks.Qr;
import dev.agegate.gateway.config.Site;
import dev.agegate.gateway.protocol.RequestObjects;
import dev.agegate.gateway.protocol.ResponseEncryption;
import dev.agegate.gateway.store.Check;
import dev.agegate.gateway.store.CheckStatus;
import dev.agegate.gateway.tokens.AgeTokens;
import dev.agegate.gateway.tokens.Pseudonyms;
import dev.agegate.gateway.tokens.RequestCertificates;
import dev.agegate.gateway.tokens.SigningKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The pieces of a flow's gateway CPU that are not the proof's verification, each alone (issue 13;
 * bench/report.md "Gateway CPU per flow, by step" names them): the check's QR code (encoding as
 * now and as before, and each rendering of the grid), the request object (claims, JSON, ES256), the age token, and
 * ES256 itself with nimbus's signer, the JDK's SunEC and BouncyCastle, so a figure of the load
 * run's profile can be set against what the piece costs once warm.
 *
 * <p>Run: {@code mvn -pl gateway -Pbench test-compile exec:exec@jmh
 * -Djmh.args="dev.agegate.gateway.FlowPiecesBenchmark -f 1 -wi 3 -w 2s -i 5 -r 2s"}. A
 * measurement, not a test: nothing fails on a figure.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class FlowPiecesBenchmark {
  private static final byte[] SIGNING_INPUT = ("eyJhbGciOiJFUzI1NiIsImtpZCI6ImsxIiwidHlwIjoiYWdlZ2F0ZS1hZ2Urand0In0."
      + "eyJpc3MiOiJodHRwczovL2dhdGUuZXhhbXBsZSIsImF1ZCI6InNob3AiLCJpYXQiOjE3MDAwMDAwMDB9")
      .getBytes(StandardCharsets.US_ASCII);

  private String link;
  private Qr qr;
  private RequestObjects objects;
  private AgeTokens tokens;
  private SigningKeys keys;
  private Check check;
  private Check verified;
  private Site site;
  private ECDSASigner nimbus;
  private JWSHeader header;
  private ECPrivateKey key;
  private BouncyCastleProvider bc;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    Path dir = Files.createTempDirectory("agegate-bench");
    Links links = new Links("https://gate.example.com", null);
    Instant now = Instant.now();
    site = new Site("shop", Set.of("https://shop.example"), 18, 2, Duration.ofMinutes(10), ZoneOffset.UTC, true);
    check = new Check(Ids.random(), Ids.random(), Ids.random(), Ids.random(), site.id(), 18, 2,
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", null, LocalDate.now(ZoneOffset.UTC), "ab".repeat(32), now,
        now.plus(Duration.ofMinutes(10)), CheckStatus.PENDING, null, null, null, false, 0);
    verified = new Check(check.transactionId(), check.requestId(), check.nonce(), check.state(), site.id(), 18, 2,
        check.codeChallenge(), "bnd-1", check.today(), check.issuerRoot(), now, check.expiresAt(),
        CheckStatus.VERIFIED, null, "cd".repeat(32), now, false, 1);
    link = links.walletLink(check.requestId());
    qr = Qr.of(link);
    keys = SigningKeys.open(List.of(), dir, Duration.ofDays(30), Clock.systemUTC());
    Pseudonyms pseudonyms = Pseudonyms.open(dir);
    tokens = new AgeTokens(links.publicUrl(), keys, pseudonyms);
    // The request object of an agegate-zk site: its family's query and claims (this benchmark verifies nothing)
    dev.agegate.gateway.family.zk.ProofVerifier unused = new dev.agegate.gateway.family.zk.ProofVerifier() {
      @Override
      public dev.agegate.zk.ZkStatus verify(byte[] proof, dev.agegate.zk.PublicInputs inputs) {
        throw new UnsupportedOperationException("not verified in this benchmark");
      }

      @Override
      public String fingerprint() {
        return "f".repeat(64);
      }

      @Override
      public void close() {
      }
    };
    dev.agegate.gateway.family.Families families = new dev.agegate.gateway.family.Families(List.of(
        new dev.agegate.gateway.family.zk.ZkFamily(null, unused, links, "e".repeat(64), id -> Optional.of(site))));
    objects = new RequestObjects(links, id -> Optional.of(site), families, new ResponseEncryption(pseudonyms),
        RequestCertificates.selfSigned(keys, links.host(), Clock.systemUTC()));
    ECKey jwk = new ECKeyGenerator(Curve.P_256).keyID("k1").generate();
    nimbus = new ECDSASigner(jwk);
    header = new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("k1").build();
    key = jwk.toECPrivateKey();
    bc = new BouncyCastleProvider();
  }

  /** A check's QR encoding as the gateway does it: ZXing's encoding with the mask {@code QrMasks} chose from one grid. */
  @Benchmark
  public Qr qrEncode() {
    return Qr.of(link);
  }

  /** The same grid as check creation made it before (issue 13): {@code QRCodeWriter}, which builds and scores a grid per mask. */
  @Benchmark
  public BitMatrix qrEncodeWriter() throws Exception {
    return new QRCodeWriter().encode(link, BarcodeFormat.QR_CODE, 0, 0,
        Map.of(EncodeHintType.ERROR_CORRECTION, ErrorCorrectionLevel.M, EncodeHintType.MARGIN, 4,
            EncodeHintType.CHARACTER_SET, "UTF-8"));
  }

  /**
   * The same encoding with the mask fixed (ZXing's {@code QR_MASK_PATTERN}): not what the gateway
   * does, only the share of the eight masks' penalty scoring in {@link #qrEncode}.
   */
  @Benchmark
  public QRCode qrEncodeOneMask() throws Exception {
    return Encoder.encode(link, ErrorCorrectionLevel.M, Map.of(EncodeHintType.CHARACTER_SET, "UTF-8",
        EncodeHintType.QR_MASK_PATTERN, 0));
  }

  /** {@code qr_modules} of an encoded grid. */
  @Benchmark
  public List<String> qrModules() {
    return qr.modules();
  }

  /** {@code qr_svg} of an encoded grid. */
  @Benchmark
  public String qrSvg() {
    return qr.svg();
  }

  /** {@code GET /v1/requests/{id}}'s work after the store: the claims, their JSON, the header with its x5c chain, ES256, the compact JWS. */
  @Benchmark
  public String requestObject() {
    return objects.sign(check, 1_700_000_000L);
  }

  /** {@code POST /v1/checks/{tx}/token}'s signing: the age token's claims (with a pseudonym), JSON, ES256. */
  @Benchmark
  public String ageToken() {
    return tokens.ageToken(verified, site, Instant.ofEpochSecond(1_700_000_000L));
  }

  /** {@code GET /.well-known/jwks.json}'s body (the load tool fetches it with every request object). */
  @Benchmark
  public String jwks() {
    return keys.publicJwks().toString();
  }

  /** ES256 as the gateway signs: nimbus's {@link ECDSASigner} (SunEC, DER transcoded to R‖S, base64url). */
  @Benchmark
  public Base64URL es256Nimbus() throws Exception {
    return nimbus.sign(header, SIGNING_INPUT);
  }

  /** ES256 with the JDK's SunEC directly, R‖S out (no DER). */
  @Benchmark
  public byte[] es256SunEc() throws Exception {
    Signature s = Signature.getInstance("SHA256withECDSAinP1363Format", "SunEC");
    s.initSign(key);
    s.update(SIGNING_INPUT);
    return s.sign();
  }

  /** ES256 with BouncyCastle's provider (DER out). */
  @Benchmark
  public byte[] es256BouncyCastle() throws Exception {
    Signature s = Signature.getInstance("SHA256withECDSA", bc);
    s.initSign(key);
    s.update(SIGNING_INPUT);
    return s.sign();
  }
}
