package dev.agegate.gateway.family.mdoc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IacaTrustAnchorsTest {
  static final Instant NOW = Instant.now();

  @Test
  void loadFolder_pemFiles_everyCertificateInFileOrder(@TempDir Path dir) throws Exception {
    TestPki.Issued a = TestPki.iaca("A", NOW, NOW.plus(Duration.ofDays(1)));
    TestPki.Issued b = TestPki.iaca("B", NOW, NOW.plus(Duration.ofDays(1)));
    TestPki.Issued c = TestPki.iaca("C", NOW, NOW.plus(Duration.ofDays(1)));
    Files.writeString(dir.resolve("1-a.pem"), a.pem());
    Files.writeString(dir.resolve("2-bc.pem"), b.pem() + c.pem());
    Files.writeString(dir.resolve("README.txt"), "not read");
    assertThat(IacaTrustAnchors.loadFolder(dir).certificates()).containsExactly(a.cert(), b.cert(), c.cert());
  }

  @Test
  void loadFolder_documentSignerNotCa_failsNamingFile(@TempDir Path dir) throws Exception {
    TestPki.Issued a = TestPki.iaca("A", NOW, NOW.plus(Duration.ofDays(1)));
    TestPki.Issued ds = TestPki.documentSigner(a, "DS", NOW, NOW.plus(Duration.ofDays(1)), true);
    Files.writeString(dir.resolve("ds.pem"), ds.pem());
    assertThatThrownBy(() -> IacaTrustAnchors.loadFolder(dir)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ds.pem").hasMessageContaining("not a CA certificate");
  }

  @Test
  void loadFolder_notPem_failsNamingFile(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("junk.pem"), "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
    assertThatThrownBy(() -> IacaTrustAnchors.loadFolder(dir)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("junk.pem");
  }

  @Test
  void loadFolder_emptyOrMissing_fails(@TempDir Path dir) {
    assertThatThrownBy(() -> IacaTrustAnchors.loadFolder(dir)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("holds no *.pem certificate");
    assertThatThrownBy(() -> IacaTrustAnchors.loadFolder(dir.resolve("nope")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not a directory");
  }
}
