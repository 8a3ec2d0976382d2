package dev.agegate.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agegate.gateway.checks.Qr;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The journey tests' fallback reader decodes the module grid of the gateway's QR SVG. */
class QrGridTest {
  @Test
  void drawnModuleGrid_decodesToTheLink() {
    for (int i = 0; i < 200; i++) {
      String link = "openid4vp://?client_id=http%3A%2F%2F192.0.2.2%3A41609&request_uri=http%3A%2F%2F192.0.2.2%3A41609%2Fv1%2Frequests%2F"
          + java.util.UUID.randomUUID();
      String svg = Qr.svg(link);
      Matcher box = Pattern.compile("viewBox=\"([^\"]+)\"").matcher(svg);
      Matcher d = Pattern.compile(" d=\"([^\"]+)\"").matcher(svg);
      assertThat(box.find() && d.find()).isTrue();
      assertThat(Browsers.decode(Browsers.drawModules(box.group(1), d.group(1)))).isEqualTo(link);
    }
  }
}
