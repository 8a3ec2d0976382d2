package dev.agegate.demo;

import java.nio.file.Path;

/**
 * The demo launcher: {@code java -jar examples/demo-site/target/agegate-demo-site.jar}. Starts
 * the gateway in demo mode (dev circuit keys, demo issuer), the demo shop and the web wallet on
 * loopback, and prints the URLs. Settings (system properties): {@code agegate.demo.host}
 * (default {@code localhost}; set the machine's network address to use a phone on the same
 * network), {@code agegate.demo.gateway-port} (8090), {@code agegate.demo.site-port} (8080),
 * {@code agegate.demo.data-dir} ({@code .agegate}).
 */
public final class Demo {
  private Demo() {}

  public static void main(String[] args) throws Exception {
    String host = System.getProperty("agegate.demo.host", "localhost");
    int gatewayPort = Integer.getInteger("agegate.demo.gateway-port", 8090);
    int sitePort = Integer.getInteger("agegate.demo.site-port", 8080);
    Path data = Path.of(System.getProperty("agegate.demo.data-dir", ".agegate"));
    DemoStack stack = DemoStack.start(host, gatewayPort, sitePort, data);
    System.out.println("""

        === agegate demo: open these ===
        shop (public)      %1$s/
        shop 18+           %1$s/adult/
        shop 21+           %1$s/spirits/
        web wallet         %2$s
        gateway            %3$s
        Get a demo credential in the wallet (any birth date), then open a gated page and
        scan its QR code with the wallet (or click "Use the web wallet"). Ctrl-C stops.
        """.formatted(stack.siteUrl(), stack.walletUrl(), stack.gatewayUrl()));
  }
}
