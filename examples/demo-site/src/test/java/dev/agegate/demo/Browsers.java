package dev.agegate.demo;

import com.google.zxing.BinaryBitmap;
import com.google.zxing.DecodeHintType;
import com.google.zxing.NotFoundException;
import com.google.zxing.RGBLuminanceSource;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeReader;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Headless Debian Chromium through the system chromedriver (never a downloaded one: the driver
 * path is given explicitly, so Selenium Manager is not consulted), QR decoding of screenshots
 * with ZXing, and axe-core.
 */
final class Browsers {
  static final String CHROMIUM = System.getProperty("agegate.e2e.chromium", "/usr/bin/chromium");
  static final String DRIVER = System.getProperty("webdriver.chrome.driver", "/usr/bin/chromedriver");

  private Browsers() {}

  /** A fresh browser with its own profile (cookies, IndexedDB): one "person" or one device. */
  static ChromeDriver open(int width, int height) throws IOException {
    return open(width, height, "en-US");
  }

  /** The same, with the browser's languages ({@code Accept-Language}, {@code navigator.language}). */
  static ChromeDriver open(int width, int height, String lang) throws IOException {
    return open(width, height, lang, null);
  }

  /** A phone: Chromium's mobile emulation (touch, so {@code (pointer: coarse)}, 3x pixels, a phone's user agent). */
  static ChromeDriver openPhone(int width, int height) throws IOException {
    return open(width, height, "en-US", Map.of("deviceMetrics", Map.of("width", width, "height", height, "pixelRatio", 3.0, "touch", true),
        "userAgent", "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Mobile Safari/537.36"));
  }

  private static ChromeDriver open(int width, int height, String lang, Map<String, Object> mobile) throws IOException {
    Path profile = Files.createTempDirectory("agegate-e2e-chromium");
    ChromeOptions o = new ChromeOptions();
    o.setBinary(CHROMIUM);
    o.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
        "--disable-dev-shm-usage", "--user-data-dir=" + profile, "--window-size=" + width + "," + height, "--lang=" + lang);
    o.setExperimentalOption("prefs", Map.of("intl.accept_languages", lang));
    o.setCapability("goog:loggingPrefs", Map.of("browser", "ALL"));
    if (mobile != null) {
      o.setExperimentalOption("mobileEmulation", mobile);
    }
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File(DRIVER))
        .usingAnyFreePort()
        .build();
    ChromeDriver d = new ChromeDriver(service, o);
    if (mobile == null) {
      d.manage().window().setSize(new Dimension(width, height));
    }
    d.manage().timeouts().scriptTimeout(Duration.ofSeconds(60));
    // WORKAROUND, remove when the gateway answers conditional GETs of its static files with
    // 304: today Helidon's static content signals "not modified" with an HttpException(304),
    // which the gateway's ProblemHandler.http turns into a 400 problem, so a browser that
    // revalidates its cached age-gate.js gets no widget on the second gate page.
    d.executeCdpCommand("Network.enable", Map.of());
    d.executeCdpCommand("Network.setCacheDisabled", Map.of("cacheDisabled", true));
    return d;
  }

  /**
   * Installs the Digital Credentials API stand-in ({@code dc-stand-in.js}, which says what each
   * mode does) in every page {@code d} opens from now on, before the page's own scripts.
   *
   * @param config the stand-in's settings as a JS object literal, e.g. {@code {mode: 'cancel'}}
   * @return the CDP identifier, for {@link #removeDigitalCredentials}
   */
  static String digitalCredentials(ChromeDriver d, String config) {
    String source;
    try (InputStream in = Browsers.class.getResourceAsStream("/dc-stand-in.js")) {
      source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, Object> r = d.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument",
        Map.of("source", "{ const STAND_IN = " + config + ";\n" + source + "}"));
    return String.valueOf(r.get("identifier"));
  }

  static void removeDigitalCredentials(ChromeDriver d, String identifier) {
    d.executeCdpCommand("Page.removeScriptToEvaluateOnNewDocument", Map.of("identifier", identifier));
  }

  static WebDriverWait await(ChromeDriver d, int seconds) {
    WebDriverWait w = new WebDriverWait(d, Duration.ofSeconds(seconds));
    w.pollingEvery(Duration.ofMillis(200));
    return w;
  }

  /**
   * Decodes the QR code visible on the page, as a phone's camera would: takes screenshots until
   * one decodes (the widget draws the code after it turns pending, and the browser paints it
   * after the scroll), for at most 15 s, then fails with the last decoding error.
   */
  static String readQr(ChromeDriver d) throws IOException {
    AssertionError[] last = new AssertionError[1];
    String[] text = new String[1];
    try {
      await(d, 15).until(x -> {
        try {
          text[0] = readQrOnce(d);
          return true;
        } catch (AssertionError e) {
          last[0] = e;
          return false;
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
    } catch (org.openqa.selenium.TimeoutException e) {
      throw last[0] != null ? last[0] : new AssertionError("no QR code readable in the screenshot", e);
    }
    return text[0];
  }

  /**
   * One screenshot, decoded: the whole page first, then the module grid of the SVG the widget
   * shows, drawn at 8 pixels a module. In the page screenshot a module is 3 to 4 pixels
   * (crispEdges on a fractional grid), and for some links zxing misreads one in every screenshot
   * (a ChecksumException or FormatException); a phone held closer reads the same code.
   */
  private static String readQrOnce(ChromeDriver d) throws IOException {
    AssertionError failure;
    try {
      return decode(ImageIO.read(new ByteArrayInputStream(d.getScreenshotAs(OutputType.BYTES))));
    } catch (AssertionError e) {
      failure = e;
    }
    // The widget draws the gateway's SVG, one path of "Mx yhNv1h-Nz" runs on a module grid: draw
    // that grid at 8 pixels a module, what a phone's camera sees close up.
    Object drawn = d.executeScript("const g = document.querySelector('age-gate');"
        + " const svg = g && g.shadowRoot && g.shadowRoot.querySelector('.qr svg');"
        + " const p = svg && svg.querySelector('path');"
        + " return p ? [svg.getAttribute('viewBox'), p.getAttribute('d')] : null;");
    if (!(drawn instanceof List<?> parts) || parts.size() != 2) {
      throw failure;
    }
    BufferedImage grid = drawModules(String.valueOf(parts.get(0)), String.valueOf(parts.get(1)));
    String text = decode(grid);
    System.out.println("QR: the page screenshot did not decode (" + failure.getCause() + "), the drawn module grid did");
    return text;
  }

  /** The module grid of the gateway's QR SVG (viewBox "0 0 n n", path of "Mx yhNv1h-Nz" runs), 8 px a module. */
  static BufferedImage drawModules(String viewBox, String path) {
    int modules = Integer.parseInt(viewBox.trim().split("\\s+")[2]);
    int px = 8;
    BufferedImage grid = new BufferedImage(modules * px, modules * px, BufferedImage.TYPE_INT_RGB);
    java.awt.Graphics2D g = grid.createGraphics();
    g.setColor(java.awt.Color.WHITE);
    g.fillRect(0, 0, grid.getWidth(), grid.getHeight());
    g.setColor(java.awt.Color.BLACK);
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("M(\\d+) (\\d+)h(\\d+)v1h-\\d+z").matcher(path);
    while (m.find()) {
      g.fillRect(Integer.parseInt(m.group(1)) * px, Integer.parseInt(m.group(2)) * px, Integer.parseInt(m.group(3)) * px, px);
    }
    g.dispose();
    return grid;
  }

  /**
   * Decodes with zxing's detector (TRY_HARDER, then default), then as a pure barcode. zxing's
   * detector misreads some codes even in a perfect image (a ChecksumException on a drawn grid
   * that its pure-barcode path reads), which is a quirk of that one decoder, not of the code.
   */
  static String decode(BufferedImage img) {
    int[] px = img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
    Exception last = null;
    for (Map<DecodeHintType, ?> hints : List.of(Map.of(DecodeHintType.TRY_HARDER, Boolean.TRUE), Map.<DecodeHintType, Object>of(),
        Map.of(DecodeHintType.PURE_BARCODE, Boolean.TRUE))) {
      BinaryBitmap bitmap = new BinaryBitmap(new HybridBinarizer(new RGBLuminanceSource(img.getWidth(), img.getHeight(), px)));
      try {
        return new QRCodeReader().decode(bitmap, hints).getText();
      } catch (NotFoundException | com.google.zxing.ChecksumException | com.google.zxing.FormatException e) {
        last = e;
      }
    }
    throw new AssertionError("no QR code readable in the screenshot", last);
  }

  /** The browser console and the page's resource timings, for a failure message. */
  static String diagnostics(ChromeDriver d) {
    StringBuilder b = new StringBuilder("console:\n");
    try {
      d.manage().logs().get("browser").forEach(e -> b.append("  ").append(e).append('\n'));
    } catch (RuntimeException e) {
      b.append("  (no log: ").append(e.getMessage()).append(")\n");
    }
    b.append("resources: ").append(d.executeScript(
        "return performance.getEntriesByType('resource').map(r => r.name + ' ' + Math.round(r.duration) + 'ms status=' + r.responseStatus).join('\\n')"));
    return b.toString();
  }

  static void screenshot(ChromeDriver d, String name) throws IOException {
    Path dir = Path.of("target", "screenshots");
    Files.createDirectories(dir);
    Files.write(dir.resolve(name + ".png"), d.getScreenshotAs(OutputType.BYTES));
  }

  private static String axeSource;

  /** Runs axe-core on the current page (shadow DOM included) and returns the serious and critical violations. */
  @SuppressWarnings("unchecked")
  static List<String> axeSeriousViolations(ChromeDriver d) {
    if (axeSource == null) {
      try (InputStream in = Browsers.class.getResourceAsStream("/axe.min.js")) {
        if (in == null) {
          throw new IllegalStateException("axe.min.js is not on the test class path (the build copies it from npm's axe-core)");
        }
        axeSource = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    d.executeScript(axeSource);
    Object out = d.executeAsyncScript("""
        const done = arguments[arguments.length - 1];
        axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations
            .filter(v => v.impact === 'serious' || v.impact === 'critical')
            .map(v => v.impact + ' ' + v.id + ': ' + v.help + ' @ ' + v.nodes.map(n => JSON.stringify(n.target)).join(', '))),
          e => done(['axe failed: ' + e]));
        """);
    return (List<String>) out;
  }
}
