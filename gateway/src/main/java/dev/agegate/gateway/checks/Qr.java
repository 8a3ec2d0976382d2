package dev.agegate.gateway.checks;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.google.zxing.EncodeHintType;
import com.google.zxing.WriterException;
import com.google.zxing.common.BitMatrix;
import com.google.zxing.qrcode.decoder.ErrorCorrectionLevel;
import com.google.zxing.qrcode.encoder.ByteMatrix;
import com.google.zxing.qrcode.encoder.Encoder;
import com.google.zxing.qrcode.encoder.QRCode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A QR code (error correction level M, 4-module quiet zone) as its module grid, what the widget
 * draws after validating it ({@code qr_modules}), and as a self-contained SVG (one path, dark
 * modules on white) for other clients ({@code qr_svg}, {@code /v1/checks/{tx}/qr.svg}).
 *
 * <p>The grid is the one ZXing's {@code QRCodeWriter} makes (UTF-8 with its ECI, the mask of
 * lowest penalty); what cost the time there was building and scoring a whole grid per mask
 * (0.78 ms of a check's creation, nine tenths of it the eight masks), so the mask is chosen by
 * {@link QrMasks} from one encoding and ZXing encodes with it (0.16–0.18 ms). {@link #of} encodes
 * once, and both renderings are read from that one grid. {@link #cached} keeps the grids of the
 * last checks (a few hundred bytes each), so {@code /v1/checks/{tx}/qr.svg} after the check's
 * creation renders without encoding again; a grid that fell out is encoded again, same result.
 */
public final class Qr {
  private static final Cache<String, Qr> RECENT = Caffeine.newBuilder()
      .maximumSize(10_000).expireAfterWrite(Duration.ofMinutes(30)).build();

  /** Light modules around the code (ISO/IEC 18004: at least four). */
  static final int QUIET_ZONE = 4;

  private final BitMatrix m;

  private Qr(BitMatrix m) {
    this.m = m;
  }

  /** {@code text} encoded once, for {@link #modules()} and {@link #svg()} of the same grid. */
  public static Qr of(String text) {
    return new Qr(matrix(text));
  }

  /** {@code text} encoded, or its grid from a recent encoding of the same text. */
  public static Qr cached(String text) {
    return RECENT.get(text, Qr::of);
  }

  /** The module grid of {@code text}: one string per row, {@code '1'} dark, {@code '0'} light; as many rows as columns. */
  public static List<String> modules(String text) {
    return of(text).modules();
  }

  /** The SVG of {@code text}. */
  public static String svg(String text) {
    return of(text).svg();
  }

  /** The module grid: one string per row, {@code '1'} dark, {@code '0'} light; as many rows as columns. */
  public List<String> modules() {
    List<String> rows = new ArrayList<>(m.getHeight());
    for (int y = 0; y < m.getHeight(); y++) {
      StringBuilder row = new StringBuilder(m.getWidth());
      for (int x = 0; x < m.getWidth(); x++) {
        row.append(m.get(x, y) ? '1' : '0');
      }
      rows.add(row.toString());
    }
    return rows;
  }

  /** The SVG of the grid. */
  public String svg() {
    int w = m.getWidth();
    int h = m.getHeight();
    StringBuilder path = new StringBuilder();
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        if (m.get(x, y)) {
          int run = 1;
          while (x + run < w && m.get(x + run, y)) {
            run++;
          }
          path.append('M').append(x).append(' ').append(y).append('h').append(run).append("v1h-").append(run).append('z');
          x += run - 1;
        }
      }
    }
    return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + w + " " + h
        + "\" shape-rendering=\"crispEdges\" role=\"img\" aria-label=\"QR code for your wallet\">"
        + "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/><path fill=\"#000\" d=\"" + path + "\"/></svg>";
  }

  /** The grid of {@code text} with its quiet zone: ZXing's encoding with the mask {@link QrMasks} chooses. */
  private static BitMatrix matrix(String text) {
    QRCode first = encode(text, 0);
    int mask = QrMasks.choose(first);
    return quietZone((mask == 0 ? first : encode(text, mask)).getMatrix());
  }

  private static QRCode encode(String text, int mask) {
    try {
      return Encoder.encode(text, ErrorCorrectionLevel.M,
          Map.of(EncodeHintType.CHARACTER_SET, "UTF-8", EncodeHintType.QR_MASK_PATTERN, mask));
    } catch (WriterException e) {
      throw new IllegalArgumentException("text too long for a QR code", e);
    }
  }

  /** {@code code} one pixel per module inside {@value #QUIET_ZONE} light modules (as {@code QRCodeWriter} renders it at size 0). */
  private static BitMatrix quietZone(ByteMatrix code) {
    int n = code.getWidth();
    BitMatrix out = new BitMatrix(n + 2 * QUIET_ZONE);
    for (int y = 0; y < n; y++) {
      for (int x = 0; x < n; x++) {
        if (code.get(x, y) == 1) {
          out.set(x + QUIET_ZONE, y + QUIET_ZONE);
        }
      }
    }
    return out;
  }
}
