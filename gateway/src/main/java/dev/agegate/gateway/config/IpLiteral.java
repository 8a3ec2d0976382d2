package dev.agegate.gateway.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * Strict parsing of textual IP addresses, without any name lookup: IPv4 as exactly four decimal
 * parts 0..255 without leading zeros ({@code 127.1}, {@code 0x7f.0.0.1} and {@code 010.0.0.1}
 * are refused, where {@link InetAddress#getByName} would accept or resolve some of them), IPv6
 * as RFC 4291 text (eight groups of 1-4 hex digits, one {@code ::}, an IPv4 tail) without zone
 * ids or brackets. An IPv4-mapped IPv6 address ({@code ::ffff:192.0.2.1}) is its IPv4 address.
 * Thread-safe (static, stateless).
 */
public final class IpLiteral {
  private IpLiteral() {}

  /** The address {@code text} denotes, or empty when it is not exactly an IP literal. */
  public static Optional<InetAddress> parse(String text) {
    if (text == null || text.isEmpty() || text.length() > 45) {
      return Optional.empty();
    }
    byte[] b = text.indexOf(':') >= 0 ? v6(text) : v4(text);
    if (b == null) {
      return Optional.empty();
    }
    try {
      // getByAddress never looks a name up; it also turns an IPv4-mapped address into IPv4
      return Optional.of(InetAddress.getByAddress(b));
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }

  static byte[] v4(String s) {
    String[] parts = s.split("\\.", -1);
    if (parts.length != 4) {
      return null;
    }
    byte[] out = new byte[4];
    for (int i = 0; i < 4; i++) {
      String p = parts[i];
      if (p.isEmpty() || p.length() > 3 || (p.length() > 1 && p.charAt(0) == '0')) {
        return null;
      }
      int v = 0;
      for (int k = 0; k < p.length(); k++) {
        char c = p.charAt(k);
        if (c < '0' || c > '9') {
          return null;
        }
        v = v * 10 + (c - '0');
      }
      if (v > 255) {
        return null;
      }
      out[i] = (byte) v;
    }
    return out;
  }

  static byte[] v6(String s) {
    int dbl = s.indexOf("::");
    if (dbl >= 0 && s.indexOf("::", dbl + 1) >= 0) {
      return null;
    }
    String head = dbl >= 0 ? s.substring(0, dbl) : s;
    String tail = dbl >= 0 ? s.substring(dbl + 2) : "";
    int[] h = groups(head, dbl < 0);
    int[] t = dbl >= 0 ? groups(tail, true) : new int[0];
    if (h == null || t == null) {
      return null;
    }
    int n = h.length + t.length;
    if (dbl < 0 ? n != 8 : n > 7) {
      return null;
    }
    int[] all = new int[8];
    System.arraycopy(h, 0, all, 0, h.length);
    System.arraycopy(t, 0, all, 8 - t.length, t.length);
    byte[] out = new byte[16];
    for (int i = 0; i < 8; i++) {
      out[2 * i] = (byte) (all[i] >> 8);
      out[2 * i + 1] = (byte) all[i];
    }
    return out;
  }

  /** The 16-bit groups of one side of "::"; the last may be a dotted IPv4 (two groups) when allowed. */
  private static int[] groups(String s, boolean lastMayBeV4) {
    if (s.isEmpty()) {
      return new int[0];
    }
    String[] parts = s.split(":", -1);
    int[] out = new int[parts.length + 1];
    int n = 0;
    for (int i = 0; i < parts.length; i++) {
      String p = parts[i];
      if (i == parts.length - 1 && lastMayBeV4 && p.indexOf('.') >= 0) {
        byte[] v4 = v4(p);
        if (v4 == null) {
          return null;
        }
        out[n++] = ((v4[0] & 0xff) << 8) | (v4[1] & 0xff);
        out[n++] = ((v4[2] & 0xff) << 8) | (v4[3] & 0xff);
        continue;
      }
      if (p.isEmpty() || p.length() > 4) {
        return null;
      }
      int v = 0;
      for (int k = 0; k < p.length(); k++) {
        int d = Character.digit(p.charAt(k), 16);
        if (d < 0 || p.charAt(k) > 'f') {
          return null;
        }
        v = (v << 4) | d;
      }
      out[n++] = v;
    }
    return java.util.Arrays.copyOf(out, n);
  }
}
