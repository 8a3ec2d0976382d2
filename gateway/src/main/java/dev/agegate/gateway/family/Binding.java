package dev.agegate.gateway.family;

/**
 * What the transport an answer came through binds it to, beside the check itself (its nonce,
 * minimum age and site, which every family reads from the check): each family verifies against
 * the parts its presentations sign.
 *
 * @param clientId the client id the request named ({@code x509_san_dns:<host>} or
 *     {@code redirect_uri:<response_uri>}); null where the transport has none (ISO 18013-7 Annex C)
 * @param sessionTranscript the ISO/IEC 18013-5 SessionTranscript the transport defines for this
 *     answer (OpenID4VPHandover, OpenID4VPDCAPIHandover, Annex C's), CBOR; null when it defines
 *     none (a plaintext {@code direct_post}, whose OpenID4VP handover needs the encryption key)
 * @param encrypted whether the answer came encrypted to a key of this check
 */
public record Binding(String clientId, byte[] sessionTranscript, boolean encrypted) {
  public Binding {
    sessionTranscript = sessionTranscript == null ? null : sessionTranscript.clone();
  }

  @Override
  public byte[] sessionTranscript() {
    return sessionTranscript == null ? null : sessionTranscript.clone();
  }
}
