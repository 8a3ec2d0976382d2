package dev.agegate.gateway.family;

import dev.agegate.gateway.http.Reason;
import dev.agegate.gateway.store.Check;
import jakarta.json.JsonValue;
import java.util.List;
import java.util.Map;

/**
 * One kind of presentation a site may accept ({@code agegate.sites.*.families}): what it asks a
 * wallet for, how it reads and verifies the answer against a check, and what that proved. The
 * protocol code calls these and nothing family-specific. Implementations are thread-safe;
 * {@link #verify} may block (native code, signatures) and runs on the verification pool.
 */
public interface PresentationFamily {
  /** The family's id, as sites name it and age tokens carry it ({@code method}). */
  String id();

  /**
   * Whether this family can be asked to prove a minimum age of {@code minAge} at all (mso_mdoc:
   * {@code age_over_NN} has two digits); a check no family of its site can be asked is refused
   * at creation.
   */
  boolean asks(int minAge);

  /**
   * The DCQL credential queries (OpenID4VP 1.0 §6) this family asks for check {@code c} over
   * {@code transport}, each with its {@code id}; empty when it cannot answer {@code c} that way
   * (then it is not offered at all).
   */
  List<Map<String, Object>> credentialQueries(Check c, Transport transport);

  /** This family's members of {@code client_metadata.vp_formats_supported}: format → parameters. */
  Map<String, Object> vpFormats();

  /** Whether an answer must come encrypted to the check's key ({@code direct_post.jwt}, {@code dc_api.jwt}). */
  boolean encryptedResponse();

  /**
   * Request object claims of this family beside OpenID4VP's, for its own wallets (agegate-zk:
   * {@code agegate}, every public input the wallet proves against); usually none.
   */
  default Map<String, Object> requestClaims(Check c) {
    return Map.of();
  }

  /** Whether {@code queryId} is the id of one of this family's credential queries (and so a {@code vp_token} key). */
  boolean answers(String queryId);

  /**
   * Reads what a wallet presented for credential query {@code queryId} ({@link #answers}): the
   * {@code vp_token} member's value, an array of presentations. Only shape, length and encoding
   * are checked here; nothing is verified.
   *
   * @throws Unreadable for anything else, with a detail free of the input
   */
  Answer read(String queryId, JsonValue presentations) throws Unreadable;

  /**
   * Verifies {@code answer} (read by this family) against check {@code c} and what the transport
   * bound it to. Every refusal is a verdict; an exception is a defect (the check is then
   * rejected {@code internal_error}).
   */
  Verdict verify(Check c, Answer answer, Binding binding);

  /** A presentation refused before any verification, with its reason and a detail free of input. */
  final class Unreadable extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient Reason reason;

    public Unreadable(Reason reason, String detail) {
      super(detail, null, false, false);
      this.reason = reason;
    }

    /** The reason answered to the wallet. */
    public Reason reason() {
      return reason;
    }
  }
}
