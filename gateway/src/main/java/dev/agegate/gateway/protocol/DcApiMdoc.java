package dev.agegate.gateway.protocol;

import static dev.agegate.gateway.http.JsonSupport.JSON;

import dev.agegate.gateway.config.Site;
import dev.agegate.gateway.family.Binding;
import dev.agegate.gateway.family.Transport;
import dev.agegate.gateway.family.mdoc.MdocFamily;
import dev.agegate.gateway.http.Problem;
import dev.agegate.gateway.http.Reason;
import dev.agegate.gateway.family.mdoc.AnnexC;
import dev.agegate.gateway.store.Check;
import dev.agegate.gateway.tokens.Pseudonyms;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.Base64;
import java.util.regex.Pattern;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;

/**
 * ISO/IEC 18013-7 Annex C ({@code org-iso-mdoc}) over the Digital Credentials API, the
 * gateway's side: for a check whose site accepts {@code mso_mdoc} (and a minimum age of two
 * digits), a DeviceRequest for {@code age_over_NN} of every accepted docType and an
 * EncryptionInfo with a P-256 key of this check alone; the answer is opened with that key over
 * the SessionTranscript of the EncryptionInfo as sent and the page's origin, and its
 * DeviceResponse is verified by the {@code mso_mdoc} family ({@link MdocFamily}) through
 * {@link Responses#respond(Check, dev.agegate.gateway.family.Answer, Binding)} (one verification
 * per check), a document of any docType asked. Annex C carries mdocs only: this transport
 * belongs to that family.
 *
 * <p>The check's key is never stored: it is derived (RFC 9180 DeriveKeyPair) from
 * HKDF-SHA-256 over {@code pseudonym.key}, which every node shares, and the check's
 * transaction id and nonce (docs/decisions.md, "Annex C reader keys"). It is never logged.
 */
public final class DcApiMdoc implements DigitalRequests.Entry {
  private static final Pattern B64URL = Pattern.compile("[A-Za-z0-9_-]+");
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private final Pseudonyms secret;
  private final MdocFamily mdoc;
  private final Responses responses;

  /**
   * @param secret the shared secret the check's key is derived from
   * @param mdoc the mso_mdoc family, or null when {@code agegate.mdoc} is off (never offered)
   */
  public DcApiMdoc(Pseudonyms secret, MdocFamily mdoc, Responses responses) {
    this.secret = secret;
    this.mdoc = mdoc;
    this.responses = responses;
  }

  @Override
  public String protocol() {
    return AnnexC.PROTOCOL;
  }

  @Override
  public boolean offered(Check c, Site site) {
    return mdoc != null && site != null && site.accepts(mdoc.id())
        && !mdoc.credentialQueries(c, Transport.DIGITAL_CREDENTIALS_API).isEmpty();
  }

  private AsymmetricCipherKeyPair key(Check c) {
    return AnnexC.deriveKeyPair(secret.derive("dcapi/org-iso-mdoc/reader-key", 32, c.transactionId(), c.nonce()));
  }

  /** The EncryptionInfo of {@code c}, base64url: the same on every node and every call. */
  private String encryptionInfo(Check c, AsymmetricCipherKeyPair key) {
    byte[] nonce = secret.derive("dcapi/org-iso-mdoc/nonce", 32, c.transactionId(), c.nonce());
    return B64.encodeToString(AnnexC.encryptionInfo(nonce, key));
  }

  @Override
  public JsonObject data(Check c, Site site) {
    if (!offered(c, site)) {
      return null;
    }
    return JSON.createObjectBuilder()
        .add("deviceRequest", B64.encodeToString(AnnexC.deviceRequest(mdoc.docTypes(), c.minAge())))
        .add("encryptionInfo", encryptionInfo(c, key(c)))
        .build();
  }

  @Override
  public Check respond(Check c, Site site, String origin, JsonValue data) {
    if (!(data instanceof JsonObject d) || !(d.get("response") instanceof JsonString r)) {
      throw new Problem(Reason.PROOF_MALFORMED, "data must be {\"response\": \"<base64url EncryptedResponse>\"}");
    }
    String text = r.getString();
    if (text.isEmpty() || text.length() > AnnexC.MAX_ENCRYPTED_BYTES * 4 / 3 + 4 || !B64URL.matcher(text).matches()) {
      throw new Problem(Reason.PROOF_MALFORMED, "response must be base64url (no padding) of at most "
          + AnnexC.MAX_ENCRYPTED_BYTES + " bytes");
    }
    byte[] sealed;
    try {
      sealed = Base64.getUrlDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw new Problem(Reason.PROOF_MALFORMED, "response is not base64url");
    }
    AsymmetricCipherKeyPair key = key(c);
    byte[] transcript = AnnexC.sessionTranscript(encryptionInfo(c, key), origin);
    byte[] deviceResponse;
    try {
      deviceResponse = AnnexC.open(sealed, key, transcript);
    } catch (AnnexC.Unopened e) {
      throw new Problem(e.undecryptable ? Reason.RESPONSE_UNDECRYPTABLE : Reason.PROOF_MALFORMED, e.getMessage());
    }
    return responses.respond(c, mdoc.anyDocType(deviceResponse), new Binding(null, transcript, true));
  }
}
