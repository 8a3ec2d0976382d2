package dev.agegate.wallet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** What the jar holds for the gateway to serve at /wallet/. The wallet's behaviour is tested in examples/demo-site. */
class WalletPackagingTest {
  private static byte[] resource(String name) throws IOException {
    try (InputStream in = WalletPackagingTest.class.getResourceAsStream("/META-INF/resources/wallet/" + name)) {
      assertThat(in).as(name + " on the classpath").isNotNull();
      return in.readAllBytes();
    }
  }

  @Test
  void proverWasm_isAWebAssemblyModule() throws Exception {
    byte[] wasm = resource("prover.wasm");
    assertThat(Arrays.copyOf(wasm, 4)).containsExactly(0, 'a', 's', 'm');
  }

  @Test
  void proverWasmGz_isTheSameModuleGzipped() throws Exception {
    byte[] gz = resource("prover.wasm.gz");
    byte[] unzipped = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(gz)).readAllBytes();
    assertThat(unzipped).isEqualTo(resource("prover.wasm"));
    assertThat(gz.length).as("gzip makes it smaller").isLessThan(unzipped.length / 3);
  }

  @Test
  void page_loadsOnlyItsOwnFiles_noInlineScriptOrStyle() throws Exception {
    String html = new String(resource("index.html"), StandardCharsets.UTF_8);
    assertThat(html).contains("<script src=\"wallet.js\" defer></script>", "<link rel=\"stylesheet\" href=\"wallet.css\">")
        .doesNotContain("style=", "<style", "http://", "https://", "onclick");
    assertThat(Pattern.compile("<script(?![^>]*src=)").matcher(html).find()).as("inline script").isFalse();
    for (String f : new String[] {"wallet.js", "wallet.css", "worker.js", "wasm_exec.js", "vendor/jsQR.js"}) {
      assertThat(resource(f)).as(f).isNotEmpty();
    }
  }

  @Test
  void words_everyLanguageHasEveryKeyAndEveryDataI18nKeyExists() throws Exception {
    String js = new String(resource("wallet.js"), StandardCharsets.UTF_8);
    String en = block(js, "en");
    Matcher keys = Pattern.compile("(?:^|,)\\s*(\\w+):").matcher(en);
    int count = 0;
    while (keys.find()) {
      count++;
      for (String lang : new String[] {"fr", "de", "es"}) {
        assertThat(block(js, lang)).as(lang + " has " + keys.group(1)).containsPattern("(^|[\\s,])" + keys.group(1) + ":");
      }
    }
    assertThat(count).isGreaterThan(40);
    Matcher used = Pattern.compile("data-i18n=\"(\\w+)\"").matcher(new String(resource("index.html"), StandardCharsets.UTF_8));
    while (used.find()) {
      assertThat(en).as("index.html's " + used.group(1)).containsPattern("(^|[\\s,])" + used.group(1) + ":");
    }
  }

  private static String block(String js, String lang) {
    String head = "\n    " + lang + ": {";
    int start = js.indexOf(head);
    assertThat(start).as("language " + lang).isPositive();
    return js.substring(start + head.length(), js.indexOf("\n    }", start));
  }
}
