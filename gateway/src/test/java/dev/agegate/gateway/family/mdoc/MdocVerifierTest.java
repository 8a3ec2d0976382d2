package dev.agegate.gateway.family.mdoc;

import static org.assertj.core.api.Assertions.assertThat;

import com.upokecenter.cbor.CBOREncodeOptions;
import com.upokecenter.cbor.CBORObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link MdocVerifier} against DeviceResponses built by an independent implementation
 * (@auth0/mdl, through {@link NodeWallet}), issued under test IACAs around the real clock. Each
 * attack case differs from a valid one in one property only, so it is refused by the one check
 * named in its assertion and would verify without it (the device signs whatever it is given,
 * as a holder's own wallet would).
 */
class MdocVerifierTest {
  static final String AV = "eu.europa.ec.av.1";
  static final String MDL = "org.iso.18013.5.1.mDL";
  static final String MDL_NS = "org.iso.18013.5.1";
  static final String CLIENT_ID = "x509_san_dns:gate.example";
  static final String NONCE = "n-0S6_WzA2Mj";
  static final String RESPONSE_URI = "https://gate.example/v1/checks/tx1/response";
  static final String ORIGIN = "https://shop.example";
  static final byte[] THUMBPRINT = filled(32, (byte) 7);

  static final Instant NOW = Instant.now();
  static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  static TestPki.Issued iaca;
  static TestPki.Issued ds;
  static TestPki.Issued expiredIaca;
  static Map<String, Object> deviceKey;
  static MdocVerifier verifier;
  static Map<String, byte[]> responses;

  /** This check's transcript: cross-device OpenID4VP, unencrypted response. */
  static final byte[] TRANSCRIPT = SessionTranscripts.openId4Vp(CLIENT_ID, NONCE, null, RESPONSE_URI);
  static final byte[] DC_TRANSCRIPT = SessionTranscripts.openId4VpDcApi(ORIGIN, NONCE, THUMBPRINT);

  @BeforeAll
  static void issueEverything() throws Exception {
    iaca = TestPki.iaca("Test IACA", NOW.minus(Duration.ofDays(400)), NOW.plus(Duration.ofDays(3650)));
    ds = TestPki.documentSigner(iaca, "Test DS", NOW.minus(Duration.ofDays(30)), NOW.plus(Duration.ofDays(90)), true);
    TestPki.Issued otherIaca = TestPki.iaca("Other IACA", NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(365)));
    TestPki.Issued otherDs = TestPki.documentSigner(otherIaca, "Other DS", NOW.minus(Duration.ofDays(1)),
        NOW.plus(Duration.ofDays(90)), true);
    TestPki.Issued expiredDs = TestPki.documentSigner(iaca, "Expired DS", NOW.minus(Duration.ofDays(30)),
        NOW.minus(Duration.ofDays(1)), true);
    TestPki.Issued noEkuDs = TestPki.documentSigner(iaca, "No EKU DS", NOW.minus(Duration.ofDays(1)),
        NOW.plus(Duration.ofDays(90)), false);
    TestPki.Issued edDs = TestPki.ed25519DocumentSigner(iaca, NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(90)));
    TestPki.Issued sha1Ds = TestPki.sha1DocumentSigner(iaca, NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(90)));
    deviceKey = TestPki.jwk(TestPki.ecKeyPair("secp256r1"));
    verifier = new MdocVerifier(IacaTrustAnchors.of(List.of(iaca.cert())), MdocVerifier.DEFAULT_DOCTYPES, CLOCK);

    List<Map<String, Object>> cases = new ArrayList<>();
    cases.add(c("av1"));
    cases.add(c("mdl", "docType", MDL, "nameSpace", MDL_NS,
        "elements", elements("family_name", "Jones", "birth_date", "2001-03-25", "age_over_18", true),
        "disclose", List.of("age_over_18"), "issuerChain", List.of(ds.pem(), iaca.pem())));
    cases.add(c("dcapi21", "transcript", dcapi(ORIGIN), "digestAlgorithm", "SHA-384",
        "elements", elements("age_over_16", true, "age_over_21", true), "disclose", List.of("age_over_18")));
    cases.add(c("otherNonce", "transcript", openid4vp(CLIENT_ID, "another-nonce")));
    cases.add(c("otherClient", "transcript", openid4vp("x509_san_dns:evil.example", NONCE)));
    cases.add(c("otherOrigin", "transcript", dcapi("https://evil.example")));
    cases.add(c("under18", "elements", elements("age_over_18", false)));
    cases.add(c("only16", "elements", elements("age_over_16", true), "disclose", List.of("age_over_16")));
    cases.add(c("extra", "docType", MDL, "nameSpace", MDL_NS,
        "elements", elements("age_over_18", true, "family_name", "Jones", "birth_date", "2001-03-25"),
        "disclose", List.of("age_over_18", "family_name", "birth_date")));
    cases.add(c("untrusted", "issuerKey", otherDs.jwk(), "issuerChain", List.of(otherDs.pem())));
    expiredIaca = TestPki.iaca("Expired IACA", NOW.minus(Duration.ofDays(400)), NOW.minus(Duration.ofDays(1)));
    TestPki.Issued underExpiredIaca = TestPki.documentSigner(expiredIaca, "DS under expired IACA",
        NOW.minus(Duration.ofDays(30)), NOW.plus(Duration.ofDays(30)), true);
    cases.add(c("expiredIaca", "issuerKey", underExpiredIaca.jwk(), "issuerChain", List.of(underExpiredIaca.pem())));
    cases.add(c("expiredDs", "issuerKey", expiredDs.jwk(), "issuerChain", List.of(expiredDs.pem()),
        "signed", NOW.minus(Duration.ofDays(5)).toString(), "validFrom", NOW.minus(Duration.ofDays(5)).toString()));
    cases.add(c("sha1Ds", "issuerKey", sha1Ds.jwk(), "issuerChain", List.of(sha1Ds.pem())));
    cases.add(c("noEku", "issuerKey", noEkuDs.jwk(), "issuerChain", List.of(noEkuDs.pem())));
    cases.add(c("msoExpired", "signed", NOW.minus(Duration.ofDays(10)).toString(),
        "validFrom", NOW.minus(Duration.ofDays(10)).toString(), "validUntil", NOW.minus(Duration.ofDays(1)).toString()));
    cases.add(c("msoNotYet", "validFrom", NOW.plus(Duration.ofDays(1)).toString(),
        "validUntil", NOW.plus(Duration.ofDays(10)).toString()));
    cases.add(c("docTypeSwap", "msoDocType", "org.example.loyalty.1"));
    cases.add(c("eddsa", "issuerKey", edDs.jwk(), "issuerChain", List.of(edDs.pem()), "issuerAlg", "EdDSA"));
    cases.add(c("offCurve", "msoDeviceKey", offCurve(deviceKey)));
    cases.add(c("duplicate", "duplicate", true));
    cases.add(c("otherNs", "nameSpace", "org.example.extra"));
    cases.add(c("deviceElement", "deviceNameSpaces", Map.of(AV, Map.of("age_over_18", true))));
    Map<String, Object> readerKey = TestPki.jwk(TestPki.ecKeyPair("secp256r1"));
    readerKey.remove("d");
    cases.add(c("mac", "macReaderKey", readerKey));
    responses = NodeWallet.build(cases);
  }

  @Test
  void verify_av1FromIndependentWallet_verifiedWithIssuer() {
    MdocResult r = verifier.verify(responses.get("av1"), TRANSCRIPT, 18);
    assertThat(r).isInstanceOf(MdocResult.Verified.class);
    MdocResult.Verified v = (MdocResult.Verified) r;
    assertThat(v.ageOver()).isEqualTo(18);
    assertThat(v.docType()).isEqualTo(AV);
    assertThat(v.issuer().signerSubject()).contains("CN=Test DS");
    assertThat(v.issuer().iacaSubject()).contains("CN=Test IACA");
    assertThat(v.issuer().iacaSha256()).hasSize(64);
    assertThat(v.validUntil()).isAfter(NOW);
  }

  @Test
  void verify_mdlWithChainIncludingIaca_verified() {
    assertThat(verifier.verify(responses.get("mdl"), TRANSCRIPT, 18))
        .isInstanceOfSatisfying(MdocResult.Verified.class, v -> assertThat(v.docType()).isEqualTo(MDL));
  }

  @Test
  void verify_dcApiTranscriptSha384_usesSmallestTrueAtOrAboveMinimum() {
    assertThat(verifier.verify(responses.get("dcapi21"), DC_TRANSCRIPT, 18))
        .isInstanceOfSatisfying(MdocResult.Verified.class, v -> assertThat(v.ageOver()).isEqualTo(21));
  }

  @Test
  void verify_signedOverAnotherNonce_deviceSignatureInvalid() {
    assertRefused("otherNonce", TRANSCRIPT, 18, Reason.DEVICE_SIGNATURE_INVALID);
  }

  @Test
  void verify_signedForAnotherClientId_deviceSignatureInvalid() {
    assertRefused("otherClient", TRANSCRIPT, 18, Reason.DEVICE_SIGNATURE_INVALID);
  }

  @Test
  void verify_signedForAnotherOrigin_deviceSignatureInvalid() {
    assertRefused("otherOrigin", DC_TRANSCRIPT, 18, Reason.DEVICE_SIGNATURE_INVALID);
    // and a cross-device transcript is not a DC API one
    assertRefused("av1", DC_TRANSCRIPT, 18, Reason.DEVICE_SIGNATURE_INVALID);
  }

  @Test
  void verify_signedForAnotherChecksResponseUri_deviceSignatureInvalid() {
    // same client and nonce, another transaction's response_uri: the other check's transcript
    byte[] otherCheck = SessionTranscripts.openId4Vp(CLIENT_ID, NONCE, null, "https://gate.example/v1/checks/tx2/response");
    assertRefused("av1", otherCheck, 18, Reason.DEVICE_SIGNATURE_INVALID);
  }

  @Test
  void verify_docTypeRelabelledToUnconfigured_doctypeNotAccepted() {
    byte[] relabelled = editDocument(responses.get("av1"), doc -> doc.set("docType", CBORObject.FromObject("org.example.loyalty.1")));
    assertRefused(relabelled, TRANSCRIPT, 18, Reason.DOCTYPE_NOT_ACCEPTED);
  }

  @Test
  void verify_ageOver18False_tooYoung() {
    assertRefused("under18", TRANSCRIPT, 18, Reason.TOO_YOUNG);
  }

  @Test
  void verify_ageOver18FalseFlippedToTrue_digestMismatch() {
    byte[] tampered = mapItems(responses.get("under18"), AV, item -> item.set("elementValue", CBORObject.True));
    assertRefused(tampered, TRANSCRIPT, 18, Reason.DIGEST_MISMATCH);
  }

  @Test
  void verify_ageOver16WhenEighteenAsked_ageOverMissing() {
    assertRefused("only16", TRANSCRIPT, 18, Reason.AGE_OVER_MISSING);
    assertThat(verifier.verify(responses.get("only16"), TRANSCRIPT, 16)).isInstanceOf(MdocResult.Verified.class);
  }

  @Test
  void verify_ageOver18WhenTwentyOneAsked_ageOverMissing() {
    assertRefused("av1", TRANSCRIPT, 21, Reason.AGE_OVER_MISSING);
  }

  @Test
  void verify_familyNameAndBirthDateDisclosed_elementNotAllowed() {
    assertRefused("extra", TRANSCRIPT, 18, Reason.ELEMENT_NOT_ALLOWED);
  }

  @Test
  void verify_signerUnderUnconfiguredIaca_issuerUntrusted() {
    assertRefused("untrusted", TRANSCRIPT, 18, Reason.ISSUER_UNTRUSTED);
  }

  @Test
  void verify_expiredDocumentSigner_issuerCertNotValid() {
    assertRefused("expiredDs", TRANSCRIPT, 18, Reason.ISSUER_CERT_NOT_VALID);
  }

  @Test
  void verify_signerValidUnderExpiredIaca_issuerCertNotValid() {
    // PKIX does not check a trust anchor's validity: the verifier must.
    MdocVerifier trustsExpired = new MdocVerifier(IacaTrustAnchors.of(List.of(iaca.cert(), expiredIaca.cert())),
        MdocVerifier.DEFAULT_DOCTYPES, CLOCK);
    assertThat(trustsExpired.verify(responses.get("expiredIaca"), TRANSCRIPT, 18))
        .isEqualTo(new MdocResult.Refused(Reason.ISSUER_CERT_NOT_VALID));
  }

  @Test
  void verify_signerCertificateSignedWithSha1_issuerUntrusted() {
    // PKIX accepts SHA1withECDSA for an anchor outside the JDK's cacerts: the verifier must not
    // (a chosen-prefix SHA-1 collision would forge a document signer under a real IACA).
    assertRefused("sha1Ds", TRANSCRIPT, 18, Reason.ISSUER_UNTRUSTED);
  }

  @Test
  void verify_signerWithoutMdocEku_issuerCertUsage() {
    assertRefused("noEku", TRANSCRIPT, 18, Reason.ISSUER_CERT_USAGE);
  }

  @Test
  void verify_msoPastValidUntil_msoExpired() {
    assertRefused("msoExpired", TRANSCRIPT, 18, Reason.MSO_EXPIRED);
  }

  @Test
  void verify_msoBeforeValidFrom_msoNotYetValid() {
    assertRefused("msoNotYet", TRANSCRIPT, 18, Reason.MSO_NOT_YET_VALID);
  }

  @Test
  void verify_documentRelabelledAsAv1_msoDocTypeMismatch() {
    assertRefused("docTypeSwap", TRANSCRIPT, 18, Reason.MSO_DOCTYPE_MISMATCH);
  }

  @Test
  void verify_issuerAuthEdDsa_issuerAlgUnsupported() {
    assertRefused("eddsa", TRANSCRIPT, 18, Reason.ISSUER_ALG_UNSUPPORTED);
  }

  @Test
  void verify_deviceKeyOffCurve_deviceKeyInvalid() {
    assertRefused("offCurve", TRANSCRIPT, 18, Reason.DEVICE_KEY_INVALID);
  }

  @Test
  void verify_twoDocuments_documentCount() {
    assertRefused("duplicate", TRANSCRIPT, 18, Reason.DOCUMENT_COUNT);
  }

  @Test
  void verify_docTypeNotAccepted_doctypeNotAccepted() {
    MdocVerifier avOnly = new MdocVerifier(IacaTrustAnchors.of(List.of(iaca.cert())), Map.of(AV, AV), CLOCK);
    assertThat(avOnly.verify(responses.get("mdl"), TRANSCRIPT, 18)).isEqualTo(new MdocResult.Refused(Reason.DOCTYPE_NOT_ACCEPTED));
  }

  @Test
  void verify_expiredMsoWithValidUntilExtended_issuerSignatureInvalid() {
    byte[] extended = editDocument(responses.get("msoExpired"), doc -> {
      CBORObject ia = doc.get("issuerSigned").get("issuerAuth");
      CBORObject mso = CBORObject.DecodeFromBytes(CBORObject.DecodeFromBytes(ia.get(2).GetByteString()).GetByteString(),
          new CBOREncodeOptions("keepkeyorder=true"));
      mso.get("validityInfo").set("validUntil", CBORObject.FromObject(NOW.plus(Duration.ofDays(30))
          .truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString()).WithTag(0));
      ia.set(2, CBORObject.FromObject(CBORObject.FromObject(mso.EncodeToBytes()).WithTag(24).EncodeToBytes()));
    });
    assertRefused(extended, TRANSCRIPT, 18, Reason.ISSUER_SIGNATURE_INVALID);
  }

  @Test
  void verify_itemCopiedUnderAnUnsignedNamespace_digestMismatch() {
    // the MSO has no digests for that namespace: authenticity fails before the policy is asked
    byte[] twoNs = editDocument(responses.get("av1"), doc -> {
      CBORObject ns = doc.get("issuerSigned").get("nameSpaces");
      ns.set("org.example.extra", ns.get(AV));
    });
    assertRefused(twoNs, TRANSCRIPT, 18, Reason.DIGEST_MISMATCH);
  }

  @Test
  void verify_ageOver18IssuedInAnotherNamespace_elementNotAllowed() {
    // authentic (the issuer signed it there), but not the docType's namespace
    assertRefused("otherNs", TRANSCRIPT, 18, Reason.ELEMENT_NOT_ALLOWED);
  }

  @Test
  void verify_deviceSignedElement_elementNotAllowed() {
    assertRefused("deviceElement", TRANSCRIPT, 18, Reason.ELEMENT_NOT_ALLOWED);
  }

  @Test
  void verify_deviceMac_deviceMacUnsupported() {
    assertRefused("mac", TRANSCRIPT, 18, Reason.DEVICE_MAC_UNSUPPORTED);
  }

  @Test
  void verify_issuerAlgOnlyInUnprotectedHeader_issuerAlgUnsupported() {
    byte[] moved = editDocument(responses.get("av1"), doc -> {
      CBORObject ia = doc.get("issuerSigned").get("issuerAuth");
      ia.set(0, CBORObject.FromObject(new byte[0]));
      ia.get(1).set(CBORObject.FromObject(1), CBORObject.FromObject(-7));
    });
    assertRefused(moved, TRANSCRIPT, 18, Reason.ISSUER_ALG_UNSUPPORTED);
  }

  @Test
  void verify_algAlsoInUnprotectedHeader_issuerAlgUnsupported() {
    byte[] both = editDocument(responses.get("av1"), doc -> doc.get("issuerSigned").get("issuerAuth").get(1)
        .set(CBORObject.FromObject(1), CBORObject.FromObject(-7)));
    assertRefused(both, TRANSCRIPT, 18, Reason.ISSUER_ALG_UNSUPPORTED);
  }

  @Test
  void verify_es384HeaderOverP256Signer_issuerAlgUnsupported() {
    byte[] es384 = editDocument(responses.get("av1"), doc -> doc.get("issuerSigned").get("issuerAuth")
        .set(0, CBORObject.FromObject(new byte[] {(byte) 0xa1, 0x01, 0x38, 0x22})));
    assertRefused(es384, TRANSCRIPT, 18, Reason.ISSUER_ALG_UNSUPPORTED);
  }

  @Test
  void verify_noX5chain_issuerChainMissing() {
    byte[] stripped = editDocument(responses.get("av1"),
        doc -> doc.get("issuerSigned").get("issuerAuth").get(1).Remove(CBORObject.FromObject(33)));
    assertRefused(stripped, TRANSCRIPT, 18, Reason.ISSUER_CHAIN_MISSING);
  }

  @Test
  void verify_deviceSignatureEdDsaHeader_deviceAlgUnsupported() {
    byte[] eddsa = editDocument(responses.get("av1"), doc -> doc.get("deviceSigned").get("deviceAuth")
        .get("deviceSignature").set(0, CBORObject.FromObject(new byte[] {(byte) 0xa1, 0x01, 0x27})));
    assertRefused(eddsa, TRANSCRIPT, 18, Reason.DEVICE_ALG_UNSUPPORTED);
  }

  @Test
  void verify_duplicateMapKey_malformed() {
    // the top-level map of three announced as four, the fourth a second "status": 0; decoders
    // that keep the first or the last key would otherwise read the same response
    byte[] ok = responses.get("av1");
    assertThat(ok[0]).isEqualTo((byte) 0xa3);
    byte[] dup = Arrays.copyOf(ok, ok.length + 8);
    dup[0] = (byte) 0xa4;
    System.arraycopy(new byte[] {0x66, 's', 't', 'a', 't', 'u', 's', 0x00}, 0, dup, ok.length, 8);
    assertRefused(dup, TRANSCRIPT, 18, Reason.MALFORMED);
  }

  @Test
  void verify_statusNotZero_statusNotOk() {
    CBORObject top = CBORObject.DecodeFromBytes(responses.get("av1"));
    top.set("status", CBORObject.FromObject(10));
    assertRefused(top.EncodeToBytes(), TRANSCRIPT, 18, Reason.STATUS_NOT_OK);
  }

  @Test
  void decideAge_rules() throws Exception {
    assertThat(MdocVerifier.decideAge(Map.of(16, true, 18, true, 21, true), 18)).isEqualTo(18);
    assertThat(MdocVerifier.decideAge(Map.of(21, true), 18)).isEqualTo(21);
    assertThat(refusal(Map.of(18, false), 18)).isEqualTo(Reason.TOO_YOUNG);
    assertThat(refusal(Map.of(16, false), 18)).isEqualTo(Reason.TOO_YOUNG);
    // false for 21 says nothing about 18
    assertThat(refusal(Map.of(21, false), 18)).isEqualTo(Reason.AGE_OVER_MISSING);
    assertThat(refusal(Map.of(16, true), 18)).isEqualTo(Reason.AGE_OVER_MISSING);
    assertThat(refusal(Map.of(), 18)).isEqualTo(Reason.AGE_OVER_MISSING);
    assertThat(refusal(Map.of(18, false, 21, true), 18)).isEqualTo(Reason.AGE_OVER_INCONSISTENT);
    assertThat(refusal(Map.of(16, false, 18, true), 18)).isEqualTo(Reason.AGE_OVER_INCONSISTENT);
    // 16 <= age < 18 is consistent: verified for 16
    assertThat(MdocVerifier.decideAge(Map.of(18, false, 16, true), 16)).isEqualTo(16);
  }

  private static Reason refusal(Map<Integer, Boolean> ages, int minAge) {
    try {
      MdocVerifier.decideAge(new java.util.TreeMap<>(ages), minAge);
      throw new AssertionError("verified " + ages);
    } catch (Refusal r) {
      return r.reason;
    }
  }

  @Test
  void verify_everyTruncation_malformedNeverThrows() {
    byte[] ok = responses.get("av1");
    for (int len = 0; len < ok.length; len++) {
      assertThat(verifier.verify(Arrays.copyOf(ok, len), TRANSCRIPT, 18))
          .as("truncated to %d", len).isEqualTo(new MdocResult.Refused(Reason.MALFORMED));
    }
  }

  @Test
  void verify_trailingByteOrOversize_refused() {
    byte[] ok = responses.get("av1");
    assertRefused(Arrays.copyOf(ok, ok.length + 1), TRANSCRIPT, 18, Reason.MALFORMED);
    assertRefused(new byte[MdocVerifier.MAX_RESPONSE_BYTES + 1], TRANSCRIPT, 18, Reason.TOO_LARGE);
  }

  @Test
  void verify_randomByteFlips_neverThrows() {
    byte[] ok = responses.get("av1");
    Random random = new Random(12);
    for (int i = 0; i < 400; i++) {
      byte[] b = ok.clone();
      for (int k = 1 + random.nextInt(3); k > 0; k--) {
        b[random.nextInt(b.length)] ^= (byte) (1 + random.nextInt(255));
      }
      assertThat(verifier.verify(b, TRANSCRIPT, 18)).isNotNull();
    }
  }

  /**
   * A bounded, fixed-seed fuzz loop over mutations of valid responses (byte flips, CBOR head
   * bytes such as indefinite lengths, break and tag 24 put anywhere, insertions, deletions,
   * splices, truncations) and random bytes. It calls the verifier's checks without their
   * catch-all, so any exception other than a {@link Refusal} (a case the code forgot) fails it,
   * naming the iteration; and {@code verify} itself must never throw.
   */
  @Test
  void check_fuzzedResponses_onlyRefusalsEscape() {
    long seed = 20261202L;
    Random random = new Random(seed);
    List<byte[]> seeds = List.of(responses.get("av1"), responses.get("mdl"), responses.get("dcapi21"));
    byte[] heads = {0x5f, 0x7f, (byte) 0x9f, (byte) 0xbf, (byte) 0xff, (byte) 0xd8, 0x18, (byte) 0xf7,
        (byte) 0xf9, (byte) 0xfb, 0x1b, 0x3b, 0x5b, (byte) 0x9b, (byte) 0xbb, 0x00, (byte) 0xc0, (byte) 0xf5};
    for (int i = 0; i < 2500; i++) {
      byte[] base = seeds.get(random.nextInt(seeds.size()));
      byte[] b = switch (random.nextInt(7)) {
        case 0 -> { // flips
          byte[] c = base.clone();
          for (int k = 1 + random.nextInt(4); k > 0; k--) {
            c[random.nextInt(c.length)] ^= (byte) (1 + random.nextInt(255));
          }
          yield c;
        }
        case 1 -> { // a CBOR head byte put over another
          byte[] c = base.clone();
          c[random.nextInt(c.length)] = heads[random.nextInt(heads.length)];
          yield c;
        }
        case 2 -> { // insertion
          int at = random.nextInt(base.length + 1);
          byte[] ins = new byte[1 + random.nextInt(9)];
          random.nextBytes(ins);
          if (random.nextBoolean()) {
            ins[0] = heads[random.nextInt(heads.length)];
          }
          byte[] c = new byte[base.length + ins.length];
          System.arraycopy(base, 0, c, 0, at);
          System.arraycopy(ins, 0, c, at, ins.length);
          System.arraycopy(base, at, c, at + ins.length, base.length - at);
          yield c;
        }
        case 3 -> { // deletion
          int at = random.nextInt(base.length);
          int n = Math.min(1 + random.nextInt(16), base.length - at);
          byte[] c = new byte[base.length - n];
          System.arraycopy(base, 0, c, 0, at);
          System.arraycopy(base, at + n, c, at, base.length - at - n);
          yield c;
        }
        case 4 -> { // splice: a chunk of the response copied over another place
          byte[] c = base.clone();
          int n = 1 + random.nextInt(64);
          int from = random.nextInt(base.length - n);
          int to = random.nextInt(base.length - n);
          System.arraycopy(base, from, c, to, n);
          yield c;
        }
        case 5 -> Arrays.copyOf(base, random.nextInt(base.length)); // truncation
        default -> { // random bytes, sometimes behind a valid-looking map head
          byte[] c = new byte[random.nextInt(300)];
          random.nextBytes(c);
          if (c.length > 0 && random.nextBoolean()) {
            c[0] = (byte) (0xa0 | random.nextInt(4));
          }
          yield c;
        }
      };
      try {
        verifier.check(b, TRANSCRIPT, 18);
      } catch (Refusal expected) {
        // the only way out
      } catch (RuntimeException | StackOverflowError e) {
        throw new AssertionError("seed " + seed + " iteration " + i + ": " + e.getClass().getName()
            + " escaped the checks for " + HexFormat.of().formatHex(b), e);
      }
      assertThat(verifier.verify(b, TRANSCRIPT, 18)).as("iteration %d", i).isNotNull();
    }
  }

  private static void assertRefused(String name, byte[] transcript, int minAge, Reason reason) {
    assertRefused(responses.get(name), transcript, minAge, reason);
  }

  private static void assertRefused(byte[] response, byte[] transcript, int minAge, Reason reason) {
    assertThat(verifier.verify(response, transcript, minAge)).isEqualTo(new MdocResult.Refused(reason));
  }

  /** Decodes, applies {@code edit} to every IssuerSignedItem of {@code nameSpace}, re-encodes. */
  static byte[] mapItems(byte[] response, String nameSpace, java.util.function.Consumer<CBORObject> edit) {
    CBOREncodeOptions keepOrder = new CBOREncodeOptions("keepkeyorder=true");
    CBORObject top = CBORObject.DecodeFromBytes(response, keepOrder);
    CBORObject items = top.get("documents").get(0).get("issuerSigned").get("nameSpaces").get(nameSpace);
    for (int i = 0; i < items.size(); i++) {
      CBORObject item = CBORObject.DecodeFromBytes(items.get(i).GetByteString(), keepOrder);
      edit.accept(item);
      items.set(i, CBORObject.FromObject(item.EncodeToBytes()).WithTag(24));
    }
    return top.EncodeToBytes();
  }

  /** Decodes, applies {@code edit} to the first document, re-encodes (signed bstrs unchanged). */
  static byte[] editDocument(byte[] response, java.util.function.Consumer<CBORObject> edit) {
    CBORObject top = CBORObject.DecodeFromBytes(response, new CBOREncodeOptions("keepkeyorder=true"));
    edit.accept(top.get("documents").get(0));
    return top.EncodeToBytes();
  }

  private static Map<String, Object> c(String name, Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", name);
    m.put("docType", AV);
    m.put("issuerKey", ds.jwk());
    m.put("issuerChain", List.of(ds.pem()));
    m.put("deviceKey", deviceKey);
    m.put("signed", NOW.minus(Duration.ofHours(1)).toString());
    m.put("validFrom", NOW.minus(Duration.ofHours(1)).toString());
    m.put("validUntil", NOW.plus(Duration.ofDays(30)).toString());
    m.put("transcript", openid4vp(CLIENT_ID, NONCE));
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  private static byte[] filled(int n, byte b) {
    byte[] a = new byte[n];
    Arrays.fill(a, b);
    return a;
  }

  private static Map<String, Object> elements(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  private static Map<String, Object> openid4vp(String clientId, String nonce) {
    return elements("kind", "openid4vp", "clientId", clientId, "nonce", nonce, "responseUri", RESPONSE_URI);
  }

  private static Map<String, Object> dcapi(String origin) {
    return elements("kind", "dcapi", "origin", origin, "nonce", NONCE, "jwkThumbprint", HexFormat.of().formatHex(THUMBPRINT));
  }

  /** The public part of {@code jwk} with y + 1: no longer a point of P-256. */
  private static Map<String, Object> offCurve(Map<String, Object> jwk) {
    Map<String, Object> m = new LinkedHashMap<>(jwk);
    m.remove("d");
    byte[] y = Base64.getUrlDecoder().decode((String) m.get("y"));
    y[y.length - 1] ^= 1;
    m.put("y", Base64.getUrlEncoder().withoutPadding().encodeToString(y));
    return m;
  }
}
