package dev.agegate.gateway.store;

import java.time.Instant;
import java.time.LocalDate;
import java.util.Objects;

/**
 * One age check: an immutable snapshot. Every change makes a new snapshot with
 * {@link #version()} one higher, which {@link StateStore#replace} compares atomically. Holds no
 * personal data: the nullifier is a per-site pseudonymous value, kept only until the token is
 * issued.
 *
 * @param transactionId the widget's secret handle (≥128 random bits)
 * @param requestId the id in the QR code (≥128 random bits)
 * @param nonce the challenge's nonce (≥128 random bits)
 * @param state the OpenID4VP {@code state} (≥128 random bits)
 * @param siteId the site that made the check
 * @param minAge the age asked
 * @param minAssurance the issuer assurance level asked
 * @param codeChallenge the PKCE S256 challenge (base64url, 43 chars)
 * @param binding the site's browser binding, or null
 * @param today "today" in the site's time zone when the check was made
 * @param issuerRoot the trust list root (hex) the request object named
 * @param createdAt when it was made
 * @param expiresAt when an unanswered check expires
 * @param status the stored status (never {@link CheckStatus#EXPIRED}: see {@link #statusAt})
 * @param reason the rejection's reason code, or null
 * @param nullifier hex nullifier of a verified proof, or null
 * @param verifiedAt when it was verified, or null
 * @param redeemed whether the token was issued
 * @param version increases with every change
 * @param claim the random token of the response attempt that holds (or, once final, held) the
 *     check's nonce, or null: see {@link #claimed} ({@code docs/decisions.md}, "a claim on the
 *     nonce")
 * @param claimUntil when an open check's claim lapses (another attempt may then take it), or null
 * @param method the presentation family that verified the check ({@code agegate-zk} or
 *     {@code mso_mdoc}, the age token's {@code method}), or null before a verdict (and in checks
 *     verified by older gateways, which only knew {@code agegate-zk})
 * @param assurance the issuer assurance level the verified presentation showed, when the family
 *     knows it exactly (an mdoc: its IACA's level from trust configuration), or null (a ZK proof
 *     shows only "at least {@code minAssurance}"; older gateways): the age token's
 *     {@code assurance} is this, else {@code minAssurance}
 */
public record Check(
    String transactionId,
    String requestId,
    String nonce,
    String state,
    String siteId,
    int minAge,
    int minAssurance,
    String codeChallenge,
    String binding,
    LocalDate today,
    String issuerRoot,
    Instant createdAt,
    Instant expiresAt,
    CheckStatus status,
    String reason,
    String nullifier,
    Instant verifiedAt,
    boolean redeemed,
    long version,
    String claim,
    Instant claimUntil,
    String method,
    Integer assurance) {

  public Check {
    Objects.requireNonNull(transactionId, "transactionId");
    Objects.requireNonNull(requestId, "requestId");
    Objects.requireNonNull(nonce, "nonce");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(status, "status");
  }

  /** A check without a known assurance (as stored before per-issuer assurance). */
  public Check(String transactionId, String requestId, String nonce, String state, String siteId, int minAge,
      int minAssurance, String codeChallenge, String binding, LocalDate today, String issuerRoot, Instant createdAt,
      Instant expiresAt, CheckStatus status, String reason, String nullifier, Instant verifiedAt, boolean redeemed,
      long version, String claim, Instant claimUntil, String method) {
    this(transactionId, requestId, nonce, state, siteId, minAge, minAssurance, codeChallenge, binding, today,
        issuerRoot, createdAt, expiresAt, status, reason, nullifier, verifiedAt, redeemed, version, claim, claimUntil,
        method, null);
  }

  /** A check without a claim (as every check is made). */
  public Check(String transactionId, String requestId, String nonce, String state, String siteId, int minAge,
      int minAssurance, String codeChallenge, String binding, LocalDate today, String issuerRoot, Instant createdAt,
      Instant expiresAt, CheckStatus status, String reason, String nullifier, Instant verifiedAt, boolean redeemed,
      long version) {
    this(transactionId, requestId, nonce, state, siteId, minAge, minAssurance, codeChallenge, binding, today,
        issuerRoot, createdAt, expiresAt, status, reason, nullifier, verifiedAt, redeemed, version, null, null, null);
  }

  /** A check with a claim and no method (as stored before presentation families). */
  public Check(String transactionId, String requestId, String nonce, String state, String siteId, int minAge,
      int minAssurance, String codeChallenge, String binding, LocalDate today, String issuerRoot, Instant createdAt,
      Instant expiresAt, CheckStatus status, String reason, String nullifier, Instant verifiedAt, boolean redeemed,
      long version, String claim, Instant claimUntil) {
    this(transactionId, requestId, nonce, state, siteId, minAge, minAssurance, codeChallenge, binding, today,
        issuerRoot, createdAt, expiresAt, status, reason, nullifier, verifiedAt, redeemed, version, claim, claimUntil,
        null);
  }

  /**
   * Whether a response attempt other than a lapsed one holds the nonce of this open check at
   * {@code now}.
   */
  public boolean claimLive(Instant now) {
    return claim != null && claimUntil != null && !status.terminal() && now.isBefore(claimUntil);
  }

  /** The response attempt {@code token} holds the nonce until {@code until} (status unchanged). */
  public Check claimed(String token, Instant until) {
    return new Check(transactionId, requestId, nonce, state, siteId, minAge, minAssurance, codeChallenge, binding,
        today, issuerRoot, createdAt, expiresAt, status, reason, nullifier, verifiedAt, redeemed, version + 1,
        Objects.requireNonNull(token, "token"), Objects.requireNonNull(until, "until"), method, assurance);
  }

  /** The claim is given back unused (the attempt could not verify now): a retry may take it at once. */
  public Check released() {
    return new Check(transactionId, requestId, nonce, state, siteId, minAge, minAssurance, codeChallenge, binding,
        today, issuerRoot, createdAt, expiresAt, status, reason, nullifier, verifiedAt, redeemed, version + 1,
        null, null, method, assurance);
  }

  /** The status as seen at {@code now}: an open check past its expiry is {@link CheckStatus#EXPIRED}. */
  public CheckStatus statusAt(Instant now) {
    if (!status.terminal() && !now.isBefore(expiresAt)) {
      return CheckStatus.EXPIRED;
    }
    return status;
  }

  /** The wallet fetched the request. */
  public Check scanned() {
    return new Check(transactionId, requestId, nonce, state, siteId, minAge, minAssurance, codeChallenge, binding,
        today, issuerRoot, createdAt, expiresAt, CheckStatus.SCANNED, null, null, null, false, version + 1, claim, claimUntil, null);
  }

  /** A valid proof with this nullifier arrived at {@code at} (the claim's token stays: it names the attempt that decided). */
  public Check verified(String nullifierHex, Instant at) {
    return verified(nullifierHex, "agegate-zk", at);
  }

  /**
   * A valid presentation of family {@code method} arrived at {@code at}; {@code nullifierHex} is
   * null for a family without a nullifier ({@code mso_mdoc}).
   */
  public Check verified(String nullifierHex, String method, Instant at) {
    return verified(nullifierHex, method, null, at);
  }

  /**
   * As {@link #verified(String, String, Instant)}, with the exact issuer assurance level the
   * presentation showed ({@code null}: only "at least {@code minAssurance}").
   */
  public Check verified(String nullifierHex, String method, Integer assurance, Instant at) {
    return new Check(transactionId, requestId, nonce, state, siteId, minAge, minAssurance, codeChallenge, binding,
        today, issuerRoot, createdAt, expiresAt, CheckStatus.VERIFIED, null, nullifierHex, at, false, version + 1, claim, null,
        Objects.requireNonNull(method, "method"), assurance);
  }

  /** A response was refused for {@code reasonCode}. */
  public Check rejected(String reasonCode) {
    return new Check(transactionId, requestId, nonce, state, siteId, minAge, minAssurance, codeChallenge, binding,
        today, issuerRoot, createdAt, expiresAt, CheckStatus.REJECTED, reasonCode, null, null, false, version + 1, claim, null, null);
  }

  /** The token was issued; the nullifier is dropped. */
  public Check asRedeemed() {
    return new Check(transactionId, requestId, nonce, state, siteId, minAge, minAssurance, codeChallenge, binding,
        today, issuerRoot, createdAt, expiresAt, status, reason, null, verifiedAt, true, version + 1, claim, claimUntil, method,
        assurance);
  }
}
