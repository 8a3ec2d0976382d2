package dev.agegate.gateway.family;

/** The ways a request reaches a wallet, which decide what a family can be asked for. */
public enum Transport {
  /** OpenID4VP 1.0 by reference (the QR's {@code request_uri}): a signed request object, client id {@code x509_san_dns:}. */
  SIGNED_REQUEST,
  /** OpenID4VP 1.0 by value, unsigned (the EU age verification profile): client id {@code redirect_uri:}. */
  UNSIGNED_REQUEST,
  /** The W3C Digital Credentials API: a platform wallet on this device, through the browser. */
  DIGITAL_CREDENTIALS_API
}
