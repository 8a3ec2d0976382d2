package dev.agegate.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.helidon.common.media.type.MediaTypes;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import java.time.Duration;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class SettingsTest {
  static Settings read(String yaml) {
    return Settings.from(Config.builder().disableEnvironmentVariablesSource().disableSystemPropertiesSource()
        .sources(ConfigSources.create(yaml, MediaTypes.APPLICATION_X_YAML)).build());
  }

  static final String SITE = """
        sites:
          - id: shop
            origins: ["https://shop.example"]
      """;

  @Test
  void from_minimalConfig_defaults() {
    Settings s = read("agegate:\n  circuit:\n    fingerprint: " + "a".repeat(64) + "\n" + SITE);
    assertThat(s.publicUrl()).isEqualTo("http://localhost:8090");
    assertThat(s.store()).isEqualTo("caffeine");
    assertThat(s.checkLifetime()).isEqualTo(Duration.ofMinutes(5));
    assertThat(s.maxBodyBytes()).isEqualTo(16_384);
    Site site = s.site("shop").orElseThrow();
    assertThat(site.minAge()).isEqualTo(18);
    assertThat(site.tokenLifetime()).isEqualTo(Duration.ofMinutes(5));
    assertThat(site.zone()).isEqualTo(ZoneId.of("UTC"));
    assertThat(site.pseudonym()).isFalse();
    assertThat(site.allows("https://shop.example")).isTrue();
    assertThat(site.allows("https://shop.example/")).isFalse();
  }

  @Test
  void from_noPinnedFingerprintWithoutDevKeys_failsNamingKey() {
    assertThatThrownBy(() -> read("agegate:\n" + SITE))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("agegate.circuit.fingerprint");
  }

  @Test
  void from_badValues_failNamingKeyAndValue() {
    String pin = "agegate:\n  circuit:\n    dev-keys: true\n";
    assertThatThrownBy(() -> read(pin + "  checks:\n    lifetime: 5m\n"))
        .hasMessageContaining("agegate.checks.lifetime").hasMessageContaining("5m");
    assertThatThrownBy(() -> read(pin + "  sites:\n    - id: shop\n      origins: [\"https://shop.example/path\"]\n"))
        .hasMessageContaining("agegate.sites.0.origins").hasMessageContaining("/path");
    assertThatThrownBy(() -> read(pin + "  sites:\n    - id: shop\n      origins: [\"https://a.example\"]\n      time-zone: Mars/Base\n"))
        .hasMessageContaining("time-zone").hasMessageContaining("Mars/Base");
    assertThatThrownBy(() -> read(pin + "  sites:\n    - id: shop\n      origins: [\"https://a.example\"]\n      pseudonym: yes-please\n"))
        .hasMessageContaining("pseudonym").hasMessageContaining("yes-please");
    assertThatThrownBy(() -> read(pin + "  store: memcached\n")).hasMessageContaining("agegate.store");
    assertThatThrownBy(() -> read(pin + "  public-url: ftp://x\n")).hasMessageContaining("agegate.public-url");
    assertThatThrownBy(() -> read(pin + "  sites:\n    - id: a\n      origins: [\"https://a.example\"]\n    - id: a\n      origins: [\"https://b.example\"]\n"))
        .hasMessageContaining("appears twice");
  }

  /**
   * An origin a browser never sends (upper case, the default port) would refuse every page of the
   * site, silently: it is refused at start, naming the form to write.
   */
  @Test
  void from_originNotAsABrowserSendsIt_failsNamingTheSerialisedForm() {
    String pin = "agegate:\n  circuit:\n    dev-keys: true\n  sites:\n    - id: shop\n      origins: [\"";
    for (String[] c : new String[][] {{"https://Shop.Example", "https://shop.example"},
        {"https://shop.example:443", "https://shop.example"}, {"http://shop.example:80", "http://shop.example"},
        {"http://[::1]:80", "http://[::1]"},
        {"http://[FE80::1]:8080", "http://[fe80::1]:8080"}}) {
      assertThatThrownBy(() -> read(pin + c[0] + "\"]\n")).as(c[0])
          .hasMessageContaining("agegate.sites.0.origins").hasMessageContaining("'" + c[1] + "'");
    }
    for (String ok : new String[] {"https://shop.example:8443", "http://localhost:8080", "http://[::1]:8080"}) {
      assertThat(read(pin + ok + "\"]\n").site("shop").orElseThrow().origins()).containsExactly(ok);
    }
  }

  @Test
  void from_requestStyle_defaultSignedUnsignedOnlyForMdocOnlySites() {
    String pin = "agegate:\n  circuit:\n    dev-keys: true\n  mdoc:\n    iaca-dir: /etc/agegate/iaca\n";
    String site = "  sites:\n    - id: shop\n      origins: [\"https://a.example\"]\n";
    assertThat(read(pin + site).site("shop").orElseThrow().unsignedRequest()).isFalse();
    assertThat(read(pin + site + "      families: [mso_mdoc]\n      request-style: unsigned\n").site("shop").orElseThrow()
        .unsignedRequest()).isTrue();
    assertThatThrownBy(() -> read(pin + site + "      families: [agegate-zk, mso_mdoc]\n      request-style: unsigned\n"))
        .hasMessageContaining("request-style unsigned needs families [mso_mdoc] only");
    assertThatThrownBy(() -> read(pin + site + "      families: [mso_mdoc]\n      request-style: by-value\n"))
        .hasMessageContaining("agegate.sites.0.request-style").hasMessageContaining("by-value");
  }

  @Test
  void from_families_defaultZkOnlyAndMdocNeedsIacaDir() {
    String pin = "agegate:\n  circuit:\n    dev-keys: true\n";
    String site = "  sites:\n    - id: shop\n      origins: [\"https://a.example\"]\n";
    assertThat(read(pin + site).site("shop").orElseThrow().families()).containsExactly(Site.AGEGATE_ZK);
    assertThat(read(pin + site).mdoc()).isEmpty();
    String mdoc = "  mdoc:\n    iaca-dir: /etc/agegate/iaca\n";
    Site both = read(pin + mdoc + site + "      families: [agegate-zk, mso_mdoc]\n").site("shop").orElseThrow();
    assertThat(both.families()).containsExactly(Site.AGEGATE_ZK, Site.MSO_MDOC);
    assertThat(both.accepts(Site.MSO_MDOC)).isTrue();
    assertThat(read(pin + mdoc + site + "      families: mso_mdoc\n").site("shop").orElseThrow().families())
        .containsExactly(Site.MSO_MDOC);
    assertThatThrownBy(() -> read(pin + mdoc + site + "      families: [agegate-zk, \"SD JWT\"]\n"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("agegate.sites.0.families")
        .hasMessageContaining("'SD JWT' is not a family name");
    // A well-formed name the gateway has no family for fails its start (FamilySeamTest), not the config
    assertThat(read(pin + mdoc + site + "      families: [agegate-zk, sd-jwt]\n").site("shop").orElseThrow().families())
        .containsExactly(Site.AGEGATE_ZK, "sd-jwt");
    assertThatThrownBy(() -> read(pin + mdoc + site + "      families: [mso_mdoc, mso_mdoc]\n"))
        .hasMessageContaining("agegate.sites.0.families").hasMessageContaining("twice");
    assertThatThrownBy(() -> read(pin + site + "      families: [agegate-zk, mso_mdoc]\n"))
        .hasMessageContaining("agegate.sites.0.families").hasMessageContaining("agegate.mdoc.iaca-dir");
    assertThatThrownBy(() -> read(pin + mdoc + site + "      families: [mso_mdoc]\n      min-age: 100\n"))
        .hasMessageContaining("agegate.sites.0.min-age").hasMessageContaining("two digits");
  }

  @Test
  void from_siteMinAgeBeyondTheCircuitsDays_failsNamingKey() {
    String pin = "agegate:\n  circuit:\n    dev-keys: true\n";
    assertThatThrownBy(() -> read(pin + "  sites:\n    - id: shop\n      origins: [\"https://a.example\"]\n      min-age: 130\n"))
        .hasMessageContaining("agegate.sites.0.min-age").hasMessageContaining("130").hasMessageContaining("1900-01-01");
    assertThat(read(pin + "  sites:\n    - id: shop\n      origins: [\"https://a.example\"]\n      min-age: 120\n")
        .site("shop").orElseThrow().minAge()).isEqualTo(120);
  }

  @Test
  void from_edgeLimits_defaultsAndOverrides() {
    String pin = "agegate:\n  circuit:\n    dev-keys: true\n";
    EdgeLimits d = read(pin).edge();
    assertThat(d.trustedProxies()).isEmpty();
    assertThat(d.forwardedHeader()).isEqualTo(EdgeLimits.ForwardedHeader.X_FORWARDED_FOR);
    assertThat(d.budget("poll")).isEqualTo(new RateLimit(600, Duration.ofMinutes(1)));
    assertThat(d.budget("jwks")).isEqualTo(new RateLimit(120, Duration.ofMinutes(1)));
    assertThat(d.budget("proving-key")).isEqualTo(new RateLimit(30, Duration.ofMinutes(10)));
    assertThat(d.streamsPerCheck()).isEqualTo(4);
    EdgeLimits o = read(pin + "  limits:\n    per-ip: {permits: 7}\n    forwarded-header: Forwarded\n"
        + "    endpoints:\n      qr: {permits: 3, window: PT10S}\n    event-streams: {total: 9}\n").edge();
    assertThat(o.budget("jwks").permits()).isEqualTo(7);
    assertThat(o.budget("qr")).isEqualTo(new RateLimit(3, Duration.ofSeconds(10)));
    assertThat(o.forwardedHeader()).isEqualTo(EdgeLimits.ForwardedHeader.FORWARDED);
    assertThat(o.streamsTotal()).isEqualTo(9);
    assertThatThrownBy(() -> read(pin + "  limits:\n    forwarded-header: x-real-ip\n")).hasMessageContaining("forwarded-header");
    assertThatThrownBy(() -> read(pin + "  limits:\n    event-streams: {per-check: 0}\n")).hasMessageContaining("event-streams");
  }
}
