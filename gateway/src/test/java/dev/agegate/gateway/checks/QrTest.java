package dev.agegate.gateway.checks;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.zxing.BarcodeFormat;
import com.google.zxing.EncodeHintType;
import com.google.zxing.common.BitMatrix;
import com.google.zxing.qrcode.QRCodeWriter;
import com.google.zxing.qrcode.decoder.ErrorCorrectionLevel;
import com.google.zxing.qrcode.encoder.ByteMatrix;
import com.google.zxing.qrcode.encoder.Encoder;
import com.google.zxing.qrcode.encoder.QRCode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
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

  /**
   * The mask chosen from one encoding ({@link QrMasks}) is the one ZXing chooses by building all
   * eight: over texts of every length up to 2300 bytes (versions 1 to 40, with and without version
   * information, one to three words per line, every mask chosen), {@link Qr#of} is module for
   * module {@code QRCodeWriter}'s grid.
   */
  @Test
  void of_isQrCodeWritersGrid_acrossTextsVersionsAndMasks() throws Exception {
    Random random = new Random(13);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~%:/?&=é€";
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < 240; i++) {
      int length = i < 200 ? 1 + random.nextInt(200) : 200 + random.nextInt(700);
      StringBuilder t = new StringBuilder();
      for (int j = 0; j < length; j++) {
        t.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      texts.add(t.toString());
    }
    for (int length = 950; length <= 2300; length += 75) { // ASCII up to version 40
      StringBuilder t = new StringBuilder();
      for (int j = 0; j < length; j++) {
        t.append(alphabet.charAt(random.nextInt(alphabet.length() - 2)));
      }
      texts.add(t.toString());
    }
    Links links = new Links("https://gate.example.com", null);
    for (int i = 0; i < 40; i++) {
      texts.add(links.walletLink(Ids.random()));
    }
    Set<Integer> versions = new TreeSet<>();
    Set<Integer> masks = new TreeSet<>();
    for (String text : texts) {
      BitMatrix writer = new QRCodeWriter().encode(text, BarcodeFormat.QR_CODE, 0, 0,
          Map.of(EncodeHintType.ERROR_CORRECTION, ErrorCorrectionLevel.M, EncodeHintType.MARGIN, 4,
              EncodeHintType.CHARACTER_SET, "UTF-8"));
      assertThat(Qr.of(text).modules()).as(text).isEqualTo(rows(writer));
      QRCode chosen = Encoder.encode(text, ErrorCorrectionLevel.M, Map.of(EncodeHintType.CHARACTER_SET, "UTF-8"));
      versions.add(chosen.getVersion().getVersionNumber());
      masks.add(chosen.getMaskPattern());
    }
    assertThat(masks).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
    assertThat(versions).contains(1, 6, 7, 10, 11, 12, 20, 40).hasSizeGreaterThan(30);
  }

  /** Each mask's grid derived from mask 0's is ZXing's grid for that mask (data remasked, format information rewritten). */
  @Test
  void derivedGrids_areZxingsForEveryMask() throws Exception {
    for (String text : List.of("x", "openid4vp://?client_id=x&request_uri=y", "é".repeat(120), "A".repeat(600))) {
      Map<EncodeHintType, Object> hints = Map.of(EncodeHintType.CHARACTER_SET, "UTF-8", EncodeHintType.QR_MASK_PATTERN, 0);
      QRCode first = Encoder.encode(text, ErrorCorrectionLevel.M, hints);
      int version = first.getVersion().getVersionNumber();
      int size = first.getMatrix().getWidth();
      byte[] raw = QrMasks.unmasked(first);
      byte[] derived = new byte[size * size];
      for (int mask = 0; mask < 8; mask++) {
        QRCode zxing = Encoder.encode(text, ErrorCorrectionLevel.M,
            Map.of(EncodeHintType.CHARACTER_SET, "UTF-8", EncodeHintType.QR_MASK_PATTERN, mask));
        QrMasks.grid(raw, QrMasks.data(version), size, mask, ErrorCorrectionLevel.M, derived);
        assertThat(derived).as("version %d mask %d", version, mask).isEqualTo(flat(zxing.getMatrix()));
      }
    }
  }

  /** The word-wide scoring gives every mask the penalty the module-by-module scoring gives it, one word per line or three. */
  @Test
  void penaltiesByWords_areThoseByBytes_forVersions1To40() throws Exception {
    Random random = new Random(7);
    Set<Integer> versions = new TreeSet<>();
    for (int i = 0; i < 260; i++) {
      byte[] text = new byte[i < 200 ? 1 + random.nextInt(250) : 250 + random.nextInt(2050)];
      random.nextBytes(text);
      QRCode first = Encoder.encode(new String(text, java.nio.charset.StandardCharsets.ISO_8859_1), ErrorCorrectionLevel.M,
          Map.of(EncodeHintType.QR_MASK_PATTERN, 0));
      int version = first.getVersion().getVersionNumber();
      versions.add(version);
      byte[] raw = QrMasks.unmasked(first);
      assertThat(QrMasks.penaltiesByWords(raw, version, ErrorCorrectionLevel.M))
          .as("version %d", version).isEqualTo(QrMasks.penaltiesByBytes(raw, version, ErrorCorrectionLevel.M));
    }
    assertThat(versions).contains(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 20, 30).hasSizeGreaterThan(30);
  }

  @Test
  void choose_refusesAGridWithAnotherMask() throws Exception {
    QRCode other = Encoder.encode("x", ErrorCorrectionLevel.M, Map.of(EncodeHintType.QR_MASK_PATTERN, 3));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> QrMasks.choose(other))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mask 0");
  }

  private static List<String> rows(BitMatrix m) {
    List<String> rows = new ArrayList<>();
    for (int y = 0; y < m.getHeight(); y++) {
      StringBuilder r = new StringBuilder();
      for (int x = 0; x < m.getWidth(); x++) {
        r.append(m.get(x, y) ? '1' : '0');
      }
      rows.add(r.toString());
    }
    return rows;
  }

  private static byte[] flat(ByteMatrix m) {
    byte[] out = new byte[m.getWidth() * m.getHeight()];
    for (int y = 0; y < m.getHeight(); y++) {
      System.arraycopy(m.getArray()[y], 0, out, y * m.getWidth(), m.getWidth());
    }
    return out;
  }
}
