package dev.agegate.gateway.protocol;

import static dev.agegate.gateway.http.JsonSupport.JSON;

import dev.agegate.gateway.checks.Links;
import dev.agegate.gateway.config.Site;
import dev.agegate.gateway.family.Answer;
import dev.agegate.gateway.family.Binding;
import dev.agegate.gateway.family.Families;
import dev.agegate.gateway.family.Offer;
import dev.agegate.gateway.family.PresentationFamily;
import dev.agegate.gateway.family.Transport;
import dev.agegate.gateway.family.mdoc.MdocFamily;
import dev.agegate.gateway.http.Problem;
import dev.agegate.gateway.http.Reason;
import dev.agegate.gateway.family.mdoc.SessionTranscripts;
import dev.agegate.gateway.store.Check;
import jakarta.json.JsonArray;
import jakarta.json.JsonConfig;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonReaderFactory;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * OpenID4VP 1.0 over the W3C Digital Credentials API ({@code openid4vp-v1-signed}, Appendix A),
 * the gateway's side. For a check whose site accepts {@code mso_mdoc} (and a minimum age of two
 * digits) the request's {@code data} is {@code {"request": "<JWS>"}}: a request object signed
 * like the QR's ({@link RequestObjects#signClaims}, {@code typ oauth-authz-req+jwt}) with
 * {@code response_type vp_token}, {@code response_mode dc_api.jwt}, the gateway's
 * {@code client_id}, the check's {@code nonce}, the site's origins as {@code expected_origins},
 * a DCQL query of the families the site accepts that platform wallets answer
 * ({@link PresentationFamily#credentialQueries} over {@link Transport#DIGITAL_CREDENTIALS_API}:
 * mso_mdoc, {@code age_over_NN} of the accepted docTypes) and {@code client_metadata} with the
 * check's encryption key ({@link ResponseEncryption}): the page relays the answer, so it always
 * comes encrypted, whatever the family.
 *
 * <p>The answer's {@code data} is {@code {"response": "<compact JWE>"}} (Appendix A.4 with
 * {@code dc_api.jwt}); its plaintext must be exactly {@code {"vp_token": {"<query id>":
 * ["<presentation>"]}}}, one credential query of the request, read by its family and verified
 * through {@link Responses#respond(Check, dev.agegate.gateway.family.Answer, Binding)} (one
 * verification per check, the same claim, verdict and commit as every response), bound to the
 * SessionTranscript of Appendix B.2.6.2: the page's origin, the check's nonce and the thumbprint
 * of the key the response was encrypted to.
 * Everything refused before that (the shape, the JWE, the plaintext) leaves the check as it was,
 * so the person can try again or scan the QR code; nothing of a presentation is logged.
 */
public final class DcApiOpenId4Vp implements DigitalRequests.Entry {
  /** The Digital Credentials API protocol of a signed OpenID4VP 1.0 request. */
  public static final String PROTOCOL = "openid4vp-v1-signed";
  /** The response mode: an encrypted response through the Digital Credentials API. */
  public static final String RESPONSE_MODE = "dc_api.jwt";
  /**
   * Longest compact JWE read at all: the base64url of a plaintext holding the longest
   * presentation a family reads (a DeviceResponse, {@link MdocFamily#MAX_RESPONSE_CHARS}) and
   * 1 KiB of JSON around it, plus 1 KiB of header, IV and tag.
   */
  static final int MAX_RESPONSE_CHARS = (MdocFamily.MAX_RESPONSE_CHARS + 1024) * 4 / 3 + 1024;
  /** A compact JWE: five base64url parts (the encrypted key is empty for ECDH-ES). */
  private static final Pattern COMPACT = Pattern.compile("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*(\\.[A-Za-z0-9_-]+){3}");
  /** RFC 6749 error codes as wallets send them (the DC API's error response, Appendix A.4). */
  private static final Pattern ERROR_CODE = Pattern.compile("[a-z][a-z0-9_]{0,63}");
  /** The plaintext's reader: a repeated member name is refused, never resolved to one of its values. */
  private static final JsonReaderFactory STRICT =
      JSON.createReaderFactory(Map.of(JsonConfig.KEY_STRATEGY, JsonConfig.KeyStrategy.NONE));

  private final RequestObjects requests;
  private final ResponseEncryption encryption;
  private final Links links;
  private final Families families;
  private final Responses responses;
  private final Clock clock;

  /**
   * @param requests the signer and the DCQL and client metadata builders of the QR's request objects
   * @param families the presentation families this gateway has (offered: the site's, over this transport)
   */
  public DcApiOpenId4Vp(RequestObjects requests, ResponseEncryption encryption, Links links, Families families,
      Responses responses, Clock clock) {
    this.requests = requests;
    this.encryption = encryption;
    this.links = links;
    this.families = families;
    this.responses = responses;
    this.clock = clock;
  }

  @Override
  public String protocol() {
    return PROTOCOL;
  }

  @Override
  public boolean offered(Check c, Site site) {
    return site != null && !offer(c, site).isEmpty();
  }

  private Offer offer(Check c, Site site) {
    return families.offer(c, site, Transport.DIGITAL_CREDENTIALS_API);
  }

  @Override
  public JsonObject data(Check c, Site site) {
    Offer offer = site == null ? null : offer(c, site);
    if (offer == null || offer.isEmpty()) {
      return null;
    }
    return JSON.createObjectBuilder().add("request", requests.signClaims(claims(c, site, offer))).build();
  }

  /**
   * The request object's claims: those of Appendix A.3 for a signed request, and {@code aud}
   * (§5.8, static discovery), {@code iat} and {@code exp} (the check's expiry) so that the
   * signed request does not outlive its check.
   */
  Map<String, Object> claims(Check c, Site site, Offer offer) {
    Map<String, Object> claims = new LinkedHashMap<>();
    claims.put("aud", "https://self-issued.me/v2");
    claims.put("iat", clock.instant().getEpochSecond());
    claims.put("exp", c.expiresAt().getEpochSecond());
    claims.put("client_id", links.clientId());
    claims.put("response_type", "vp_token");
    claims.put("response_mode", RESPONSE_MODE);
    claims.put("nonce", c.nonce());
    claims.put("expected_origins", List.copyOf(site.origins()));
    claims.put("dcql_query", RequestObjects.dcql(offer));
    claims.put("client_metadata", requests.clientMetadata(c, offer, true));
    return claims;
  }

  @Override
  public Check respond(Check c, Site site, String origin, JsonValue data) {
    if (!(data instanceof JsonObject d)) {
      throw new Problem(Reason.PROOF_MALFORMED, "data must be {\"response\": \"<compact JWE>\"}");
    }
    if (d.containsKey("error")) {
      throw walletError(d);
    }
    if (d.containsKey("vp_token")) {
      throw new Problem(Reason.RESPONSE_NOT_ENCRYPTED,
          "the request asked for response_mode dc_api.jwt: data must be {\"response\": \"<compact JWE>\"}, not a vp_token");
    }
    if (d.size() != 1 || !(d.get("response") instanceof JsonString r)) {
      throw new Problem(Reason.PROOF_MALFORMED, "data must be exactly {\"response\": \"<compact JWE>\"}");
    }
    String compact = r.getString();
    if (compact.length() > MAX_RESPONSE_CHARS || !COMPACT.matcher(compact).matches()) {
      throw new Problem(Reason.RESPONSE_ENCRYPTION_INVALID, "response must be a compact JWE of at most "
          + MAX_RESPONSE_CHARS + " characters");
    }
    ResponseEncryption.Opened opened = encryption.open(c, compact);
    Answer answer = vpToken(opened.plaintext(), c, site);
    byte[] transcript = SessionTranscripts.openId4VpDcApi(origin, c.nonce(), opened.jwkThumbprint());
    return responses.respond(c, answer, new Binding(links.clientId(), transcript, true));
  }

  /**
   * The one presentation of a decrypted response: {@code {"vp_token": {"<query id>": ["…"]}}}
   * and nothing else, the id one of the request's credential queries, read by its family.
   *
   * @throws Problem 400 proof_malformed for anything else (the check is unchanged)
   */
  private Answer vpToken(String plaintext, Check c, Site site) {
    JsonObject payload;
    try (JsonReader reader = STRICT.createReader(new StringReader(plaintext))) {
      JsonValue v = reader.readValue();
      if (v.getValueType() != JsonValue.ValueType.OBJECT) {
        throw new Problem(Reason.PROOF_MALFORMED, "the decrypted response is not a JSON object");
      }
      payload = v.asJsonObject();
    } catch (RuntimeException e) {
      if (e instanceof Problem p) {
        throw p;
      }
      throw new Problem(Reason.PROOF_MALFORMED, "the decrypted response is not JSON (or repeats a member)");
    }
    if (payload.size() != 1 || !(payload.get("vp_token") instanceof JsonObject vp)) {
      throw new Problem(Reason.PROOF_MALFORMED, "the decrypted response must be exactly {\"vp_token\": {...}}");
    }
    List<String> ids = offer(c, site).queryIds();
    if (vp.size() != 1 || !ids.contains(vp.keySet().iterator().next())) {
      throw new Problem(Reason.PROOF_MALFORMED, "vp_token must have exactly one key, one of the request's credential query ids "
          + ids);
    }
    if (!(vp.values().iterator().next() instanceof JsonArray)) {
      throw new Problem(Reason.PROOF_MALFORMED, "vp_token's value must be an array of one presentation");
    }
    try {
      return VpTokens.parse(vp, site, families);
    } catch (PresentationFamily.Unreadable e) {
      throw new Problem(e.reason(), e.getMessage());
    }
  }

  /**
   * The wallet's error response ({@code {"error": "<code>"}}): nothing was presented, so the
   * check stays open for another try or the QR code; 409 {@code declined} for
   * {@code access_denied}, else 409 {@code wallet_error}.
   */
  private static Problem walletError(JsonObject d) {
    if (!(d.get("error") instanceof JsonString e) || !ERROR_CODE.matcher(e.getString()).matches()) {
      return new Problem(Reason.PROOF_MALFORMED, "error must be an OAuth error code such as access_denied");
    }
    return "access_denied".equals(e.getString())
        ? new Problem(Reason.DECLINED, "the wallet answered access_denied; the check stays open")
        : new Problem(Reason.WALLET_ERROR, "the wallet answered " + e.getString() + "; the check stays open");
  }
}
