package dev.agegate.demo;

import java.nio.file.Path;

/**
 * The demo launcher: {@code java -jar examples/demo-site/target/agegate-demo-site.jar}. Starts
 * the gateway in demo mode (dev circuit keys, demo issuer, demo IACA), the demo shop (accepting
 * agegate's ZK proofs and ISO mdoc attestations, {@link DemoStack#DEMO_SHOP}) and the web wallet
 * on loopback, and prints the URLs. Settings (system properties): {@code agegate.demo.host}
 * (default {@code localhost}; set the machine's network address to use a phone on the same
 * network), {@code agegate.demo.gateway-port} (8090), {@code agegate.demo.site-port} (8080),
 * {@code agegate.demo.data-dir} ({@code .agegate}).
 */
public final class Demo {
  private Demo() {}

  public static void main(String[] args) throws Exception {
    DemoStack stack = start();
    System.out.println("""

        === agegate demo: open these ===
        shop (public)      %1$s/
        shop 18+           %1$s/adult/
        shop 21+           %1$s/spirits/
        web wallet         %2$s
        gateway            %3$s
        Get a demo credential in the wallet (any birth date), then open a gated page and
        scan its QR code with the wallet (or click "Use the web wallet"). Ctrl-C stops.
        In a browser with the Digital Credentials API (Chrome 141+, Safari 26+) the gate also
        offers "Use a digital ID on this device": the shop accepts ISO mdoc attestations under
        the DEMO IACA made at start (%4$s, not for production). No wallet holds one, so the
        browser finds no digital ID, the widget says so and the QR code stays.
        """.formatted(stack.siteUrl(), stack.walletUrl(), stack.gatewayUrl(),
        dev.agegate.gateway.demo.DemoIaca.folder(dataDir())));
  }

  /** Starts the stack with the launcher's settings (the system properties above, or their defaults). */
  static DemoStack start() throws Exception {
    String host = System.getProperty("agegate.demo.host", "localhost");
    int gatewayPort = Integer.getInteger("agegate.demo.gateway-port", 8090);
    int sitePort = Integer.getInteger("agegate.demo.site-port", 8080);
    return DemoStack.start(host, gatewayPort, sitePort, dataDir());
  }

  /** {@code agegate.demo.data-dir}, default {@code .agegate}. */
  static Path dataDir() {
    return Path.of(System.getProperty("agegate.demo.data-dir", ".agegate"));
  }
}
