package dev.agegate.gateway.protocol;

import static dev.agegate.gateway.http.JsonSupport.JSON;

import dev.agegate.gateway.config.Site;
import dev.agegate.gateway.http.Reason;
import dev.agegate.gateway.mdoc.MdocVerifier;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;

/**
 * Reads a wallet's {@code vp_token} (OpenID4VP 1.0 §8.1: a JSON object keyed by the DCQL
 * credential query id, each value an array of presentations) for one site: exactly one key,
 * naming a family the site accepts. {@code age_proof} is agegate's ZK presentation
 * ({@link Presentation#parse}); an {@code mso_mdoc} query id ({@link RequestObjects#mdocQueryId})
 * carries exactly one base64url (no padding) ISO 18013-5 DeviceResponse. Nothing here logs.
 */
final class VpTokens {
  /** Longest base64url text of a DeviceResponse the verifier would read at all. */
  static final int MAX_MDOC_CHARS = (MdocVerifier.MAX_RESPONSE_BYTES * 4 + 2) / 3;

  private VpTokens() {
  }

  /** What a vp_token presents. */
  sealed interface Answer permits Zk, Mdoc {
  }

  /** agegate's own ZK age proof. */
  record Zk(Presentation presentation) implements Answer {
  }

  /**
   * An mdoc DeviceResponse answering the credential query of {@code docType}.
   *
   * @param deviceResponse the CBOR bytes as sent, not yet verified
   */
  record Mdoc(String docType, byte[] deviceResponse) implements Answer {
    Mdoc {
      Objects.requireNonNull(docType, "docType");
      Objects.requireNonNull(deviceResponse, "deviceResponse");
    }
  }

  /** A vp_token refused before any verification, with its reason and a detail free of input. */
  static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;

    final transient Reason reason;

    Refused(Reason reason, String detail) {
      super(detail, null, false, false);
      this.reason = reason;
    }
  }

  /**
   * @param site the check's site (null when no longer configured: only agegate-zk is read)
   * @param mdocDocTypes the gateway's accepted mdoc docTypes (keys), empty when mdoc is off
   */
  static Answer parse(String vpToken, Site site, Map<String, String> mdocDocTypes) throws Refused {
    boolean zk = site == null || site.accepts(Site.AGEGATE_ZK);
    boolean mdoc = site != null && site.accepts(Site.MSO_MDOC);
    String mdocDocType = mdocDocType(vpToken, mdocDocTypes);
    if (mdocDocType == null) {
      if (!zk) {
        throw new Refused(Reason.FAMILY_NOT_ACCEPTED, "this site does not accept agegate-zk presentations");
      }
      try {
        return new Zk(Presentation.parse(vpToken));
      } catch (Presentation.MalformedException e) {
        throw new Refused(Reason.PROOF_MALFORMED, e.getMessage());
      }
    }
    if (!mdoc) {
      throw new Refused(Reason.FAMILY_NOT_ACCEPTED, "this site does not accept mso_mdoc presentations");
    }
    JsonObject o = object(vpToken);
    String id = RequestObjects.mdocQueryId(mdocDocType);
    if (!(o.get(id) instanceof JsonArray a) || a.size() != 1 || !(a.get(0) instanceof JsonString s)) {
      throw new Refused(Reason.PROOF_MALFORMED, "vp_token must be {\"" + id + "\":[\"<base64url DeviceResponse>\"]}");
    }
    String text = s.getString();
    if (text.isEmpty() || text.length() > MAX_MDOC_CHARS || text.length() % 4 == 1 || !text.matches("[A-Za-z0-9_-]+")) {
      throw new Refused(Reason.PROOF_MALFORMED, "the DeviceResponse must be 1-" + MAX_MDOC_CHARS
          + " base64url characters without padding");
    }
    return new Mdoc(mdocDocType, Base64.getUrlDecoder().decode(text));
  }

  /**
   * The docType whose mdoc query id is the single key of {@code vpToken}, or null when the
   * token is not a one-key JSON object with such a key.
   */
  private static String mdocDocType(String vpToken, Map<String, String> mdocDocTypes) {
    JsonObject o;
    try {
      o = object(vpToken);
    } catch (Refused e) {
      return null;
    }
    if (o.size() != 1) {
      return null;
    }
    String key = o.keySet().iterator().next();
    for (String docType : mdocDocTypes.keySet()) {
      if (RequestObjects.mdocQueryId(docType).equals(key)) {
        return docType;
      }
    }
    return null;
  }

  private static JsonObject object(String vpToken) throws Refused {
    try (JsonReader r = JSON.createReader(new StringReader(vpToken == null ? "" : vpToken))) {
      JsonValue v = r.readValue();
      if (v.getValueType() != JsonValue.ValueType.OBJECT) {
        throw new Refused(Reason.PROOF_MALFORMED, "vp_token must be a JSON object");
      }
      return v.asJsonObject();
    } catch (RuntimeException e) {
      throw new Refused(Reason.PROOF_MALFORMED, "vp_token is not JSON");
    }
  }
}
