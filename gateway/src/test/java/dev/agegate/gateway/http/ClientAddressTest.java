package dev.agegate.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agegate.gateway.config.Cidr;
import dev.agegate.gateway.config.EdgeLimits.ForwardedHeader;
import dev.agegate.gateway.config.IpLiteral;
import java.net.InetAddress;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Who a request is from, behind trusted proxies and in front of spoofers. */
class ClientAddressTest {
  private static final List<Cidr> PROXIES = List.of(Cidr.parse("10.0.0.0/8"), Cidr.parse("2001:db8:ffff::/48"));
  private static final ClientAddress XFF = new ClientAddress(PROXIES, ForwardedHeader.X_FORWARDED_FOR);
  private static final ClientAddress FWD = new ClientAddress(PROXIES, ForwardedHeader.FORWARDED);
  private static final InetAddress LB = ip("10.0.0.5");
  private static final InetAddress STRANGER = ip("203.0.113.9");

  static InetAddress ip(String s) {
    return IpLiteral.parse(s).orElseThrow(() -> new AssertionError(s));
  }

  private static String xff(InetAddress peer, String... values) {
    return XFF.resolve(peer, List.of(values)).getHostAddress();
  }

  private static String fwd(InetAddress peer, String... values) {
    return FWD.resolve(peer, List.of(values)).getHostAddress();
  }

  @Test
  void resolve_untrustedPeerWithHeaders_peerAndHeadersNeverRead() {
    assertThat(xff(STRANGER, "198.51.100.1")).isEqualTo("203.0.113.9");
    assertThat(fwd(STRANGER, "for=198.51.100.1")).isEqualTo("203.0.113.9");
    assertThat(new ClientAddress(List.of(), ForwardedHeader.X_FORWARDED_FOR).resolve(LB, List.of("198.51.100.1")))
        .isEqualTo(LB);
  }

  @Test
  void resolve_trustedPeer_firstUntrustedFromTheRight() {
    assertThat(xff(LB, "198.51.100.1")).isEqualTo("198.51.100.1");
    assertThat(xff(LB, "198.51.100.1, 10.1.2.3")).isEqualTo("198.51.100.1");
    assertThat(xff(LB, "198.51.100.1", "10.1.2.3")).isEqualTo("198.51.100.1");
    assertThat(fwd(LB, "for=198.51.100.1;proto=https;by=10.0.0.5, for=10.1.2.3")).isEqualTo("198.51.100.1");
    assertThat(xff(LB)).isEqualTo("10.0.0.5");
  }

  @Test
  void resolve_clientSpoofsLeftEntries_proxiesRightEntryWins() {
    // the client sent "X-Forwarded-For: 1.2.3.4"; the balancer appended the address it saw
    assertThat(xff(LB, "1.2.3.4, 198.51.100.1")).isEqualTo("198.51.100.1");
    assertThat(xff(LB, "10.9.9.9, 198.51.100.1")).isEqualTo("198.51.100.1");
    assertThat(xff(LB, "garbage, <script>, 198.51.100.1")).isEqualTo("198.51.100.1");
    assertThat(fwd(LB, "for=\"unterminated, for=1.2.3.4, for=198.51.100.1")).isEqualTo("198.51.100.1");
  }

  @Test
  void resolve_manyHops_atMostMaxHopsWalked() {
    String many = String.join(", ", Collections.nCopies(1000, "198.51.100.66"));
    assertThat(xff(LB, many + ", 198.51.100.1")).isEqualTo("198.51.100.1");
    // a chain of trusted hops longer than MAX_HOPS stops at the last trusted one walked
    String trustedChain = String.join(", ", Collections.nCopies(ClientAddress.MAX_HOPS + 5, "10.7.7.7"));
    assertThat(xff(LB, "198.51.100.1, " + trustedChain)).isEqualTo("10.7.7.7");
  }

  @Test
  void resolve_malformedWrittenByTrustedHop_peerNeverTheHeader() {
    for (String bad : new String[] {"", " ", "garbage", "198.51.100.1,", ",198.51.100.1,", "198.51.100", "198.51.100.1.5",
        "256.1.1.1", "0x7f.0.0.1", "127.1", "017.0.0.1", "1.2.3.4:99999", "1.2.3.4:", "1.2.3.4 5.6.7.8",
        "[2001:db8::1", "2001:db8::1]", "[198.51.100.1]", "fe80::1%eth0", "example.com", "１.２.３.４", "::ffff:1.2.3.4.5"}) {
      assertThat(xff(LB, bad)).as("X-Forwarded-For: '%s'", bad).isEqualTo("10.0.0.5");
    }
    for (String bad : new String[] {"198.51.100.1", "for=", "for=2001:db8::1", "for=\"2001:db8::1\"", "for=[2001:db8::1]",
        "for=\"198.51.100.1", "for=198.51.100.1;for=198.51.100.2", "proto=https", "for=\"a\\\"b\"", "for=1.2.3.4 ;",
        "=1.2.3.4", "for=198.51.100.1:80"}) {
      assertThat(fwd(LB, bad)).as("Forwarded: '%s'", bad).isEqualTo("10.0.0.5");
    }
  }

  @Test
  void resolve_ipv6BracketsAndPorts_addressOnly() {
    assertThat(xff(LB, "2001:db8:1:2::7")).isEqualTo("2001:db8:1:2:0:0:0:7");
    assertThat(xff(LB, "[2001:db8:1:2::7]:4711")).isEqualTo("2001:db8:1:2:0:0:0:7");
    assertThat(xff(LB, "198.51.100.1:4711")).isEqualTo("198.51.100.1");
    assertThat(fwd(LB, "for=\"[2001:db8:1:2::7]:4711\"")).isEqualTo("2001:db8:1:2:0:0:0:7");
    assertThat(fwd(LB, "for=\"[2001:db8:1:2::7]\";proto=https")).isEqualTo("2001:db8:1:2:0:0:0:7");
    assertThat(fwd(LB, "For=\"198.51.100.1:4711\"")).isEqualTo("198.51.100.1");
    // a trusted IPv6 proxy in front of an IPv4 client, and IPv4-mapped IPv6 counted as IPv4
    assertThat(xff(ip("2001:db8:ffff::1"), "::ffff:198.51.100.1")).isEqualTo("198.51.100.1");
    assertThat(xff(LB, "::ffff:10.1.1.1")).isEqualTo("10.1.1.1");
  }

  @Test
  void resolve_obfuscatedOrUnknown_lastTrustedHop() {
    assertThat(fwd(LB, "for=_hidden")).isEqualTo("10.0.0.5");
    assertThat(fwd(LB, "for=198.51.100.1, for=unknown, for=10.2.2.2")).isEqualTo("10.2.2.2");
    assertThat(fwd(LB, "for=\"_gazonk\"")).isEqualTo("10.0.0.5");
    assertThat(xff(LB, "198.51.100.1, unknown")).isEqualTo("10.0.0.5");
    assertThat(fwd(LB, "for=\"[2001:db8::1]:_port\"")).isEqualTo("2001:db8:0:0:0:0:0:1");
  }

  @Test
  void bucket_ipv6ClientsOfOneSlash64_oneBucket() {
    assertThat(ClientAddress.bucket(ip("2001:db8:1:2::7"))).isEqualTo(ClientAddress.bucket(ip("2001:db8:1:2:ffff::1")))
        .isEqualTo("2001:db8:1:2::/64");
    assertThat(ClientAddress.bucket(ip("2001:db8:1:3::7"))).isNotEqualTo(ClientAddress.bucket(ip("2001:db8:1:2::7")));
    assertThat(ClientAddress.bucket(ip("198.51.100.1"))).isEqualTo("198.51.100.1");
  }

  @Test
  void ipLiteral_onlyCanonicalLiteralsAndNoLookups() {
    assertThat(IpLiteral.parse("0.0.0.0")).isPresent();
    assertThat(IpLiteral.parse("255.255.255.255")).isPresent();
    assertThat(IpLiteral.parse("::")).isPresent();
    assertThat(IpLiteral.parse("::1")).contains(ip("0:0:0:0:0:0:0:1"));
    assertThat(IpLiteral.parse("1:2:3:4:5:6:7:8")).isPresent();
    assertThat(IpLiteral.parse("1:2:3:4:5:6:1.2.3.4")).isPresent();
    for (String bad : new String[] {"localhost", "example.com", "1.2.3", "01.2.3.4", "1.2.3.4.", "1::2::3", "1:2:3:4:5:6:7:8:9",
        "1:2:3:4:5:6:7::8", "12345::", "g::1", "::1%1", "[::1]", "1.2.3.4/8", " 1.2.3.4", "", "٣.1.1.1"}) {
      assertThat(IpLiteral.parse(bad)).as(bad).isEmpty();
    }
  }

  @Test
  void cidr_containsAndTyposRefused() {
    Cidr c = Cidr.parse("10.0.0.0/8");
    assertThat(c.contains(ip("10.255.1.1"))).isTrue();
    assertThat(c.contains(ip("11.0.0.1"))).isFalse();
    assertThat(c.contains(ip("::ffff:10.0.0.1"))).isTrue();
    assertThat(Cidr.parse("2001:db8::/32").contains(ip("2001:db8:ffff::1"))).isTrue();
    assertThat(Cidr.parse("2001:db8::/32").contains(ip("10.0.0.1"))).isFalse();
    assertThat(Cidr.parse("0.0.0.0/0").contains(ip("2001:db8::1"))).isFalse();
    assertThat(Cidr.parse("192.0.2.7").contains(ip("192.0.2.7"))).isTrue();
    assertThat(Cidr.parse("192.0.2.7").contains(ip("192.0.2.8"))).isFalse();
    for (String bad : new String[] {"10.1.2.3/8", "10.0.0.0/33", "2001:db8::/129", "10.0.0.0/", "10.0.0.0/-1", "lb.internal",
        "10.0.0.0/8/8", "::ffff:10.0.0.0/104"}) {
      assertThatThrownBy(() -> Cidr.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
    }
  }
}
