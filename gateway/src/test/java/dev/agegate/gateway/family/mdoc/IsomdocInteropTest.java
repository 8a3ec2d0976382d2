package dev.agegate.gateway.family.mdoc;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.agegate.testsupport.Prerequisites;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Interop with a second implementation no one here wrote, in another language: isomdoc
 * (Python, PyPI {@code isomdoc}) issues the mdoc (IssuerSignedItems, digests, MSO, the issuer's
 * COSE_Sign1) and {@code src/test/python/isomdoc_wallet.py} signs the device part over an
 * OpenID4VP session transcript it computes itself. The gateway's verifier must accept what it
 * should and refuse, with the right reason, what it must (the first implementation is
 * {@code @auth0/mdl}, {@link NodeWallet}).
 */
class IsomdocInteropTest {
  static final Path SCRIPT = Path.of("src/test/python/isomdoc_wallet.py");
  static final String AV = "eu.europa.ec.av.1";
  static final String MDL = "org.iso.18013.5.1.mDL";
  static final String MDL_NS = "org.iso.18013.5.1";
  static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);
  static final String CLIENT_ID = "x509_san_dns:gate.example";
  static final String RESPONSE_URI = "https://gate.example/v1/responses/r1";
  static final String NONCE = "n-0S6_WzA2Mj";

  static TestPki.Issued iaca;
  static MdocVerifier verifier;
  static Map<String, Map<String, Object>> built;

  @BeforeAll
  static void issue() throws Exception {
    iaca = TestPki.iaca("Isomdoc IACA", NOW.minus(Duration.ofDays(30)), NOW.plus(Duration.ofDays(3650)));
    TestPki.Issued ds = TestPki.documentSigner(iaca, "Isomdoc DS", NOW.minus(Duration.ofDays(1)),
        NOW.plus(Duration.ofDays(90)), true);
    TestPki.Issued otherIaca = TestPki.iaca("Other IACA", NOW.minus(Duration.ofDays(30)), NOW.plus(Duration.ofDays(3650)));
    TestPki.Issued otherDs = TestPki.documentSigner(otherIaca, "Other DS", NOW.minus(Duration.ofDays(1)),
        NOW.plus(Duration.ofDays(90)), true);
    verifier = new MdocVerifier(IacaTrustAnchors.of(List.of(iaca.cert())), MdocVerifier.DEFAULT_DOCTYPES,
        Clock.fixed(NOW, ZoneOffset.UTC));
    KeyPair device = TestPki.ecKeyPair("secp256r1");
    List<Map<String, Object>> cases = new ArrayList<>();
    cases.add(c("av18", ds, device, AV, AV, Map.of("age_over_18", true), NONCE));
    cases.add(c("mdl21", ds, device, MDL, MDL_NS, ordered("age_over_18", true, "age_over_21", true), NONCE));
    cases.add(c("false18", ds, device, AV, AV, Map.of("age_over_18", false), NONCE));
    cases.add(c("extra", ds, device, AV, AV, ordered("age_over_18", true, "family_name", "Doe"), NONCE));
    cases.add(c("otherNonce", ds, device, AV, AV, Map.of("age_over_18", true), "another-check-nonce"));
    cases.add(c("untrusted", otherDs, device, AV, AV, Map.of("age_over_18", true), NONCE));
    built = run(cases);
  }

  /** The transcript both sides compute: the gateway's, for the check the wallet answers. */
  private static byte[] transcript() {
    return SessionTranscripts.openId4Vp(CLIENT_ID, NONCE, null, RESPONSE_URI);
  }

  private static byte[] response(String name) {
    return HexFormat.of().parseHex((String) built.get(name).get("response"));
  }

  @Test
  void transcript_computedIndependently_isTheGatewaysByteForByte() {
    assertThat(HexFormat.of().parseHex((String) built.get("av18").get("transcript"))).isEqualTo(transcript());
  }

  @Test
  void ageVerification18_verified() {
    assertThat(verifier.verify(response("av18"), transcript(), 18)).isInstanceOfSatisfying(MdocResult.Verified.class,
        v -> {
          assertThat(v.ageOver()).isEqualTo(18);
          assertThat(v.docType()).isEqualTo(AV);
          assertThat(v.issuer().iacaSubject()).contains("Isomdoc IACA");
        });
  }

  @Test
  void mdl21_verifiedFor21() {
    assertThat(verifier.verify(response("mdl21"), transcript(), 21)).isInstanceOfSatisfying(MdocResult.Verified.class,
        v -> assertThat(v.ageOver()).isEqualTo(21));
  }

  @Test
  void refusals_eachWithItsReason() {
    assertThat(verifier.verify(response("false18"), transcript(), 18)).isEqualTo(new MdocResult.Refused(Reason.TOO_YOUNG));
    assertThat(verifier.verify(response("extra"), transcript(), 18)).isEqualTo(new MdocResult.Refused(Reason.ELEMENT_NOT_ALLOWED));
    assertThat(verifier.verify(response("otherNonce"), transcript(), 18))
        .isEqualTo(new MdocResult.Refused(Reason.DEVICE_SIGNATURE_INVALID));
    assertThat(verifier.verify(response("untrusted"), transcript(), 18)).isEqualTo(new MdocResult.Refused(Reason.ISSUER_UNTRUSTED));
    assertThat(verifier.verify(response("av18"), transcript(), 21)).isEqualTo(new MdocResult.Refused(Reason.AGE_OVER_MISSING));
  }

  @Test
  void ageOver18_flippedAfterIssuing_digestMismatch() {
    byte[] r = response("false18");
    // isomdoc encodes the item as a map ending in "elementValue": false (0xf4); the issuer signed false
    byte[] key = "elementValue".getBytes(StandardCharsets.US_ASCII);
    int at = indexOf(r, key) + key.length;
    assertThat(r[at]).isEqualTo((byte) 0xf4);
    r[at] = (byte) 0xf5;
    assertThat(verifier.verify(r, transcript(), 18)).isEqualTo(new MdocResult.Refused(Reason.DIGEST_MISMATCH));
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i <= hay.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new AssertionError("not found");
  }

  private static Map<String, Object> ordered(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  private static String pkcs8(PrivateKey k) {
    return "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(k.getEncoded()) + "\n-----END PRIVATE KEY-----\n";
  }

  private static Map<String, Object> c(String name, TestPki.Issued ds, KeyPair device, String docType, String ns,
      Map<String, Object> elements, String nonce) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", name);
    m.put("docType", docType);
    m.put("nameSpace", ns);
    m.put("issuerKeyPem", pkcs8(ds.key()));
    m.put("issuerCertPem", ds.pem());
    m.put("deviceKeyPem", pkcs8(device.getPrivate()));
    m.put("elements", elements);
    m.put("signed", NOW.minus(Duration.ofHours(1)).toString());
    m.put("validFrom", NOW.minus(Duration.ofHours(1)).toString());
    m.put("validUntil", NOW.plus(Duration.ofDays(30)).toString());
    m.put("clientId", CLIENT_ID);
    m.put("nonce", nonce);
    m.put("responseUri", RESPONSE_URI);
    m.put("jwkThumbprintHex", null);
    return m;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Map<String, Object>> run(List<Map<String, Object>> cases) throws Exception {
    Path in = Files.createTempFile("isomdoc-cases", ".json");
    Path out = Files.createTempFile("isomdoc-out", ".json");
    Path err = Files.createTempFile("isomdoc-err", ".txt");
    try {
      Process probe = new ProcessBuilder("python3", "-c", "import isomdoc, cbor2, cryptography")
          .redirectErrorStream(true).redirectOutput(err.toFile()).start();
      if (!probe.waitFor(60, TimeUnit.SECONDS) || probe.exitValue() != 0) {
        Prerequisites.missing("isomdoc", "python3 with isomdoc, cbor2 and cryptography is missing ("
            + Files.readString(err).strip() + ")", "pip install -r gateway/src/test/python/requirements.txt, as .ci/run does");
      }
      Files.writeString(in, JSONObjectUtils.toJSONString(Map.of("cases", cases)), StandardCharsets.UTF_8);
      Process p = new ProcessBuilder("python3", SCRIPT.toString(), in.toString())
          .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("the isomdoc test wallet did not finish in 120 s");
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException("the isomdoc test wallet failed: " + Files.readString(err));
      }
      Map<String, Map<String, Object>> result = new LinkedHashMap<>();
      for (Map.Entry<String, Object> e : JSONObjectUtils.parse(Files.readString(out)).entrySet()) {
        result.put(e.getKey(), (Map<String, Object>) e.getValue());
      }
      return result;
    } finally {
      Files.deleteIfExists(in);
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }
}
