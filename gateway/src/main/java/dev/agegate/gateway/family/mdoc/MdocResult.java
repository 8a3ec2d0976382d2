package dev.agegate.gateway.family.mdoc;

import java.time.Instant;
import java.util.Objects;

/** What {@link MdocVerifier#verify} decided: {@link Verified} or {@link Refused}, nothing else. */
public sealed interface MdocResult {

  /**
   * Every check passed.
   *
   * @param ageOver the NN of the {@code age_over_NN = true} element used (the smallest disclosed
   *     NN at or above the check's minimum age)
   * @param docType the document's docType (equal to the MSO's)
   * @param issuer the document signer and the IACA it chains to, for assurance and audit
   * @param validUntil the MSO's {@code validUntil}
   */
  record Verified(int ageOver, String docType, Issuer issuer, Instant validUntil) implements MdocResult {
    public Verified {
      Objects.requireNonNull(docType, "docType");
      Objects.requireNonNull(issuer, "issuer");
      Objects.requireNonNull(validUntil, "validUntil");
    }
  }

  /** Refused, with the first check that failed. Carries no part of the presentation. */
  record Refused(Reason reason) implements MdocResult {
    public Refused {
      Objects.requireNonNull(reason, "reason");
    }
  }

  /**
   * The certificates behind a verified document.
   *
   * @param signerSubject the document signer certificate's subject (RFC 2253)
   * @param signerSha256 lower-case hex SHA-256 of the document signer certificate's DER
   * @param iacaSubject the trust anchor's subject (RFC 2253)
   * @param iacaSha256 lower-case hex SHA-256 of the trust anchor certificate's DER: the key by
   *     which trust configuration can name an issuer's assurance
   */
  record Issuer(String signerSubject, String signerSha256, String iacaSubject, String iacaSha256) {
    public Issuer {
      Objects.requireNonNull(signerSubject, "signerSubject");
      Objects.requireNonNull(signerSha256, "signerSha256");
      Objects.requireNonNull(iacaSubject, "iacaSubject");
      Objects.requireNonNull(iacaSha256, "iacaSha256");
    }
  }
}
