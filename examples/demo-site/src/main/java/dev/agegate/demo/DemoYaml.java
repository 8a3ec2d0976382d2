package dev.agegate.demo;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

/**
 * The gateway's demo settings ({@code demo.yaml} in the gateway jar) with the {@code demo-shop}
 * site's allowed origins replaced by the shop's real origin. The gateway reads
 * {@code demo.yaml} through the thread's context class loader; {@link #loader} answers that one
 * name with the rewritten copy and everything else from its parent. (A system property cannot
 * replace one member of a YAML list in Helidon's config: "Cannot merge OBJECT members [0] with
 * an LIST node".)
 */
final class DemoYaml {
  private DemoYaml() {}

  static ClassLoader loader(ClassLoader parent, Path dataDir, String origin) throws IOException {
    return loader(parent, dataDir, origin, "");
  }

  /**
   * The same, with {@code siteLines} (YAML lines indented for the site, e.g.
   * {@code "      families: [agegate-zk, mso_mdoc]\n"}) added to the demo shop's entry.
   */
  static ClassLoader loader(ClassLoader parent, Path dataDir, String origin, String siteLines) throws IOException {
    String yaml;
    try (InputStream in = parent.getResourceAsStream("demo.yaml")) {
      if (in == null) {
        throw new IllegalStateException("the gateway's demo.yaml is not on the class path");
      }
      yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    String rewritten = yaml.replaceFirst("origins: \\[[^\\]]*\\]\n", java.util.regex.Matcher.quoteReplacement(
        "origins: [\"" + origin + "\"]\n" + siteLines));
    if (rewritten.equals(yaml)) {
      throw new IllegalStateException("the gateway's demo.yaml has no 'origins: [...]' line to replace");
    }
    Files.createDirectories(dataDir);
    Path file = dataDir.resolve("demo-site.yaml");
    Files.writeString(file, rewritten);
    URL url = file.toUri().toURL();
    return new ClassLoader(parent) {
      @Override
      public URL getResource(String name) {
        return "demo.yaml".equals(name) ? url : super.getResource(name);
      }

      @Override
      public Enumeration<URL> getResources(String name) throws IOException {
        return "demo.yaml".equals(name) ? Collections.enumeration(List.of(url)) : super.getResources(name);
      }
    };
  }
}
