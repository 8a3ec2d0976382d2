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
  void script_gzipped_atMost14KiB() throws Exception {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(buf)) {
      gz.write(resource("age-gate.js"));
    }
    assertThat(buf.size()).isLessThanOrEqualTo(14 * 1024);
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
    // the SVG namespace is a name, never fetched; no other absolute URL
    assertThat(js.replace("'http://www.w3.org/2000/svg'", "")).doesNotContain("http://", "https://", "import(", "eval(", "new Function");
  }

  @Test
  void script_neverParsesMarkup() throws Exception {
    // gateway data never becomes markup in the site's DOM (widget/README.md "Security model")
    String js = new String(resource("age-gate.js"), StandardCharsets.UTF_8);
    assertThat(js).doesNotContain("innerHTML", "outerHTML", "insertAdjacentHTML", "DOMParser", "createContextualFragment",
        "document.write", "setHTML", "parseHTMLUnsafe", "importNode", "srcdoc");
  }

  /** The version in the script's header ("agegate widget 1.2.3"). */
  private static String version() throws IOException {
    Matcher m = Pattern.compile("^/\\*! agegate widget (\\d+\\.\\d+\\.\\d+) ").matcher(new String(resource("age-gate.js"), StandardCharsets.UTF_8));
    assertThat(m.find()).as("age-gate.js starts with /*! agegate widget <version>").isTrue();
    return m.group(1);
  }

  private static byte[] released(String version, String name) throws IOException {
    try (InputStream in = WidgetPackagingTest.class.getResourceAsStream("/META-INF/resources/widget/" + version + "/" + name)) {
      assertThat(in).as("widget/" + version + "/" + name + " on the classpath").isNotNull();
      return in.readAllBytes();
    }
  }

  private static String sri(byte[] b) throws Exception {
    return "sha384-" + Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-384").digest(b));
  }

  @Test
  void releasedVersions_neverChange() throws Exception {
    String current = version();
    assertThat(released(current, "age-gate.js")).as("the current version's folder holds the script").isEqualTo(resource("age-gate.js"));
    java.util.Map<String, String> releases = new java.util.LinkedHashMap<>();
    for (String line : Files.readAllLines(Path.of("releases", "releases.txt"))) {
      if (!line.isBlank() && !line.startsWith("#")) {
        String[] f = line.trim().split("\\s+");
        releases.put(f[0], f[1]);
      }
    }
    assertThat(releases).as("releases/releases.txt lists the current version " + current).containsKey(current);
    assertThat(releases.get(current))
        .as("version " + current + " is released with other bytes: a released version never changes. Give the edited"
            + " script a new version (its header and widget/pom.xml's widget.version), move the old file to"
            + " releases/" + current + "/ and add a line to releases/releases.txt")
        .isEqualTo(sri(resource("age-gate.js")));
    for (var r : releases.entrySet()) {
      assertThat(sri(released(r.getKey(), "age-gate.js"))).as("release " + r.getKey()).isEqualTo(r.getValue());
      assertThat(new String(released(r.getKey(), "age-gate.js.sri"), StandardCharsets.US_ASCII).strip()).isEqualTo(r.getValue());
    }
  }

  @Test
  void readme_pinsTheCurrentVersion() throws Exception {
    String readme = Files.readString(Path.of("README.md"));
    assertThat(readme).contains("/widget/" + version() + "/age-gate.js");
  }

  private static String block(String js, String lang) {
    String head = "\n    " + lang + ": {";
    int start = js.indexOf(head);
    assertThat(start).as("language " + lang).isPositive();
    return js.substring(start + head.length(), js.indexOf("\n    }", start));
  }
}
