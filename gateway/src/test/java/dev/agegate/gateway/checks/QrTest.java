package dev.agegate.gateway.checks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The QR module grid the widget draws ({@code qr_modules}) is the grid of the SVG other clients get. */
class QrTest {
  @Test
  void qrModules_squareGridOfTheSvgsPath() {
    String link = "openid4vp://?client_id=x&request_uri=y";
    List<String> rows = Qr.modules(link);
    assertThat(rows).hasSizeGreaterThanOrEqualTo(21 + 8);
    assertThat(rows).allSatisfy(r -> assertThat(r).hasSize(rows.size()).matches("[01]+"));
    // the quiet zone is light, the finder pattern's corner dark
    assertThat(rows.get(0)).doesNotContain("1");
    assertThat(rows.get(4).charAt(4)).isEqualTo('1');
    assertThat(Qr.svg(link)).contains("viewBox=\"0 0 " + rows.size() + " " + rows.size() + "\"").contains("M4 4h7v1h-7z");
  }

  @Test
  void encodedOnce_bothRenderingsAreTheOneGridsAndDifferForAnotherText() {
    String link = "openid4vp://?client_id=x&request_uri=y";
    Qr qr = Qr.of(link);
    assertThat(qr.modules()).isEqualTo(Qr.modules(link));
    assertThat(qr.svg()).isEqualTo(Qr.svg(link));
    assertThat(Qr.of(link + "z").modules()).isNotEqualTo(qr.modules());
    assertThat(Qr.cached(link)).isSameAs(Qr.cached(link));
    assertThat(Qr.cached(link).svg()).isEqualTo(qr.svg());
    assertThat(Qr.cached(link + "z").svg()).isEqualTo(Qr.svg(link + "z")).isNotEqualTo(qr.svg());
  }
}
