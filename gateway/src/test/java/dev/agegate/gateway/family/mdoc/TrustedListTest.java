package dev.agegate.gateway.family.mdoc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.xml.crypto.dsig.Transform;
import javax.xml.crypto.dsig.XMLSignatureFactory;
import javax.xml.crypto.dsig.spec.TransformParameterSpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Trusted lists built and signed here (JDK XMLDSig, BouncyCastle test certificates): a good list
 * gives its accepted services' IACAs; each attack on the list (tampered content, a signer not
 * pinned, a stale list, a DTD/XXE, a signature not over the whole list) refuses it at load, with
 * a message naming the check.
 */
class TrustedListTest {
  static final Instant NOW = Instant.now();
  static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  static TestPki.Issued signer;
  static TestPki.Issued stranger;
  static TestPki.Issued iacaA;
  static TestPki.Issued iacaB;
  static TestPki.Issued withdrawn;

  @BeforeAll
  static void pki() throws Exception {
    Instant from = NOW.minus(Duration.ofDays(30));
    Instant to = NOW.plus(Duration.ofDays(365));
    signer = TestPki.iaca("TL signer", from, to);
    stranger = TestPki.iaca("Not the TL signer", from, to);
    iacaA = TestPki.iaca("List IACA A", from, to);
    iacaB = TestPki.iaca("List IACA B", from, to);
    withdrawn = TestPki.iaca("Withdrawn IACA", from, to);
  }

  static List<TestTsl.Svc> services() {
    return List.of(
        new TestTsl.Svc("PAA A", TestTsl.PAA, TrustedList.DEFAULT_SERVICE_STATUSES.get(2), List.of(iacaA.cert())),
        new TestTsl.Svc("PID B", TestTsl.PID, TestTsl.GRANTED, List.of(iacaB.cert())),
        new TestTsl.Svc("Withdrawn", TestTsl.PID, TestTsl.WITHDRAWN, List.of(withdrawn.cert())),
        new TestTsl.Svc("A QC CA", "http://uri.etsi.org/TrstSvc/Svctype/CA/QC", TestTsl.GRANTED,
            List.of(withdrawn.cert())));
  }

  static String goodList() throws Exception {
    return TestTsl.sign(TestTsl.xml(NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(7)), services()), signer);
  }

  static TrustedList.Loaded load(Path dir, String xml) throws Exception {
    Path f = dir.resolve("tl.xml");
    Files.writeString(f, xml);
    return TrustedList.load(f, List.of(signer.cert()), Set.copyOf(TrustedList.DEFAULT_SERVICE_TYPES),
        Set.copyOf(TrustedList.DEFAULT_SERVICE_STATUSES), CLOCK);
  }

  @Test
  void signedList_acceptedServicesOnly(@TempDir Path dir) throws Exception {
    TrustedList.Loaded l = load(dir, goodList());
    assertThat(l.services()).extracting(TrustedList.Service::name).containsExactly("PAA A", "PID B");
    assertThat(l.services().stream().flatMap(s -> s.certificates().stream()))
        .containsExactly(iacaA.cert(), iacaB.cert());
    assertThat(l.signer()).isEqualTo(signer.cert());
    assertThat(l.nextUpdate()).isAfter(NOW);
  }

  @Test
  void oneCertificateChangedAfterSigning_refused(@TempDir Path dir) throws Exception {
    String good = goodList();
    String tampered = good.replace(TestTsl.b64(iacaB.cert()), TestTsl.b64(stranger.cert()));
    assertThat(tampered).isNotEqualTo(good);
    assertThatThrownBy(() -> load(dir, tampered)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("changed after signing").hasMessageContaining("reference ''");
  }

  @Test
  void statusChangedAfterSigning_refused(@TempDir Path dir) throws Exception {
    String tampered = goodList().replace(TestTsl.WITHDRAWN, TestTsl.GRANTED);
    assertThatThrownBy(() -> load(dir, tampered)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("changed after signing");
  }

  @Test
  void signedByAKeyNotPinned_refused(@TempDir Path dir) throws Exception {
    String xml = TestTsl.sign(TestTsl.xml(NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(7)), services()),
        stranger);
    assertThatThrownBy(() -> load(dir, xml)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a pinned trusted-list signer");
  }

  @Test
  void pinnedCertificateInKeyInfoButSignedByAnotherKey_refused(@TempDir Path dir) throws Exception {
    // The stranger's key signs while KeyInfo names the pinned certificate: only the signature value can tell.
    TestPki.Issued forged = new TestPki.Issued(signer.cert(), stranger.key(), stranger.jwk());
    String xml = TestTsl.sign(TestTsl.xml(NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(7)), services()),
        forged);
    assertThatThrownBy(() -> load(dir, xml)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("signature value invalid");
  }

  @Test
  void nextUpdatePassed_refusedAsStale(@TempDir Path dir) throws Exception {
    String xml = TestTsl.sign(TestTsl.xml(NOW.minus(Duration.ofDays(8)), NOW.minus(Duration.ofSeconds(1)), services()),
        signer);
    assertThatThrownBy(() -> load(dir, xml)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is stale").hasMessageContaining("NextUpdate");
  }

  @Test
  void closedListOrIssuedInTheFuture_refused(@TempDir Path dir) throws Exception {
    String closed = TestTsl.sign(TestTsl.xml(NOW.minus(Duration.ofDays(1)), null, services()), signer);
    assertThatThrownBy(() -> load(dir, closed)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is closed");
    String future = TestTsl.sign(TestTsl.xml(NOW.plus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(7)), services()),
        signer);
    assertThatThrownBy(() -> load(dir, future)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is after the gateway's now");
  }

  @Test
  void doctypeWithExternalEntity_refusedBeforeAnythingIsRead(@TempDir Path dir) throws Exception {
    Path secret = Files.writeString(dir.resolve("secret.txt"), "do-not-read");
    String good = goodList();
    int rootAt = good.indexOf("<TrustServiceStatusList");
    String xxe = good.substring(0, rootAt) + "<!DOCTYPE TrustServiceStatusList [<!ENTITY xxe SYSTEM \""
        + secret.toUri() + "\">]>" + good.substring(rootAt).replace("<Name xml:lang=\"en\">PID B</Name>",
            "<Name xml:lang=\"en\">&xxe;</Name>");
    assertThatThrownBy(() -> load(dir, xxe)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("DOCTYPE").hasMessageNotContaining("do-not-read");
    String internalOnly = good.substring(0, rootAt) + "<!DOCTYPE TrustServiceStatusList>" + good.substring(rootAt);
    assertThatThrownBy(() -> load(dir, internalOnly)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("DOCTYPE");
  }

  @Test
  void referenceNotOverTheWholeList_refused(@TempDir Path dir) throws Exception {
    XMLSignatureFactory f = XMLSignatureFactory.getInstance("DOM");
    String unsigned = TestTsl.xml(NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(7)), services());
    // Enveloped only (inclusive c14n by default): not the transforms TS 119 612 asks.
    String inclusive = TestTsl.sign(unsigned, signer,
        List.of(f.newTransform(Transform.ENVELOPED, (TransformParameterSpec) null)), "");
    assertThatThrownBy(() -> load(dir, inclusive)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not exactly [enveloped-signature, exclusive c14n]");
    // A reference by Id to the root: no URI "" reference at all.
    String byId = TestTsl.sign(unsigned, signer,
        List.of(f.newTransform(javax.xml.crypto.dsig.CanonicalizationMethod.EXCLUSIVE, (TransformParameterSpec) null)), "#TSL");
    assertThatThrownBy(() -> load(dir, byId)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not exactly one");
  }

  @Test
  void twoSignaturesOrNone_refused(@TempDir Path dir) throws Exception {
    String good = goodList();
    int at = good.indexOf("<ds:Signature");
    int end = good.indexOf("</ds:Signature>") + "</ds:Signature>".length();
    String sig = good.substring(at, end);
    assertThatThrownBy(() -> load(dir, good.substring(0, end) + sig + good.substring(end)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 ds:Signature elements");
    assertThatThrownBy(() -> load(dir, good.substring(0, at) + good.substring(end)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0 ds:Signature elements");
  }

  @Test
  void malformed_refusedNamingTheCheck(@TempDir Path dir) throws Exception {
    assertThatThrownBy(() -> load(dir, "<TrustServiceStatusList")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not well-formed XML");
    assertThatThrownBy(() -> load(dir, "<x xmlns=\"urn:other\"/>")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("root element");
    String badDate = TestTsl.sign(TestTsl.xml(NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(7)), services())
        .replaceFirst("<ListIssueDateTime>[^<]*<", "<ListIssueDateTime>yesterday<"), signer);
    assertThatThrownBy(() -> load(dir, badDate)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ListIssueDateTime 'yesterday'");
    String noneAccepted = TestTsl.sign(TestTsl.xml(NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(7)),
        List.of(services().get(2))), signer);
    assertThatThrownBy(() -> load(dir, noneAccepted)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("names no certificate of a service with an accepted type");
  }

  /** Settings: the list's IACAs are anchors beside the PEM folder, each with its assurance level. */
  @Test
  void settings_listBesidePemFolder_assurancePerIaca(@TempDir Path dir) throws Exception {
    Path iacaDir = Files.createDirectories(dir.resolve("iaca"));
    TestPki.Issued pem = TestPki.iaca("PEM IACA", NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(9)));
    Files.writeString(iacaDir.resolve("national.pem"), pem.pem());
    Files.writeString(dir.resolve("tl.xml"), goodList());
    Files.writeString(dir.resolve("signer.pem"), signer.pem());
    String shaA = IacaTrustAnchors.sha256Hex(iacaA.cert());
    MdocSettings s = MdocSettings.from(Config.just(ConfigSources.create(Map.of(
        "agegate.mdoc.iaca-dir", iacaDir.toString(),
        "agegate.mdoc.default-assurance", "2",
        "agegate.mdoc.assurance.0.iaca", "national.pem",
        "agegate.mdoc.assurance.0.level", "4",
        "agegate.mdoc.assurance.1.iaca", shaA.toUpperCase(java.util.Locale.ROOT),
        "agegate.mdoc.assurance.1.level", "3",
        "agegate.mdoc.trusted-list.file", dir.resolve("tl.xml").toString(),
        "agegate.mdoc.trusted-list.signer", dir.resolve("signer.pem").toString(),
        "agegate.mdoc.trusted-list.assurance", "1")))).orElseThrow();
    IacaTrustAnchors a = s.anchors(CLOCK);
    assertThat(a.certificates()).containsExactly(pem.cert(), iacaA.cert(), iacaB.cert());
    assertThat(a.anchors()).extracting(IacaTrustAnchors.Anchor::assurance).containsExactly(4, 3, 1);
    assertThat(a.anchors().get(0).usableUntil()).isNull();
    assertThat(a.anchors().get(2).usableUntil()).isAfter(NOW);
    assertThat(a.anchors().get(2).staleAt(NOW.plus(Duration.ofDays(8)))).isTrue();
  }

  @Test
  void settings_listOnly_signerRequired_unknownAssuranceKeyRefused(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("tl.xml"), goodList());
    Files.writeString(dir.resolve("signer.pem"), signer.pem());
    assertThatThrownBy(() -> MdocSettings.from(Config.just(ConfigSources.create(Map.of(
        "agegate.mdoc.trusted-list.file", dir.resolve("tl.xml").toString())))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("agegate.mdoc.trusted-list.signer");
    MdocSettings s = MdocSettings.from(Config.just(ConfigSources.create(Map.of(
        "agegate.mdoc.trusted-list.file", dir.resolve("tl.xml").toString(),
        "agegate.mdoc.trusted-list.signer", dir.resolve("signer.pem").toString(),
        "agegate.mdoc.assurance.0.iaca", "typo.pem",
        "agegate.mdoc.assurance.0.level", "3")))).orElseThrow();
    assertThatThrownBy(() -> s.anchors(CLOCK)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'typo.pem' names no loaded IACA");
    assertThatThrownBy(() -> MdocSettings.from(Config.just(ConfigSources.create(Map.of(
        "agegate.mdoc.trusted-list.file", dir.resolve("tl.xml").toString(),
        "agegate.mdoc.trusted-list.signer", dir.resolve("signer.pem").toString(),
        "agegate.mdoc.trusted-list.assurance", "5")))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not an assurance level 1..4");
  }

  @Test
  void settings_listedCertificateNotACa_refusedNamingTheService(@TempDir Path dir) throws Exception {
    TestPki.Issued ds = TestPki.documentSigner(iacaA, "A DS listed directly", NOW.minus(Duration.ofDays(1)),
        NOW.plus(Duration.ofDays(9)), true);
    Files.writeString(dir.resolve("tl.xml"), TestTsl.sign(TestTsl.xml(NOW.minus(Duration.ofDays(1)),
        NOW.plus(Duration.ofDays(7)), List.of(new TestTsl.Svc("Direct DS", TestTsl.PID, TestTsl.GRANTED,
            List.<X509Certificate>of(ds.cert())))), signer));
    Files.writeString(dir.resolve("signer.pem"), signer.pem());
    MdocSettings s = MdocSettings.from(Config.just(ConfigSources.create(Map.of(
        "agegate.mdoc.trusted-list.file", dir.resolve("tl.xml").toString(),
        "agegate.mdoc.trusted-list.signer", dir.resolve("signer.pem").toString())))).orElseThrow();
    assertThatThrownBy(() -> s.anchors(CLOCK)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("service 'Direct DS'").hasMessageContaining("not a CA certificate");
  }
}
