package dev.agegate.gateway.config;

import java.net.InetAddress;
import java.util.Arrays;

/**
 * An address block such as {@code 10.0.0.0/8} or {@code 2001:db8::/32}; a bare address is a
 * block of one ({@code /32}, {@code /128}). An IPv4 block never contains an IPv6 address and
 * the other way round (an IPv4-mapped IPv6 address counts as IPv4). Immutable.
 */
public final class Cidr {
  private final byte[] network;
  private final int prefix;
  private final String text;

  private Cidr(byte[] network, int prefix, String text) {
    this.network = network;
    this.prefix = prefix;
    this.text = text;
  }

  /**
   * Parses {@code address[/prefix]}.
   *
   * @throws IllegalArgumentException when it is not an IP literal with a prefix in range, or
   *     has bits set beyond the prefix (a likely typo: {@code 10.1.2.3/8})
   */
  public static Cidr parse(String text) {
    String s = text == null ? "" : text.strip();
    int slash = s.indexOf('/');
    String addr = slash < 0 ? s : s.substring(0, slash);
    InetAddress a = IpLiteral.parse(addr)
        .orElseThrow(() -> new IllegalArgumentException("'" + text + "' is not an IPv4 or IPv6 address block such as 10.0.0.0/8"));
    byte[] bytes = a.getAddress();
    int max = bytes.length * 8;
    int prefix = max;
    if (slash >= 0) {
      String p = s.substring(slash + 1);
      if (!p.matches("[0-9]{1,3}") || Integer.parseInt(p) > max || (bytes.length == 4 && addr.indexOf(':') >= 0)) {
        throw new IllegalArgumentException("'" + text + "': the prefix length must be 0.." + max);
      }
      prefix = Integer.parseInt(p);
    }
    if (!Arrays.equals(mask(bytes, prefix), bytes)) {
      throw new IllegalArgumentException("'" + text + "' has address bits set beyond /" + prefix);
    }
    return new Cidr(bytes, prefix, s);
  }

  /** Whether {@code a} lies in this block. */
  public boolean contains(InetAddress a) {
    byte[] b = a.getAddress();
    return b.length == network.length && Arrays.equals(mask(b, prefix), network);
  }

  /** {@code a} with every bit past {@code prefix} cleared. */
  static byte[] mask(byte[] a, int prefix) {
    byte[] out = a.clone();
    for (int i = 0; i < out.length; i++) {
      int keep = Math.max(0, Math.min(8, prefix - 8 * i));
      out[i] = (byte) (out[i] & (0xff << (8 - keep)));
    }
    return out;
  }

  @Override
  public String toString() {
    return text;
  }
}
