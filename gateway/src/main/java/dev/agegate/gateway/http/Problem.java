package dev.agegate.gateway.http;

import java.util.Objects;

/**
 * A refusal answered as {@code application/problem+json} (RFC 9457) by {@link ProblemHandler}.
 * The detail is shown to the caller: it must never carry personal data or secrets.
 */
public final class Problem extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient Reason reason;
  private final long retryAfterSeconds;

  /**
   * @param reason the stable reason code, which fixes the status
   * @param detail what was wrong, for the caller
   */
  public Problem(Reason reason, String detail) {
    this(reason, detail, 0);
  }

  /** A refusal with a {@code Retry-After} header of {@code retryAfterSeconds} (when positive). */
  public Problem(Reason reason, String detail, long retryAfterSeconds) {
    super(detail, null, false, false);
    this.reason = Objects.requireNonNull(reason, "reason");
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public Reason reason() {
    return reason;
  }

  public String detail() {
    return getMessage();
  }

  /** Seconds for {@code Retry-After}, or 0 for none. */
  public long retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
