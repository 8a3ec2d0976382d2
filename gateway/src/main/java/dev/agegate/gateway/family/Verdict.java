package dev.agegate.gateway.family;

import dev.agegate.gateway.http.Reason;
import java.util.Objects;

/**
 * What a presentation earned against one check: verified, with what it proved, or refused,
 * with the reason the wallet is told and the one the rejected check keeps.
 *
 * @param reason null when verified, else the refusal answered to the wallet
 * @param detail the refusal's words (free of the presentation's content), null when verified
 * @param checkReason the rejected check's reason: the reason's code, or a family's finer code
 *     ({@code doctype_not_accepted}, ...); null when verified
 * @param method the family that verified it ({@link PresentationFamily#id}, the token's
 *     {@code method}); null when refused
 * @param assurance the issuer assurance level the presentation showed, when the family knows an
 *     exact one (an mdoc's IACA level); null otherwise (the token then says the check's minimum)
 * @param nullifierHex the per-site nullifier, for a family that has one (agegate-zk); else null
 */
public record Verdict(Reason reason, String detail, String checkReason, String method, Integer assurance,
    String nullifierHex) {

  /** Verified by {@code method}; {@code assurance} and {@code nullifierHex} may be null. */
  public static Verdict verified(String method, Integer assurance, String nullifierHex) {
    return new Verdict(null, null, null, Objects.requireNonNull(method, "method"), assurance, nullifierHex);
  }

  /** Refused for {@code reason}, which the rejected check keeps. */
  public static Verdict refused(Reason reason, String detail) {
    return new Verdict(Objects.requireNonNull(reason, "reason"), detail, reason.code(), null, null, null);
  }

  /** Refused for {@code reason}; the rejected check keeps the finer {@code checkReason}. */
  public static Verdict refused(Reason reason, String detail, String checkReason) {
    return new Verdict(Objects.requireNonNull(reason, "reason"), detail, Objects.requireNonNull(checkReason), null,
        null, null);
  }

  /** Whether the presentation passed. */
  public boolean passed() {
    return reason == null;
  }
}
