package dev.agegate.gateway.http;

import dev.agegate.gateway.config.Cidr;
import dev.agegate.gateway.config.EdgeLimits;
import dev.agegate.gateway.config.IpLiteral;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Who a request comes from, for rate limits and stream caps: the TCP peer, unless the peer is a
 * trusted proxy ({@code agegate.limits.trusted-proxies}); then the configured forwarding header
 * ({@code X-Forwarded-For} or RFC 7239 {@code Forwarded}) is walked from the right, past every
 * trusted hop, to the first untrusted address. Only hops written by trusted proxies are ever
 * read: the walk stops at the first untrusted address, so whatever a client put to the left
 * is never used. A hop that is not an address ({@code unknown}, an obfuscated identifier) ends
 * the walk at the last trusted hop; a malformed header, or none, gives the peer. At most
 * {@link #MAX_HOPS} hops are walked.
 *
 * <p>The bucket key of an IPv6 client is its /64 (one subscriber's prefix: a client that owns a
 * /64 cannot spread over 2^64 buckets); of an IPv4 client its address. Thread-safe.
 */
public final class ClientAddress {
  /** Proxies beyond this many trusted hops are not walked (the last trusted hop is the client). */
  public static final int MAX_HOPS = 16;

  private final List<Cidr> trusted;
  private final EdgeLimits.ForwardedHeader header;

  public ClientAddress(List<Cidr> trusted, EdgeLimits.ForwardedHeader header) {
    this.trusted = List.copyOf(trusted);
    this.header = header;
  }

  /** Whether {@code a} is in a trusted proxy block. */
  public boolean trusted(InetAddress a) {
    for (Cidr c : trusted) {
      if (c.contains(a)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The client's address.
   *
   * @param peer the TCP peer
   * @param headerValues every value of the configured forwarding header, in order (empty: none)
   */
  public InetAddress resolve(InetAddress peer, List<String> headerValues) {
    if (trusted.isEmpty() || !trusted(peer) || headerValues.isEmpty()) {
      return peer;
    }
    List<String> hops = split(String.join(",", headerValues));
    InetAddress current = peer;
    for (int i = hops.size() - 1, walked = 0; i >= 0 && walked < MAX_HOPS; i--, walked++) {
      Hop h = header == EdgeLimits.ForwardedHeader.FORWARDED ? forwardedHop(hops.get(i)) : xffHop(hops.get(i));
      if (h.malformed()) {
        // written by a trusted proxy yet unreadable: a misconfiguration; never guess
        return peer;
      }
      if (h.address().isEmpty()) {
        return current;
      }
      InetAddress a = h.address().get();
      if (!trusted(a)) {
        return a;
      }
      current = a;
    }
    return current;
  }

  /** The bucket key of an address: IPv4 dotted, IPv6 its /64 ({@code 2001:db8:1:2::/64}). */
  public static String bucket(InetAddress a) {
    if (a instanceof Inet6Address) {
      byte[] b = a.getAddress();
      StringBuilder s = new StringBuilder();
      for (int i = 0; i < 8; i += 2) {
        s.append(Integer.toHexString(((b[i] & 0xff) << 8) | (b[i + 1] & 0xff))).append(':');
      }
      return s.append(":/64").toString();
    }
    return a.getHostAddress();
  }

  /** One hop: an address, no address (unknown or obfuscated), or malformed. */
  record Hop(Optional<InetAddress> address, boolean malformed) {
    static final Hop MALFORMED = new Hop(Optional.empty(), true);
    static final Hop HIDDEN = new Hop(Optional.empty(), false);

    static Hop of(InetAddress a) {
      return new Hop(Optional.of(a), false);
    }
  }

  private static List<String> split(String s) {
    List<String> out = new ArrayList<>();
    int from = 0;
    for (int i = 0; i <= s.length(); i++) {
      if (i == s.length() || s.charAt(i) == ',') {
        out.add(s.substring(from, i).strip());
        from = i + 1;
      }
    }
    return out;
  }

  /** {@code 192.0.2.1}, {@code 192.0.2.1:443}, {@code 2001:db8::1}, {@code [2001:db8::1]}, {@code [2001:db8::1]:443}. */
  static Hop xffHop(String s) {
    if (s.equalsIgnoreCase("unknown")) {
      return Hop.HIDDEN;
    }
    return node(s, true);
  }

  /**
   * One RFC 7239 forwarded-element ({@code for=…;proto=…;by=…}): its {@code for} parameter, a
   * token or a quoted string holding a node ({@code "[2001:db8::1]:443"}), {@code unknown} or an
   * obfuscated identifier ({@code _hidden}). Any other shape is malformed.
   */
  static Hop forwardedHop(String element) {
    String value = null;
    for (String pair : element.split(";", -1)) {
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        return Hop.MALFORMED;
      }
      String name = pair.substring(0, eq).strip();
      String v = pair.substring(eq + 1).strip();
      if (!name.matches("[A-Za-z][A-Za-z0-9_-]*")) {
        return Hop.MALFORMED;
      }
      if (v.startsWith("\"")) {
        if (v.length() < 2 || !v.endsWith("\"") || v.indexOf('"', 1) != v.length() - 1 || v.indexOf('\\') >= 0) {
          return Hop.MALFORMED;
        }
        v = v.substring(1, v.length() - 1);
      } else if (!v.matches("[A-Za-z0-9!#$%&'*+.^_`|~-]+")) {
        return Hop.MALFORMED;
      }
      if (name.equalsIgnoreCase("for")) {
        if (value != null) {
          return Hop.MALFORMED;
        }
        value = v;
      }
    }
    if (value == null) {
      return Hop.MALFORMED;
    }
    if (value.equalsIgnoreCase("unknown") || value.matches("_[A-Za-z0-9._-]+")) {
      return Hop.HIDDEN;
    }
    // RFC 7239 section 6: an IPv6 node is always in brackets (node() refuses a bare one)
    return node(value, false);
  }

  /** An address with an optional port; bare IPv6 only when {@code bareV6}. */
  private static Hop node(String s, boolean bareV6) {
    String host = s;
    String port = null;
    if (s.startsWith("[")) {
      int close = s.indexOf(']');
      if (close < 0) {
        return Hop.MALFORMED;
      }
      host = s.substring(1, close);
      String rest = s.substring(close + 1);
      if (!rest.isEmpty()) {
        if (!rest.startsWith(":")) {
          return Hop.MALFORMED;
        }
        port = rest.substring(1);
      }
      if (host.indexOf(':') < 0) {
        return Hop.MALFORMED;
      }
    } else {
      int colon = s.indexOf(':');
      if (colon >= 0 && s.indexOf(':', colon + 1) < 0) {
        host = s.substring(0, colon);
        port = s.substring(colon + 1);
      } else if (colon >= 0 && !bareV6) {
        return Hop.MALFORMED;
      }
    }
    if (port != null && !(port.matches("[0-9]{1,5}") && Integer.parseInt(port) <= 65535) && !port.matches("_[A-Za-z0-9._-]+")) {
      return Hop.MALFORMED;
    }
    return IpLiteral.parse(host).map(Hop::of).orElse(Hop.MALFORMED);
  }
}
