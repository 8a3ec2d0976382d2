package dev.agegate.gateway.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agegate.gateway.config.Site;
import dev.agegate.gateway.family.mdoc.IacaTrustAnchors;
import dev.agegate.gateway.family.mdoc.MdocFamily;
import dev.agegate.gateway.family.mdoc.MdocVerifier;
import dev.agegate.gateway.family.mdoc.TestPki;
import dev.agegate.gateway.store.Check;
import dev.agegate.gateway.store.CheckStatus;
import dev.agegate.gateway.tokens.Pseudonyms;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The check's Annex C key is derived, not stored (docs/decisions.md, "Annex C reader keys"):
 * every node sharing {@code pseudonym.key} sends and opens with the same key, another secret or
 * another check gives another key, and a site without mso_mdoc (or an age of three digits) is
 * offered nothing.
 */
class DcApiMdocTest {
  static final Map<String, String> TYPES = Map.of("eu.europa.ec.av.1", "eu.europa.ec.av.1");
  /** The mso_mdoc family of one docType under a test IACA (this test never verifies a response). */
  static final MdocFamily DOCTYPES = family();

  private static MdocFamily family() {
    try {
      Instant now = Instant.now();
      MdocVerifier v = new MdocVerifier(IacaTrustAnchors.of(List.of(TestPki.iaca("Test IACA", now.minusSeconds(60),
          now.plusSeconds(3600)).cert())), TYPES, Clock.systemUTC());
      return new MdocFamily(v, TYPES, Clock.systemUTC());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static Check check(String tx, String nonce, int minAge) {
    Instant now = Instant.now();
    return new Check(tx, "req-" + tx, nonce, "state", "shop", minAge, 2, "c".repeat(43), null, LocalDate.now(),
        "00", now, now.plusSeconds(300), CheckStatus.PENDING, null, null, null, false, 1);
  }

  static Site site(Set<String> families) {
    return new Site("shop", Set.of("https://shop.example"), 18, 2, Duration.ofMinutes(10), ZoneOffset.UTC, false,
        List.of(), false, "shop", families);
  }

  @Test
  void sameSecretSameKey_otherSecretOrCheckOtherKey(@TempDir Path a, @TempDir Path b) throws Exception {
    Path copy = Files.createDirectories(b.resolve("node2"));
    Pseudonyms node1 = Pseudonyms.open(a);
    Files.copy(a.resolve(Pseudonyms.FILE), copy.resolve(Pseudonyms.FILE));
    Files.setPosixFilePermissions(copy.resolve(Pseudonyms.FILE), java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    Pseudonyms node2 = Pseudonyms.open(copy);
    Pseudonyms stranger = Pseudonyms.open(b.resolve("node3"));
    Site mdoc = site(Set.of(Site.AGEGATE_ZK, Site.MSO_MDOC));
    Check c = check("tx-aaaaaaaaaaaaaaaa", "nonce-1", 18);

    String ei1 = new DcApiMdoc(node1, DOCTYPES, null).data(c, mdoc).getString("encryptionInfo");
    assertThat(new DcApiMdoc(node2, DOCTYPES, null).data(c, mdoc).getString("encryptionInfo")).isEqualTo(ei1);
    assertThat(new DcApiMdoc(stranger, DOCTYPES, null).data(c, mdoc).getString("encryptionInfo")).isNotEqualTo(ei1);
    assertThat(new DcApiMdoc(node1, DOCTYPES, null).data(check("tx-bbbbbbbbbbbbbbbb", "nonce-1", 18), mdoc)
        .getString("encryptionInfo")).isNotEqualTo(ei1);
    assertThat(new DcApiMdoc(node1, DOCTYPES, null).data(check("tx-aaaaaaaaaaaaaaaa", "nonce-2", 18), mdoc)
        .getString("encryptionInfo")).isNotEqualTo(ei1);
  }

  @Test
  void offeredOnlyToMsoMdocSitesWithATwoDigitAge(@TempDir Path a) {
    Pseudonyms p = Pseudonyms.open(a);
    DcApiMdoc dc = new DcApiMdoc(p, DOCTYPES, null);
    assertThat(dc.data(check("tx-aaaaaaaaaaaaaaaa", "n", 18), site(Set.of(Site.AGEGATE_ZK)))).isNull();
    assertThat(dc.data(check("tx-aaaaaaaaaaaaaaaa", "n", 100), site(Set.of(Site.MSO_MDOC)))).isNull();
    assertThat(new DcApiMdoc(p, null, null).data(check("tx-aaaaaaaaaaaaaaaa", "n", 18), site(Set.of(Site.MSO_MDOC))))
        .as("mdoc off").isNull();
    assertThat(dc.data(check("tx-aaaaaaaaaaaaaaaa", "n", 99), site(Set.of(Site.MSO_MDOC)))).isNotNull();
  }
}
