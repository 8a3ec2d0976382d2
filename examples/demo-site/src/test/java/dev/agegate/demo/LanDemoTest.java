package dev.agegate.demo;

import static dev.agegate.demo.Journey.bornYearsAgo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.agegate.demo.Journey.Wallet;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.file.Path;
import java.util.Collections;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The phone-on-the-same-network demo: the stack on this machine's network address over plain
 * http, where browsers give pages no secure context (no {@code crypto.subtle}, no camera). Runs
 * in its own JVM (surefire {@code reuseForks=false}: the gateway takes its settings from system
 * properties). Skipped on a machine with no non-loopback IPv4 address.
 */
class LanDemoTest {
  @Test
  void phoneOnTheNetwork_plainHttpInsecureContext_adultPageUnlocks() throws Exception {
    String address = lanAddress();
    assumeTrue(address != null, "no non-loopback IPv4 address on this machine");
    DemoStack stack = DemoStack.start(address, 0, 0, Path.of("target", "e2e-data"));
    ChromeDriver shop = Browsers.open(412, 915);
    try (Wallet wallet = new Wallet(stack, bornYearsAgo(25))) {
      String link = Journey.openGate(stack, shop, "/adult/");
      assertThat(shop.executeScript("return [window.isSecureContext, typeof crypto.subtle]"))
          .as("a plain-http LAN page has no secure context: the widget uses its own SHA-256")
          .isEqualTo(java.util.List.of(false, "undefined"));
      assertThat(link).contains(java.net.URLEncoder.encode("http://" + address + ":", java.nio.charset.StandardCharsets.UTF_8));
      wallet.open(link);
      assertThat(wallet.consent()).isEqualTo("done");
      Browsers.await(shop, 60).until(d -> !d.findElements(By.id("unlocked")).isEmpty());
      assertThat(shop.getCurrentUrl()).isEqualTo(stack.siteUrl() + "/adult/");
    } finally {
      shop.quit();
      stack.stopSite();
    }
  }

  private static String lanAddress() throws Exception {
    for (NetworkInterface n : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (!n.isUp() || n.isLoopback()) {
        continue;
      }
      for (InetAddress a : Collections.list(n.getInetAddresses())) {
        if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
          return a.getHostAddress();
        }
      }
    }
    return null;
  }
}
