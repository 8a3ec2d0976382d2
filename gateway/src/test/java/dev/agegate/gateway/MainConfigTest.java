package dev.agegate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.helidon.config.Config;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MainConfigTest {
  @Test
  void config_systemProperty_overridesApplicationYaml() {
    System.setProperty("server.port", "9123");
    try {
      Config c = Main.config(false, Map.of());
      assertThat(c.get("server.port").asInt().get()).isEqualTo(9123);
      assertThat(c.get("agegate.store").asString().get()).isEqualTo("caffeine");
    } finally {
      System.clearProperty("server.port");
    }
  }

  @Test
  void config_demo_demoShopOnLocalhost8080AndDefaultPort8090() {
    Config c = Main.config(true, Map.of("agegate.trust.file", "/x/trust.json"));
    assertThat(c.get("server.port").asInt().get()).isEqualTo(8090);
    assertThat(c.get("agegate.sites.0.id").asString().get()).isEqualTo("demo-shop");
    assertThat(c.get("agegate.sites.0.origins").asList(String.class).get()).contains("http://localhost:8080");
    assertThat(c.get("agegate.circuit.dev-keys").asBoolean().get()).isTrue();
    assertThat(c.get("agegate.trust.file").asString().get()).isEqualTo("/x/trust.json");
  }
}
