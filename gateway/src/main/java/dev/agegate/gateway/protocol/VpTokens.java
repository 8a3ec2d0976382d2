package dev.agegate.gateway.protocol;

import static dev.agegate.gateway.http.JsonSupport.JSON;

import dev.agegate.gateway.config.Site;
import dev.agegate.gateway.family.Answer;
import dev.agegate.gateway.family.Families;
import dev.agegate.gateway.family.PresentationFamily;
import dev.agegate.gateway.http.Reason;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.util.Map;

/**
 * Reads a wallet's {@code vp_token} (OpenID4VP 1.0 §8.1: a JSON object keyed by the DCQL
 * credential query id, each value an array of presentations) for one site: exactly one key,
 * the credential query id of a family the site accepts, whose family reads the value
 * ({@link PresentationFamily#read}). Nothing here logs.
 */
final class VpTokens {
  private VpTokens() {
  }

  /**
   * @param site the check's site (null when no longer configured: only agegate-zk is read)
   * @throws PresentationFamily.Unreadable {@code proof_malformed} for anything but one key of a
   *     family of this gateway, {@code family_not_accepted} for a family the site does not accept,
   *     and the family's own refusals
   */
  static Answer parse(String vpToken, Site site, Families families) throws PresentationFamily.Unreadable {
    return parse(object(vpToken), site, families);
  }

  /** {@link #parse(String, Site, Families)} of a {@code vp_token} already read as JSON. */
  static Answer parse(JsonObject vpToken, Site site, Families families) throws PresentationFamily.Unreadable {
    if (vpToken.size() != 1) {
      throw new PresentationFamily.Unreadable(Reason.PROOF_MALFORMED,
          "vp_token must have exactly one key, the id of the credential query it answers");
    }
    Map.Entry<String, JsonValue> only = vpToken.entrySet().iterator().next();
    PresentationFamily family = families.answering(only.getKey()).orElseThrow(() -> new PresentationFamily.Unreadable(
        Reason.PROOF_MALFORMED, "vp_token's key is not a credential query id of this gateway"));
    if (!families.of(site).contains(family)) {
      throw new PresentationFamily.Unreadable(Reason.FAMILY_NOT_ACCEPTED, "this site does not accept "
          + family.id() + " presentations");
    }
    return family.read(only.getKey(), only.getValue());
  }

  private static JsonObject object(String vpToken) throws PresentationFamily.Unreadable {
    try (JsonReader r = JSON.createReader(new StringReader(vpToken == null ? "" : vpToken))) {
      JsonValue v = r.readValue();
      if (v.getValueType() != JsonValue.ValueType.OBJECT) {
        throw new PresentationFamily.Unreadable(Reason.PROOF_MALFORMED, "vp_token must be a JSON object");
      }
      return v.asJsonObject();
    } catch (RuntimeException e) {
      throw new PresentationFamily.Unreadable(Reason.PROOF_MALFORMED, "vp_token is not JSON");
    }
  }
}
