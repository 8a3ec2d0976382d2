package dev.agegate.gateway.family.mdoc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.upokecenter.cbor.CBORObject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECPrivateKeySpec;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * {@link MdocVerifier} on ISO/IEC 18013-5:2021 Annex D's sample mdoc response (D.4.1.2), with
 * the sample's session transcript, its reader's ephemeral key EReaderKey and its IACA (test
 * resources {@code mdoc/iso-18013-5-annex-d/}, each naming where it was read from). The
 * response is authenticated by a deviceMac, so this is also the test of {@link DeviceMac}
 * against bytes no one here produced.
 *
 * <p>The IACA is trusted by a verifier made for this test only (the production trust folder
 * never holds it), with a fixed clock inside the sample's validity: the document signer is
 * valid 2020-10-01T00:00Z..2021-10-01T00:00Z, the MSO signed and valid from 2020-10-01T13:30:02Z
 * until 2021-10-01T13:30:02Z.
 */
class MdocAnnexDTest {
  static final String DIR = "/mdoc/iso-18013-5-annex-d/";
  static final String MDL = "org.iso.18013.5.1.mDL";
  /** An hour after the sample's MSO was signed. */
  static final Instant SAMPLE_DATE = Instant.parse("2020-10-01T14:30:02Z");

  static final byte[] RESPONSE = hex("device-response.hex");
  /** SessionTranscript (the verifier's input), unwrapped from the sample's SessionTranscriptBytes. */
  static final byte[] TRANSCRIPT = CBORObject.DecodeFromBytes(hex("session-transcript-bytes.hex")).GetByteString();
  static final X509Certificate IACA = certificate("iaca.pem");
  static final X509Certificate DS = certificate("document-signer.pem");
  static final ECPrivateKey READER_KEY = readerKey();

  static MdocVerifier verifierAt(Instant now) {
    return new MdocVerifier(IacaTrustAnchors.of(List.of(IACA)), MdocVerifier.DEFAULT_DOCTYPES,
        Clock.fixed(now, ZoneOffset.UTC));
  }

  @Test
  void vectors_areTheSampleAsPublished() {
    assertThat(RESPONSE).hasSize(3562);
    assertThat(hex("session-transcript-bytes.hex")).hasSize(582);
    assertThat(CBORObject.DecodeFromBytes(hex("session-transcript-bytes.hex")).HasMostOuterTag(24)).isTrue();
    // the document signer given apart is the response's x5chain, and the IACA signed it
    CBORObject issuerAuth = CBORObject.DecodeFromBytes(RESPONSE).get("documents").get(0).get("issuerSigned").get("issuerAuth");
    assertThat(issuerAuth.get(1).get(CBORObject.FromObject(33)).GetByteString()).isEqualTo(encoded(DS));
    assertThat(DS.getIssuerX500Principal()).isEqualTo(IACA.getSubjectX500Principal());
  }

  @Test
  void authenticate_annexDResponse_issuerChainMsoDigestsAndDeviceMacVerify() throws Exception {
    MdocVerifier.Authentic a = verifierAt(SAMPLE_DATE).authenticate(RESPONSE, TRANSCRIPT, READER_KEY);

    assertThat(a.docType()).isEqualTo(MDL);
    assertThat(a.deviceAuth()).isEqualTo(MdocVerifier.DeviceAuthKind.MAC);
    assertThat(a.signer()).isEqualTo(DS);
    assertThat(a.iaca()).isEqualTo(IACA);
    assertThat(a.validUntil()).isEqualTo(Instant.parse("2021-10-01T13:30:02Z"));
    assertThat(a.deviceNameSpaces()).isZero();
    // every disclosed element, each with its digest checked
    assertThat(a.disclosed()).extracting(MdocVerifier.Disclosed::identifier).containsExactly(
        "family_name", "issue_date", "expiry_date", "document_number", "portrait", "driving_privileges");
    assertThat(a.disclosed()).extracting(MdocVerifier.Disclosed::nameSpace).containsOnly("org.iso.18013.5.1");
    assertThat(a.disclosed().get(0).value().AsString()).isEqualTo("Doe");
  }

  @Test
  void verify_annexDResponse_refusedAsAWholeForFamilyNameEtc() {
    // authentic (above), yet it discloses family_name, portrait, …: only age_over_NN may be disclosed
    assertThat(verifierAt(SAMPLE_DATE).verify(RESPONSE, TRANSCRIPT, READER_KEY, 18))
        .isEqualTo(new MdocResult.Refused(Reason.ELEMENT_NOT_ALLOWED));
  }

  @Test
  void verify_annexDWithoutReaderKey_deviceMacUnsupported() {
    // what every transport of the gateway calls: no reader key, so a MAC cannot be checked
    assertThat(verifierAt(SAMPLE_DATE).verify(RESPONSE, TRANSCRIPT, 18))
        .isEqualTo(new MdocResult.Refused(Reason.DEVICE_MAC_UNSUPPORTED));
  }

  @Test
  void verify_clockAfterValidity_issuerCertNotValid() {
    // The document signer expires 2021-10-01T00:00Z, before the MSO's validUntil: from then on
    // the chain check refuses first (and the MSO's own expiry can never be reached with this sample).
    for (String t : List.of("2021-10-01T00:00:01Z", "2021-10-01T13:30:03Z", "2026-12-02T00:00:00Z")) {
      assertThat(verifierAt(Instant.parse(t)).verify(RESPONSE, TRANSCRIPT, READER_KEY, 18)).as(t)
          .isEqualTo(new MdocResult.Refused(Reason.ISSUER_CERT_NOT_VALID));
    }
  }

  @Test
  void verify_clockBeforeMsoSigned_msoNotYetValid() {
    // the document signer is valid from midnight, the MSO only from 13:30:02
    assertThat(verifierAt(Instant.parse("2020-10-01T13:30:01Z")).verify(RESPONSE, TRANSCRIPT, READER_KEY, 18))
        .isEqualTo(new MdocResult.Refused(Reason.MSO_NOT_YET_VALID));
    assertThat(verifierAt(Instant.parse("2020-09-30T23:59:59Z")).verify(RESPONSE, TRANSCRIPT, READER_KEY, 18))
        .isEqualTo(new MdocResult.Refused(Reason.ISSUER_CERT_NOT_VALID));
  }

  @Test
  void verify_anyByteOfTheMacTagFlipped_deviceMacInvalid() {
    int at = tagOffset();
    MdocVerifier v = verifierAt(SAMPLE_DATE);
    for (int i = 0; i < DeviceMac.TAG_BYTES; i++) {
      byte[] flipped = RESPONSE.clone();
      flipped[at + i] ^= 0x01;
      assertThat(v.verify(flipped, TRANSCRIPT, READER_KEY, 18)).as("tag byte %d", i)
          .isEqualTo(new MdocResult.Refused(Reason.DEVICE_MAC_INVALID));
    }
  }

  @Test
  void verify_truncatedTag_deviceMacInvalid() {
    // a prefix of the right tag (an empty one included) must not pass a compare of the common length
    MdocVerifier v = verifierAt(SAMPLE_DATE);
    for (int n : new int[] {0, 1, 16, 31}) {
      assertThat(v.verify(withTag(Arrays.copyOf(tag(), n)), TRANSCRIPT, READER_KEY, 18)).as("%d bytes", n)
          .isEqualTo(new MdocResult.Refused(Reason.DEVICE_MAC_INVALID));
    }
    // sanity: the re-encoding itself changes nothing
    assertThat(withTag(tag())).isEqualTo(RESPONSE);
  }

  @Test
  void verify_macAlgOtherThanHmac256_deviceMacAlgUnsupported() {
    // protected header {1: 5} → {1: 4} (HMAC 256/64), {1: 6} (HMAC 384/384), {1: -7} (ES256)
    int at = tagOffset() - 8; // 43 a1 01 05 | a0 | f6 | 58 20 | tag
    assertThat(HexFormat.of().formatHex(RESPONSE, at, at + 4)).isEqualTo("43a10105");
    MdocVerifier v = verifierAt(SAMPLE_DATE);
    for (byte alg : new byte[] {0x04, 0x06, 0x26}) {
      byte[] other = RESPONSE.clone();
      other[at + 3] = alg;
      assertThat(v.verify(other, TRANSCRIPT, READER_KEY, 18)).as("alg byte %02x", alg)
          .isEqualTo(new MdocResult.Refused(Reason.DEVICE_MAC_ALG_UNSUPPORTED));
    }
  }

  @Test
  void verify_anotherReadersSession_deviceMacInvalid() throws Exception {
    // A relay to another reader: its own key, its own transcript naming that key. The MAC was
    // made for the sample's reader, so it does not verify.
    KeyPair other = TestPki.ecKeyPair("secp256r1");
    byte[] otherTranscript = transcriptWithReaderKey((ECPublicKey) other.getPublic());
    assertThat(verifierAt(SAMPLE_DATE).verify(RESPONSE, otherTranscript, (ECPrivateKey) other.getPrivate(), 18))
        .isEqualTo(new MdocResult.Refused(Reason.DEVICE_MAC_INVALID));
  }

  @Test
  void eMacKey_wrongReaderKeySameTranscript_macDoesNotVerify() throws Exception {
    // The key agreement itself, apart from the transcript: only the sample's EReaderKey gives the
    // sample's EMacKey.
    CBORObject doc = CBORObject.DecodeFromBytes(RESPONSE).get("documents").get(0);
    DeviceMac.Mac0 mac = DeviceMac.mac0(doc.get("deviceSigned").get("deviceAuth").get("deviceMac"));
    ECPublicKey deviceKey = deviceKey(doc);
    byte[] deviceAuthentication = MdocVerifier.deviceAuthenticationBytes(TRANSCRIPT, MDL,
        doc.get("deviceSigned").get("nameSpaces").GetByteString());
    assertThat(DeviceMac.verify(mac, DeviceMac.eMacKey(READER_KEY, deviceKey, TRANSCRIPT), deviceAuthentication)).isTrue();
    ECPrivateKey other = (ECPrivateKey) TestPki.ecKeyPair("secp256r1").getPrivate();
    assertThat(DeviceMac.verify(mac, DeviceMac.eMacKey(other, deviceKey, TRANSCRIPT), deviceAuthentication)).isFalse();
  }

  @Test
  void eMacKey_deviceKeyNotP256_deviceMacAlgUnsupported() throws Exception {
    // ECDH with a P-256 reader key needs a P-256 device key; an on-curve P-384 one is refused
    ECPublicKey p384 = (ECPublicKey) TestPki.ecKeyPair("secp384r1").getPublic();
    assertThatThrownBy(() -> DeviceMac.eMacKey(READER_KEY, p384, TRANSCRIPT))
        .isInstanceOfSatisfying(Refusal.class, r -> assertThat(r.reason).isEqualTo(Reason.DEVICE_MAC_ALG_UNSUPPORTED));
  }

  @Test
  void verify_readerKeyNotThisTranscripts_illegalArgument() throws Exception {
    // the caller's mistake, never the wallet's: refused loudly rather than as a verdict
    MdocVerifier v = verifierAt(SAMPLE_DATE);
    ECPrivateKey other = (ECPrivateKey) TestPki.ecKeyPair("secp256r1").getPrivate();
    assertThatThrownBy(() -> v.verify(RESPONSE, TRANSCRIPT, other, 18))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not the session transcript's EReaderKey");
    ECPrivateKey p384 = (ECPrivateKey) TestPki.ecKeyPair("secp384r1").getPrivate();
    assertThatThrownBy(() -> v.verify(RESPONSE, TRANSCRIPT, p384, 18))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a P-256 key");
    // an OpenID4VP transcript has no EReaderKey at all
    byte[] openId4Vp = SessionTranscripts.openId4Vp("x509_san_dns:gate.example", "n", null, "https://gate.example/r");
    assertThatThrownBy(() -> v.verify(RESPONSE, openId4Vp, READER_KEY, 18))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no EReaderKeyBytes");
  }

  // --- helpers

  /** Offset of the deviceMac's 32-byte tag: the response ends {@code 58 20 <tag> 66 "status" 00}. */
  static int tagOffset() {
    int at = RESPONSE.length - 8 - DeviceMac.TAG_BYTES;
    assertThat(HexFormat.of().formatHex(RESPONSE, at - 2, at)).isEqualTo("5820");
    assertThat(Arrays.copyOfRange(RESPONSE, at, at + DeviceMac.TAG_BYTES)).isEqualTo(tag());
    return at;
  }

  static byte[] tag() {
    return CBORObject.DecodeFromBytes(RESPONSE).get("documents").get(0).get("deviceSigned").get("deviceAuth")
        .get("deviceMac").get(3).GetByteString();
  }

  /** The response with the MAC tag replaced (the tag's bstr head re-encoded; nothing signed moves). */
  static byte[] withTag(byte[] tag) {
    int at = tagOffset() - 2;
    byte[] head = CBORObject.FromObject(tag).EncodeToBytes();
    byte[] status = Arrays.copyOfRange(RESPONSE, at + 2 + DeviceMac.TAG_BYTES, RESPONSE.length);
    byte[] out = new byte[at + head.length + status.length];
    System.arraycopy(RESPONSE, 0, out, 0, at);
    System.arraycopy(head, 0, out, at, head.length);
    System.arraycopy(status, 0, out, at + head.length, status.length);
    return out;
  }

  /** The sample's transcript with EReaderKeyBytes replaced by {@code key}'s COSE_Key. */
  static byte[] transcriptWithReaderKey(ECPublicKey key) {
    CBORObject t = CBORObject.DecodeFromBytes(TRANSCRIPT);
    assertThat(t.EncodeToBytes()).isEqualTo(TRANSCRIPT); // re-encoding is faithful
    CBORObject coseKey = CBORObject.NewOrderedMap().Add(1, 2).Add(-1, 1)
        .Add(-2, fixed(key.getW().getAffineX())).Add(-3, fixed(key.getW().getAffineY()));
    t.set(1, CBORObject.FromObject(coseKey.EncodeToBytes()).WithTag(24));
    return t.EncodeToBytes();
  }

  static ECPublicKey deviceKey(CBORObject doc) throws Refusal {
    CBORObject issuerAuth = doc.get("issuerSigned").get("issuerAuth");
    CBORObject mso = CBORObject.DecodeFromBytes(CBORObject.DecodeFromBytes(issuerAuth.get(2).GetByteString()).GetByteString());
    return Cose.ec2Key(mso.get("deviceKeyInfo").get("deviceKey"));
  }

  static byte[] fixed(BigInteger v) {
    byte[] b = v.toByteArray();
    byte[] out = new byte[32];
    int n = Math.min(b.length, 32);
    System.arraycopy(b, b.length - n, out, 32 - n, n);
    return out;
  }

  /** A resource's text without its {@code #} comment lines. */
  static String resource(String name) {
    try (InputStream in = MdocAnnexDTest.class.getResourceAsStream(DIR + name)) {
      if (in == null) {
        throw new IllegalStateException("no test resource " + DIR + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.US_ASCII).lines()
          .filter(l -> !l.startsWith("#")).collect(Collectors.joining("\n"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] hex(String name) {
    return HexFormat.of().parseHex(resource(name).replaceAll("\\s", ""));
  }

  static X509Certificate certificate(String name) {
    try {
      return (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(resource(name).getBytes(StandardCharsets.US_ASCII)));
    } catch (java.security.cert.CertificateException e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] encoded(X509Certificate c) {
    try {
      return c.getEncoded();
    } catch (java.security.cert.CertificateEncodingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** EReaderKey's d, checked against the x and y given with it. */
  static ECPrivateKey readerKey() {
    List<BigInteger> dxy = resource("ereader-key.hex").lines().filter(l -> !l.isBlank())
        .map(l -> new BigInteger(l.trim(), 16)).toList();
    try {
      ECPrivateKey k = (ECPrivateKey) KeyFactory.getInstance("EC")
          .generatePrivate(new ECPrivateKeySpec(dxy.get(0), Cose.Alg.ES256.params));
      CBORObject inTranscript = CBORObject.DecodeFromBytes(
          CBORObject.DecodeFromBytes(TRANSCRIPT).get(1).GetByteString());
      assertThat(new BigInteger(1, inTranscript.get(CBORObject.FromObject(-2)).GetByteString())).isEqualTo(dxy.get(1));
      assertThat(new BigInteger(1, inTranscript.get(CBORObject.FromObject(-3)).GetByteString())).isEqualTo(dxy.get(2));
      return k;
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
