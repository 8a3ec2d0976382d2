package dev.agegate.gateway.protocol;

import static dev.agegate.gateway.http.JsonSupport.JSON;

import dev.agegate.gateway.config.Site;
import dev.agegate.gateway.http.Problem;
import dev.agegate.gateway.http.Reason;
import dev.agegate.gateway.store.Check;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.List;

/**
 * The {@code digital} member of a new check: the argument of the W3C Digital Credentials API's
 * {@code navigator.credentials.get}, {@code {"requests": [{"protocol", "data"}, ...]}}, one
 * entry per protocol this gateway offers the check's site ({@code org-iso-mdoc}, see
 * {@link DcApiMdoc}; {@code openid4vp-v1-signed}, see {@link DcApiOpenId4Vp}), and the answer's way back ({@code POST /v1/checks/{tx}/dc-response}) to
 * the entry of its protocol.
 */
public final class DigitalRequests {
  /** One protocol of the Digital Credentials API. */
  public interface Entry {
    /** The protocol identifier ({@code org-iso-mdoc}, {@code openid4vp-v1-signed}, ...). */
    String protocol();

    /** The request's {@code data} for check {@code c} of {@code site}, or null when not offered to it. */
    JsonObject data(Check c, Site site);

    /** Whether this protocol is offered to {@code c} of {@code site} ({@link #data} not null), without building the data. */
    default boolean offered(Check c, Site site) {
      return data(c, site) != null;
    }

    /**
     * Verifies the wallet's answer {@code data} for {@code c}, sent by a page of {@code origin}
     * (already one of the site's).
     *
     * @return the verified check
     * @throws Problem for every refusal
     */
    Check respond(Check c, Site site, String origin, JsonValue data);
  }

  private final List<Entry> entries;

  public DigitalRequests(List<Entry> entries) {
    this.entries = List.copyOf(entries);
  }

  /** {@code {"requests": [...]}} for {@code c}, or null when no protocol is offered to its site. */
  public JsonObject of(Check c, Site site) {
    JsonArrayBuilder requests = JSON.createArrayBuilder();
    boolean any = false;
    for (Entry e : entries) {
      JsonObject data = e.data(c, site);
      if (data != null) {
        requests.add(JSON.createObjectBuilder().add("protocol", e.protocol()).add("data", data));
        any = true;
      }
    }
    return any ? JSON.createObjectBuilder().add("requests", requests).build() : null;
  }

  /**
   * Verifies {@code body} ({@code {"protocol", "data"}}) by the entry of its protocol.
   *
   * @throws Problem 400 proof_malformed for an unknown or missing protocol, 422
   *     family_not_accepted when the protocol is not offered to the check's site; the entry's refusals
   */
  public Check respond(Check c, Site site, String origin, JsonObject body) {
    if (!(body.get("protocol") instanceof JsonString p)) {
      throw new Problem(Reason.PROOF_MALFORMED, "protocol must be a string");
    }
    for (Entry e : entries) {
      if (e.protocol().equals(p.getString())) {
        if (!e.offered(c, site)) {
          throw new Problem(Reason.FAMILY_NOT_ACCEPTED, "this check's site is not offered " + e.protocol());
        }
        return e.respond(c, site, origin, body.get("data"));
      }
    }
    throw new Problem(Reason.PROOF_MALFORMED, "protocol is not one this gateway offers");
  }
}
