package dev.agegate.gateway.family.mdoc;

/** Internal: a failed check, carried to {@link MdocVerifier#verify}; no stack trace, no message. */
final class Refusal extends Exception {
  private static final long serialVersionUID = 1L;

  final Reason reason;

  Refusal(Reason reason) {
    super(null, null, false, false);
    this.reason = reason;
  }
}
