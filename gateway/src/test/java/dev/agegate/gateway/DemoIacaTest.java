package dev.agegate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agegate.gateway.demo.DemoIaca;
import dev.agegate.gateway.demo.DemoSetup;
import dev.agegate.gateway.family.mdoc.IacaTrustAnchors;
import dev.agegate.testsupport.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Demo mode's mdoc trust anchor: made at start, a CA the gateway's IACA loader takes, its key
 * private and its own, reused while good, made again when not, and never in the production config.
 */
class DemoIacaTest {
  @Test
  void demoSetup_makesDemoIaca_gatewayLoadsIt_keyIsPrivateAndSignsForIt() throws Exception {
    Path data = TestGateways.freshDataDir();
    Map<String, String> prepared = DemoSetup.prepare(Main.config(true, Map.of("agegate.data-dir", data.toString())));
    Path folder = Path.of(prepared.get("agegate.mdoc.iaca-dir"));
    assertThat(folder).isEqualTo(DemoIaca.folder(data));

    X509Certificate anchor = IacaTrustAnchors.loadFolder(folder).certificates().get(0);
    assertThat(anchor.getSubjectX500Principal().getName()).contains("DEMO IACA - not for production");
    assertThat(anchor.getSubjectX500Principal()).isEqualTo(anchor.getIssuerX500Principal());
    assertThat(Files.getPosixFilePermissions(DemoIaca.keyFile(data))).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    try (var files = Files.list(folder)) {
      assertThat(files.map(p -> p.getFileName().toString())).as("certificates only in the anchor folder").containsExactly("demo-iaca.pem");
    }
    Signature s = Signature.getInstance("SHA256withECDSA");
    s.initSign(DemoIaca.privateKey(data));
    s.update(new byte[] {1, 2, 3});
    byte[] sig = s.sign();
    Signature v = Signature.getInstance("SHA256withECDSA");
    v.initVerify(anchor.getPublicKey());
    v.update(new byte[] {1, 2, 3});
    assertThat(v.verify(sig)).isTrue();
  }

  @Test
  void ensure_goodIaca_reused() throws Exception {
    Path data = TestGateways.freshDataDir();
    MutableClock clock = new MutableClock(Instant.now());
    DemoIaca.ensure(data, clock);
    byte[] first = DemoIaca.certificate(data).getEncoded();
    clock.advance(Duration.ofDays(365));
    DemoIaca.ensure(data, clock);
    assertThat(DemoIaca.certificate(data).getEncoded()).isEqualTo(first);
  }

  @Test
  void ensure_iacaEndingWithin30Days_madeAgain() throws Exception {
    Path data = TestGateways.freshDataDir();
    MutableClock clock = new MutableClock(Instant.now());
    DemoIaca.ensure(data, clock);
    X509Certificate first = DemoIaca.certificate(data);
    clock.set(first.getNotAfter().toInstant().minus(Duration.ofDays(29)));
    DemoIaca.ensure(data, clock);
    X509Certificate second = DemoIaca.certificate(data);
    assertThat(second.getEncoded()).isNotEqualTo(first.getEncoded());
    assertThat(second.getNotAfter().toInstant()).isAfter(clock.instant().plus(Duration.ofDays(365)));
  }

  @Test
  void ensure_keyOfAnotherIacaOrMissingCertificate_madeAgain() throws Exception {
    Path data = TestGateways.freshDataDir();
    MutableClock clock = new MutableClock(Instant.now());
    DemoIaca.ensure(data, clock);
    byte[] first = DemoIaca.certificate(data).getEncoded();
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    Files.writeString(DemoIaca.keyFile(data), "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder().encodeToString(g.generateKeyPair().getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n");
    DemoIaca.ensure(data, clock);
    byte[] second = DemoIaca.certificate(data).getEncoded();
    assertThat(second).isNotEqualTo(first);

    Files.delete(DemoIaca.folder(data).resolve("demo-iaca.pem"));
    DemoIaca.ensure(data, clock);
    assertThat(DemoIaca.certificate(data).getEncoded()).isNotEqualTo(second);
    IacaTrustAnchors.loadFolder(DemoIaca.folder(data));
  }

  @Test
  void productionConfig_namesNoIaca() {
    assertThat(Main.config(false, Map.of()).get("agegate.mdoc.iaca-dir").exists()).isFalse();
    assertThat(Main.config(true, Map.of()).get("agegate.mdoc.iaca-dir").exists())
        .as("only DemoSetup names the demo IACA, at start, not demo.yaml").isFalse();
  }
}
