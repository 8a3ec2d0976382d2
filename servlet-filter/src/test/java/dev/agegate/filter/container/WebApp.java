package dev.agegate.filter.container;

import dev.agegate.filter.AgeGateFilter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The test web application: web.xml with the gateway's address filled in, or the same filter in code. */
final class WebApp {

  private WebApp() {
  }

  /** @return a web application folder whose WEB-INF/web.xml points at {@code gatewayUrl} */
  static Path folder(Path dir, String gatewayUrl) throws IOException {
    return folder(dir, gatewayUrl, "");
  }

  /** @return the same, with {@code extra} (more {@code <init-param>} elements) added to the filter */
  static Path folder(Path dir, String gatewayUrl, String extra) throws IOException {
    try (InputStream in = WebApp.class.getResourceAsStream("/webapp/WEB-INF/web.xml")) {
      String xml = new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("@GATEWAY@", gatewayUrl)
          .replace("  </filter>", extra + "  </filter>");
      Path webInf = Files.createDirectories(dir.resolve("WEB-INF"));
      Files.writeString(webInf.resolve("web.xml"), xml);
    }
    return dir;
  }

  /** @return the filter web.xml describes, built in code */
  static AgeGateFilter filter(String gatewayUrl) {
    return builder(gatewayUrl).build();
  }

  static AgeGateFilter.Builder builder(String gatewayUrl) {
    return AgeGateFilter.builder()
        .gatewayUrl(gatewayUrl)
        .siteId("demo-shop")
        .rule("/spirits/*", 21)
        .rule("/adult/*", 18)
        .cookieSecure(false)
        // These tests are not about the gateway's timeout: a loaded machine's first WireMock
        // answer (its cold start) can take longer than the 3 s default.
        .jwksTimeout(java.time.Duration.ofSeconds(30));
  }
}
