package dev.agegate.gateway.family.mdoc;

/**
 * Why a DeviceResponse was refused; {@link #code()} is the stable wire form (snake case).
 * A reason never names or carries the value of a disclosed element.
 */
public enum Reason {
  /** Not CBOR, trailing bytes, duplicate map keys, a wrong type, length or tag, a missing field. */
  MALFORMED,
  /** Larger than {@link MdocVerifier#MAX_RESPONSE_BYTES}. */
  TOO_LARGE,
  /** {@code status} is not 0 (OK). */
  STATUS_NOT_OK,
  /** Not exactly one document. */
  DOCUMENT_COUNT,
  /** The document's docType is not one this check accepts. */
  DOCTYPE_NOT_ACCEPTED,
  /** IssuerAuth: alg not ES256/ES384/ES512 in the protected header, or not matching the key's curve. */
  ISSUER_ALG_UNSUPPORTED,
  /** IssuerAuth: no usable x5chain in the unprotected header. */
  ISSUER_CHAIN_MISSING,
  /** The document signer does not chain to a configured IACA, or a certificate of its path is signed with SHA-1, MD5 or RSA-PSS. */
  ISSUER_UNTRUSTED,
  /** A certificate of the chain, or the IACA itself, is outside its validity at the clock's now. */
  ISSUER_CERT_NOT_VALID,
  /** The document signer certificate lacks digitalSignature or the mdoc DS extended key usage. */
  ISSUER_CERT_USAGE,
  /** The IssuerAuth signature does not verify with the document signer's key. */
  ISSUER_SIGNATURE_INVALID,
  /** The MSO's digestAlgorithm is not SHA-256, SHA-384 or SHA-512. */
  DIGEST_ALG_UNSUPPORTED,
  /** A disclosed element's digest is not the MSO's digest for its digestID. */
  DIGEST_MISMATCH,
  /** now is before the MSO's validFrom (or signed is after now or after validFrom). */
  MSO_NOT_YET_VALID,
  /** now is after the MSO's validUntil. */
  MSO_EXPIRED,
  /** The MSO's docType is not the document's docType. */
  MSO_DOCTYPE_MISMATCH,
  /** The MSO's deviceKey is not an EC2 P-256/P-384/P-521 key whose point is on its curve. */
  DEVICE_KEY_INVALID,
  /**
   * DeviceAuth is a deviceMac and the caller holds no reader key for this session (none of the
   * gateway's transports has one: OpenID4VP and ISO 18013-7 Annex C put no EReaderKey in the
   * transcript).
   */
  DEVICE_MAC_UNSUPPORTED,
  /** deviceMac: alg not HMAC 256/256 (5) in the protected header only, or the device key not on P-256. */
  DEVICE_MAC_ALG_UNSUPPORTED,
  /** The device MAC does not verify over DeviceAuthentication with this session's transcript and reader key. */
  DEVICE_MAC_INVALID,
  /** DeviceSignature: alg not ES256/ES384/ES512 in the protected header, or not the device key's curve. */
  DEVICE_ALG_UNSUPPORTED,
  /** The device signature does not verify over DeviceAuthentication with this check's transcript. */
  DEVICE_SIGNATURE_INVALID,
  /** Something other than {@code age_over_NN} in the accepted namespace was disclosed. */
  ELEMENT_NOT_ALLOWED,
  /** No {@code age_over_NN} with NN at or above the minimum age was disclosed. */
  AGE_OVER_MISSING,
  /** The disclosed {@code age_over_NN} elements contradict each other. */
  AGE_OVER_INCONSISTENT,
  /** {@code age_over_NN = false} for an NN at or below the minimum age. */
  TOO_YOUNG,
  /**
   * The IACA the document chained to has an assurance level (trust configuration) below the
   * check's minimum. Decided after the verifier, by the protocol code.
   */
  ISSUER_ASSURANCE_TOO_LOW,
  /** The IACA came from a trusted list whose NextUpdate has passed since the gateway read it. */
  TRUSTED_LIST_STALE;

  /** The wire form, e.g. {@code too_young}. */
  public String code() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
