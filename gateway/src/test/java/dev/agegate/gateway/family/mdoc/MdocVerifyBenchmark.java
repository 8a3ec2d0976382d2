package dev.agegate.gateway.family.mdoc;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * {@link MdocVerifier#verify} on a realistic age-only DeviceResponse: an {@code eu.europa.ec.av.1}
 * document disclosing {@code age_over_18} and {@code age_over_21}, made by the independent Node
 * wallet (@auth0/mdl), IssuerAuth ES256 by a document signer whose chain (signer + IACA) is in
 * x5chain, DeviceSignature ES256 over a cross-device OpenID4VP transcript. Every call does the
 * whole work: CBOR decoding, PKIX path validation, both ECDSA verifications, the digests. The
 * result is checked once in setup, so the benchmark measures a verification that succeeds.
 *
 * <p>Run: {@code mvn -pl gateway -Pbench test-compile exec:exec@jmh} (bench/run does, as
 * {@code mdoc_verify_us}). A measurement, not a test: nothing fails on a figure.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class MdocVerifyBenchmark {
  private static final String CLIENT_ID = "x509_san_dns:gate.example";
  private static final String NONCE = "bench-nonce-0S6_WzA2Mj";
  private static final String RESPONSE_URI = "https://gate.example/v1/checks/tx1/response";

  private MdocVerifier verifier;
  private byte[] response;
  private byte[] transcript;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    Instant now = Instant.now();
    TestPki.Issued iaca = TestPki.iaca("Bench IACA", now.minus(Duration.ofDays(400)), now.plus(Duration.ofDays(3650)));
    TestPki.Issued ds = TestPki.documentSigner(iaca, "Bench DS", now.minus(Duration.ofDays(30)),
        now.plus(Duration.ofDays(90)), true);
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("name", "bench");
    c.put("docType", "eu.europa.ec.av.1");
    c.put("issuerKey", ds.jwk());
    c.put("issuerChain", List.of(ds.pem(), iaca.pem()));
    c.put("deviceKey", TestPki.jwk(TestPki.ecKeyPair("secp256r1")));
    c.put("signed", now.minus(Duration.ofHours(1)).toString());
    c.put("validFrom", now.minus(Duration.ofHours(1)).toString());
    c.put("validUntil", now.plus(Duration.ofDays(30)).toString());
    c.put("elements", Map.of("age_over_18", true, "age_over_21", true));
    c.put("transcript", Map.of("kind", "openid4vp", "clientId", CLIENT_ID, "nonce", NONCE, "responseUri", RESPONSE_URI));
    response = NodeWallet.build(List.of(c)).get("bench");
    transcript = SessionTranscripts.openId4Vp(CLIENT_ID, NONCE, null, RESPONSE_URI);
    verifier = new MdocVerifier(IacaTrustAnchors.of(List.of(iaca.cert())), MdocVerifier.DEFAULT_DOCTYPES,
        Clock.systemUTC());
    MdocResult r = verifier.verify(response, transcript, 18);
    if (!(r instanceof MdocResult.Verified)) {
      throw new IllegalStateException("the benchmark's response does not verify: " + r);
    }
  }

  @Benchmark
  public MdocResult verify() {
    return verifier.verify(response, transcript, 18);
  }
}
