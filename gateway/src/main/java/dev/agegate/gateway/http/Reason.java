package dev.agegate.gateway.http;

import io.helidon.http.Status;

/**
 * The stable reason codes of the gateway: the {@code reason} member of every
 * {@code application/problem+json} answer, the reason of a rejected check, and the
 * {@code reason} tag of the {@code agegate_checks_total} metric. Codes never change meaning;
 * new ones may be added.
 */
public enum Reason {
  /** The proof does not verify against the gateway's own public inputs (also: another site, a lower age, an untrusted issuer). */
  PROOF_INVALID(422, "Proof invalid"),
  /** The presentation is not base64url of 288 bytes, or the proof or nullifier does not decode. */
  PROOF_MALFORMED(400, "Proof malformed"),
  /**
   * An ISO 18013-7 Annex C EncryptedResponse that HPKE does not open with the check's key and
   * SessionTranscript (sealed to another key, for another origin or another check, altered).
   */
  RESPONSE_UNDECRYPTABLE(400, "Response undecryptable"),
  /** An mdoc age attestation proves the person is younger than the check's minimum age ({@code age_over_NN = false}). */
  TOO_YOUNG(422, "Too young"),
  /**
   * An mdoc DeviceResponse was refused by one of the verifier's checks; the check's own
   * {@code reason} is that check's code ({@code issuer_untrusted}, {@code device_signature_invalid}, …).
   */
  MDOC_INVALID(422, "Attestation refused"),
  /** The presentation is of a family ({@code agegate-zk}, {@code mso_mdoc}) the check's site does not accept. */
  FAMILY_NOT_ACCEPTED(422, "Presentation family not accepted"),
  /**
   * A {@code direct_post.jwt} response that is not a JWE this gateway offered: another key or
   * {@code kid}, an {@code alg} or {@code enc} not offered, an {@code epk} not on P-256, or
   * undecryptable (the check is unchanged).
   */
  RESPONSE_ENCRYPTION_INVALID(400, "Encrypted response refused"),
  /**
   * An mdoc answered in plaintext where the request object asked for {@code direct_post.jwt} (the
   * check is rejected), or a Digital Credentials API answer with a plaintext {@code vp_token}
   * where the request asked for {@code dc_api.jwt} (the check stays open).
   */
  RESPONSE_NOT_ENCRYPTED(400, "Response not encrypted"),
  /** A second response for a check whose nonce was already used. */
  NONCE_REPLAYED(409, "Response already received"),
  /** A rejected check's reason: the person declined in the wallet (OpenID4VP {@code error=access_denied}). */
  DECLINED(409, "Declined in the wallet"),
  /** A rejected check's reason: the wallet answered with an OpenID4VP error other than {@code access_denied}. */
  WALLET_ERROR(409, "The wallet could not answer"),
  /** The {@code state} does not belong to this request. */
  STATE_MISMATCH(400, "Unknown state"),
  /** The check expired before it was completed or redeemed. */
  CHECK_EXPIRED(410, "Check expired"),
  /** No such check or request (never made, or long gone). */
  CHECK_NOT_FOUND(404, "Check not found"),
  /** The site is not configured at this gateway. */
  WRONG_SITE(400, "Unknown site"),
  /** Too many requests from one address or for one site. */
  RATE_LIMITED(429, "Too many requests"),
  /** The request's Origin is not one of the site's allowed origins. */
  ORIGIN_NOT_ALLOWED(403, "Origin not allowed"),
  /**
   * Check creation carried a wrong or malformed {@code Authorization: Bearer} site secret, or
   * none for a site that requires one ({@code require-secret}).
   */
  SITE_UNAUTHENTICATED(401, "Site authentication failed"),
  /** The body is larger than the configured limit. */
  BODY_TOO_LARGE(413, "Body too large"),
  /** The body or a parameter is missing, of the wrong type or out of range. */
  MALFORMED_REQUEST(400, "Malformed request"),
  /** The code_verifier does not hash to the check's code_challenge. */
  CODE_VERIFIER_MISMATCH(403, "Code verifier mismatch"),
  /** A token was asked for a check that is not verified (yet). */
  NOT_VERIFIED(409, "Check not verified"),
  /** The check's token was already issued. */
  ALREADY_REDEEMED(409, "Token already issued"),
  /** The gateway is at capacity (verification pool full, or too many event streams open); try again shortly. */
  OVERLOADED(503, "Overloaded"),
  /** No such resource. */
  NOT_FOUND(404, "Not found"),
  /** The resource does not support the method. */
  METHOD_NOT_ALLOWED(405, "Method not allowed"),
  /** An unexpected failure; never a verdict on a proof. */
  INTERNAL_ERROR(500, "Internal error");

  private final int status;
  private final String title;

  Reason(int status, String title) {
    this.status = status;
    this.title = title;
  }

  /** The code as it appears on the wire, e.g. {@code proof_invalid}. */
  public String code() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /** The HTTP status this reason is answered with. */
  public Status status() {
    return Status.create(status);
  }

  /** A short human-readable summary, the problem's {@code title}. */
  public String title() {
    return title;
  }
}
