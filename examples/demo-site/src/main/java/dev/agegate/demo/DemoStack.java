package dev.agegate.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The gateway (demo mode, in this JVM) and the demo shop, wired to each other: the gateway's
 * {@code demo-shop} site allows the shop's origin, the shop's filter trusts the gateway. The
 * web wallet is served by the gateway at {@code /wallet/}. The launcher and the end-to-end
 * tests both start it. The gateway reads its settings from system properties, so one JVM
 * holds one stack.
 */
public final class DemoStack {
  private final String gatewayUrl;
  private final String siteUrl;
  private final Server site;

  private DemoStack(String gatewayUrl, String siteUrl, Server site) {
    this.gatewayUrl = gatewayUrl;
    this.siteUrl = siteUrl;
    this.site = site;
  }

  /**
   * Starts both.
   *
   * @param host the name browsers use for this machine ({@code localhost}, or the host's
   *     address on the network for phones)
   * @param gatewayPort the gateway's port, 0 for a free one
   * @param sitePort the shop's port, 0 for a free one
   * @param dataDir the gateway's data folder (dev circuit keys are generated there once)
   */
  public static DemoStack start(String host, int gatewayPort, int sitePort, Path dataDir) throws Exception {
    return start(host, gatewayPort, sitePort, dataDir, DEMO_SHOP);
  }

  /**
   * What the launcher adds to the demo shop's entry of the gateway's demo.yaml: it accepts
   * agegate's ZK proofs and ISO mdoc attestations, so its checks carry {@code digital} and the
   * widget offers "Use a digital ID on this device". The mdoc trust anchor is the gateway's demo
   * IACA ({@code gateway/…/demo/DemoIaca}, made at start); no wallet anyone has holds an mdoc
   * under it, so a real wallet on the device finds nothing to share and the QR code stays.
   * The gateway's own {@code --demo} keeps a ZK-only demo shop (bench and scaleout measure that).
   */
  public static final String DEMO_SHOP = "      families: [agegate-zk, mso_mdoc]\n";

  /**
   * The same, with {@code siteLines} added to the demo shop's entry of the gateway's demo.yaml
   * instead of {@link #DEMO_SHOP} ({@code ""}: the gateway's demo shop as demo.yaml has it).
   */
  public static DemoStack start(String host, int gatewayPort, int sitePort, Path dataDir, String siteLines) throws Exception {
    int gp = gatewayPort == 0 ? freePort() : gatewayPort;
    int sp = sitePort == 0 ? freePort() : sitePort;
    String gatewayUrl = "http://" + host + ":" + gp;
    String siteOrigin = "http://" + host + ":" + sp;
    System.setProperty("server.port", String.valueOf(gp));
    // the admin listener (health, metrics, OpenAPI): 8091 for ./demo, a free one for the tests
    // (several demo stacks may run on one machine)
    System.setProperty("server.sockets.admin.port", gatewayPort == 0 ? "0" : String.valueOf(gp + 1));
    System.setProperty("server.host", "localhost".equals(host) ? "127.0.0.1" : "0.0.0.0");
    System.setProperty("agegate.public-url", gatewayUrl);
    System.setProperty("agegate.data-dir", dataDir.toString());
    // demo.yaml's demo-shop allows http://localhost:8080 only, and Helidon cannot override one
    // member of a YAML list from a system property: the gateway reads a copy of its demo.yaml
    // that allows this shop's origin (see DemoYaml).
    Thread t = Thread.currentThread();
    ClassLoader before = t.getContextClassLoader();
    t.setContextClassLoader(DemoYaml.loader(before, dataDir, siteOrigin, siteLines));
    try {
      dev.agegate.gateway.Main.main(new String[] {"--demo"});
    } finally {
      t.setContextClassLoader(before);
    }
    awaitUp(gatewayUrl + "/.well-known/jwks.json");
    Server site = DemoSite.start("localhost".equals(host) ? "127.0.0.1" : "0.0.0.0", sp, gatewayUrl, "http://127.0.0.1:" + gp);
    int port = ((ServerConnector) site.getConnectors()[0]).getLocalPort();
    return new DemoStack(gatewayUrl, "http://" + host + ":" + port, site);
  }

  public String gatewayUrl() {
    return gatewayUrl;
  }

  public String siteUrl() {
    return siteUrl;
  }

  public String walletUrl() {
    return gatewayUrl + "/wallet/";
  }

  /** Stops the shop; the gateway stops with the JVM. */
  public void stopSite() throws Exception {
    site.stop();
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void awaitUp(String url) throws InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (System.nanoTime() < deadline) {
      try {
        if (http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not up yet
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("the gateway did not answer " + url + " within 2 minutes");
  }
}
