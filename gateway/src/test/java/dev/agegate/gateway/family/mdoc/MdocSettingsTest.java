package dev.agegate.gateway.family.mdoc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MdocSettingsTest {
  static Config config(Map<String, String> m) {
    return Config.just(ConfigSources.create(m));
  }

  @Test
  void from_noIacaDir_off() {
    assertThat(MdocSettings.from(config(Map.of("agegate.store", "caffeine")))).isEmpty();
  }

  @Test
  void from_iacaDirOnly_defaultDocTypes() {
    MdocSettings s = MdocSettings.from(config(Map.of("agegate.mdoc.iaca-dir", "/etc/iaca"))).orElseThrow();
    assertThat(s.iacaDir()).isEqualTo(Path.of("/etc/iaca"));
    assertThat(s.docTypes()).isEqualTo(MdocVerifier.DEFAULT_DOCTYPES);
  }

  @Test
  void from_docTypes_inOrder() {
    MdocSettings s = MdocSettings.from(config(Map.of("agegate.mdoc.iaca-dir", "/etc/iaca",
        "agegate.mdoc.doctypes.0.doctype", "eu.europa.ec.av.1",
        "agegate.mdoc.doctypes.0.namespace", "eu.europa.ec.av.1"))).orElseThrow();
    assertThat(s.docTypes()).containsExactly(Map.entry("eu.europa.ec.av.1", "eu.europa.ec.av.1"));
  }

  @Test
  void from_badOrMissingNamespace_failsNamingKey() {
    assertThatThrownBy(() -> MdocSettings.from(config(Map.of("agegate.mdoc.iaca-dir", "/etc/iaca",
        "agegate.mdoc.doctypes.0.doctype", "eu.europa.ec.av.1"))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("agegate.mdoc.doctypes.0.namespace");
    assertThatThrownBy(() -> MdocSettings.from(config(Map.of("agegate.mdoc.iaca-dir", "/etc/iaca",
        "agegate.mdoc.doctypes.0.doctype", "eu europa",
        "agegate.mdoc.doctypes.0.namespace", "x"))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("agegate.mdoc.doctypes.0.doctype");
  }
}
