package dev.agegate.gateway.checks;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * The gateway's absolute URLs, from {@code agegate.public-url}. The client id (and the
 * audience bound into every proof's challenge) is {@code x509_san_dns:<host of the public URL>}
 * (OpenID4VP 1.0 §5.9.3; the request object's {@code x5c} leaf names that host). {@code walletUrl}
 * is the web wallet's ({@code agegate.wallet-url}, ending in a slash), or null when there is none.
 */
public record Links(String publicUrl, String walletUrl) {
  /** The client id prefix of a signed request whose x5c leaf names the client id's host as a dNSName. */
  public static final String X509_SAN_DNS = "x509_san_dns:";

  /** The OpenID4VP client id, {@code x509_san_dns:<host>}, also the audience of the challenge. */
  public String clientId() {
    return X509_SAN_DNS + host();
  }

  /** The client id prefix of an unsigned request whose response URI is the client id's value. */
  public static final String REDIRECT_URI = "redirect_uri:";

  /**
   * The client id of a check: {@code redirect_uri:<its response URI>} for a site with unsigned
   * requests (OpenID4VP 1.0 §5.9.3), else {@link #clientId()}.
   */
  public String clientId(boolean unsigned, String requestId) {
    return unsigned ? REDIRECT_URI + responseUri(requestId) : clientId();
  }

  /** The public URL's host (no port): the dNSName the request-signing certificate must name. */
  public String host() {
    return java.net.URI.create(publicUrl).getHost();
  }

  public String requestUri(String requestId) {
    return publicUrl + "/v1/requests/" + requestId;
  }

  public String responseUri(String requestId) {
    return publicUrl + "/v1/responses/" + requestId;
  }

  /**
   * {@code openid4vp://?client_id=…&request_uri=…&request_uri_method=post}: what the QR code
   * holds (a wallet may POST to the request URI with a {@code wallet_nonce}, or GET it).
   */
  public String walletLink(String requestId) {
    return "openid4vp://?client_id=" + enc(clientId()) + "&request_uri=" + enc(requestUri(requestId))
        + "&request_uri_method=post";
  }

  /** The web wallet's URL for the gateway's settings: the configured one, else its own {@code /wallet/} when served. */
  public static String walletUrlFor(String publicUrl, String configured, boolean served) {
    return configured != null ? configured : served ? publicUrl + "/wallet/" : null;
  }

  /** The web wallet's origin ({@code scheme://host[:port]}), or null when there is no web wallet. */
  public String walletOrigin() {
    if (walletUrl == null) {
      return null;
    }
    java.net.URI u = java.net.URI.create(walletUrl);
    return u.getScheme() + "://" + u.getRawAuthority();
  }

  /** The same request for the web wallet ({@code agegate.wallet-url}), or null when there is none. */
  public String webWalletLink(String requestId) {
    if (walletUrl == null) {
      return null;
    }
    return walletUrl + "?client_id=" + enc(clientId()) + "&request_uri=" + enc(requestUri(requestId));
  }

  public String trustListUri(String rootHex) {
    return publicUrl + "/v1/trust-list?root=" + rootHex;
  }

  public String provingKeyUri(String fingerprint) {
    return publicUrl + "/v1/circuits/" + fingerprint + "/proving-key";
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
