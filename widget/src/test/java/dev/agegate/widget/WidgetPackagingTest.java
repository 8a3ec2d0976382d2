package dev.agegate.widget;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/** What the jar holds for the gateway to serve, and the figures widget/README.md publishes. */
class WidgetPackagingTest {
  private static byte[] resource(String name) throws IOException {
    try (InputStream in = WidgetPackagingTest.class.getResourceAsStream("/META-INF/resources/widget/v1/" + name)) {
      assertThat(in).as(name + " on the classpath").isNotNull();
      return in.readAllBytes();
    }
  }

  @Test
  void sriFile_isSha384OfTheScript() throws Exception {
    byte[] js = resource("age-gate.js");
    String expected = "sha384-" + Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-384").digest(js));
    assertThat(new String(resource("age-gate.js.sri"), StandardCharsets.US_ASCII).strip()).isEqualTo(expected);
  }

  @Test
  void readme_publishesTheCurrentSri() throws Exception {
    String sri = new String(resource("age-gate.js.sri"), StandardCharsets.US_ASCII).strip();
    String readme = Files.readString(Path.of("README.md"));
    Matcher m = Pattern.compile("sha384-[A-Za-z0-9+/=]{64}").matcher(readme);
    assertThat(m.find()).as("README.md names an SRI value").isTrue();
    assertThat(m.group()).as("README.md's SRI value (copy it from target/classes/META-INF/resources/widget/v1/age-gate.js.sri)")
        .isEqualTo(sri);
  }

  @Test
  void script_gzipped_atMost12KiB() throws Exception {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(buf)) {
      gz.write(resource("age-gate.js"));
    }
    assertThat(buf.size()).isLessThanOrEqualTo(12 * 1024);
  }

  @Test
  void script_everyLanguageHasEveryKey() throws Exception {
    String js = new String(resource("age-gate.js"), StandardCharsets.UTF_8);
    String en = block(js, "en");
    Matcher keys = Pattern.compile("(?m)^\\s*(\\w+):|,\\s*(\\w+):").matcher(en);
    for (String lang : new String[] {"fr", "de", "es"}) {
      String other = block(js, lang);
      keys.reset();
      while (keys.find()) {
        String key = keys.group(1) != null ? keys.group(1) : keys.group(2);
        assertThat(other).as(lang + " has " + key).containsPattern("(^|[\\s,{])" + key + ":");
      }
    }
  }

  @Test
  void script_makesNoRequestButToTheGatewayAndTheCallback() throws Exception {
    String js = new String(resource("age-gate.js"), StandardCharsets.UTF_8);
    assertThat(js).doesNotContain("http://", "https://", "import(", "eval(", "new Function", "innerHTML");
  }

  private static String block(String js, String lang) {
    String head = "\n    " + lang + ": {";
    int start = js.indexOf(head);
    assertThat(start).as("language " + lang).isPositive();
    return js.substring(start + head.length(), js.indexOf("\n    }", start));
  }
}
