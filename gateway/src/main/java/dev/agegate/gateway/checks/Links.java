package dev.agegate.gateway.checks;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * The gateway's absolute URLs, from {@code agegate.public-url}. The client id (and the
 * audience bound into every proof's challenge) is the public URL itself.
 */
public record Links(String publicUrl) {

  /** The OpenID4VP client id, also the audience of the challenge. */
  public String clientId() {
    return publicUrl;
  }

  public String requestUri(String requestId) {
    return publicUrl + "/v1/requests/" + requestId;
  }

  public String responseUri(String requestId) {
    return publicUrl + "/v1/responses/" + requestId;
  }

  /** {@code openid4vp://?client_id=…&request_uri=…}: what the QR code holds. */
  public String walletLink(String requestId) {
    return "openid4vp://?client_id=" + enc(clientId()) + "&request_uri=" + enc(requestUri(requestId));
  }

  /** The same request for the web wallet served by the gateway. */
  public String webWalletLink(String requestId) {
    return publicUrl + "/wallet/?client_id=" + enc(clientId()) + "&request_uri=" + enc(requestUri(requestId));
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
