package dev.agegate.gateway.protocol;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.agegate.gateway.checks.Links;
import dev.agegate.gateway.config.Site;
import dev.agegate.gateway.family.Families;
import dev.agegate.gateway.family.Offer;
import dev.agegate.gateway.family.PresentationFamily;
import dev.agegate.gateway.family.Transport;
import dev.agegate.gateway.store.Check;
import dev.agegate.gateway.tokens.RequestCertificates;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Builds the request object of a check (docs/protocol.md step 3): OpenID4VP claims and a DCQL
 * query with the credential queries of every family the check's site accepts
 * ({@link PresentationFamily#credentialQueries}, in the site's order), {@code credential_sets}
 * letting any one of them satisfy the request, {@code client_metadata} with the formats offered
 * and, when a family needs an encrypted answer ({@code direct_post.jwt}), the check's encryption
 * key; and each family's own claims ({@code agegate} for agegate-zk). The same pieces build the
 * unsigned request by value and the Digital Credentials API's signed request. Thread-safe.
 */
public final class RequestObjects {
  /** The {@code typ} of a request object. */
  public static final JOSEObjectType TYPE = new JOSEObjectType("oauth-authz-req+jwt");

  private final Links links;
  private final Function<String, Optional<Site>> sites;
  private final Families families;
  private final ResponseEncryption encryption;
  private final RequestCertificates certificates;

  /**
   * @param sites the configured sites by id (which families each accepts, its request style)
   * @param families the presentation families this gateway has
   * @param certificates the {@code x5c} chain of the {@code x509_san_dns} client id and the key it certifies
   */
  public RequestObjects(Links links, Function<String, Optional<Site>> sites, Families families,
      ResponseEncryption encryption, RequestCertificates certificates) {
    this.links = links;
    this.sites = sites;
    this.families = families;
    this.encryption = encryption;
    this.certificates = certificates;
  }

  /** The compact JWS for {@code c}, issued at {@code nowSeconds}. */
  public String sign(Check c, long nowSeconds) {
    return sign(c, nowSeconds, null);
  }

  /**
   * The compact JWS for {@code c}, issued at {@code nowSeconds}, echoing {@code walletNonce}
   * (OpenID4VP 1.0 §5.10, {@code request_uri_method=post}) when not null.
   */
  public String sign(Check c, long nowSeconds, String walletNonce) {
    Offer offer = offer(c, Transport.SIGNED_REQUEST);
    Map<String, Object> claims = new LinkedHashMap<>();
    claims.put("iss", links.clientId());
    claims.put("aud", "https://self-issued.me/v2");
    claims.put("iat", nowSeconds);
    claims.put("exp", c.expiresAt().getEpochSecond());
    claims.put("client_id", links.clientId());
    claims.put("response_type", "vp_token");
    claims.put("response_mode", offer.encrypted() ? "direct_post.jwt" : "direct_post");
    claims.put("response_uri", links.responseUri(c.requestId()));
    claims.put("nonce", c.nonce());
    claims.put("state", c.state());
    if (walletNonce != null) {
      claims.put("wallet_nonce", walletNonce);
    }
    claims.put("dcql_query", dcql(offer));
    claims.put("client_metadata", clientMetadata(c, offer, offer.encrypted()));
    offer.families().forEach(f -> claims.putAll(f.requestClaims(c)));
    return signClaims(claims);
  }

  /**
   * Signs request object claims as every request object is signed: {@code typ}
   * {@code oauth-authz-req+jwt}, ES256, {@code kid}, and the {@code x5c} chain whose leaf
   * certifies the signing key and names {@link Links#host()} (client id {@code x509_san_dns:}).
   * Every signed request goes through here: the QR's request URI and the Digital Credentials
   * API's {@code openid4vp-v1-signed} request ({@link DcApiOpenId4Vp}).
   */
  public String signClaims(Map<String, Object> claims) {
    RequestCertificates.Signer s = certificates.signer();
    JWTClaimsSet.Builder b = new JWTClaimsSet.Builder();
    claims.forEach(b::claim);
    SignedJWT jwt = new SignedJWT(header(s), b.build());
    try {
      jwt.sign(s.key().signer());
    } catch (JOSEException e) {
      throw new IllegalStateException("signing the request object failed", e);
    }
    return jwt.serialize();
  }

  /** The JOSE header of a request object signed by {@code s}: alg, typ, kid and x5c. */
  public static JWSHeader header(RequestCertificates.Signer s) {
    return new JWSHeader.Builder(JWSAlgorithm.ES256).type(TYPE).keyID(s.key().kid()).x509CertChain(s.x5c()).build();
  }

  /** Whether {@code c}'s site has unsigned requests by value ({@code request-style: unsigned}). */
  public boolean unsigned(Check c) {
    return sites.apply(c.siteId()).map(Site::unsignedRequest).orElse(false);
  }

  /** The client id of {@code c}: {@code redirect_uri:<response_uri>} when unsigned, else {@code x509_san_dns:<host>}. */
  public String clientId(Check c) {
    return links.clientId(unsigned(c), c.requestId());
  }

  /**
   * What the QR code holds for {@code c}: {@link Links#walletLink} (by reference, signed), or for
   * a site with unsigned requests the EU age verification profile's request by value,
   * {@code openid4vp://?client_id=redirect_uri:<response_uri>&response_type=vp_token&response_mode=…
   * &response_uri=…&nonce=…&state=…&dcql_query=…&client_metadata=…} (OpenID4VP 1.0 §5, §5.9.3: no
   * signature, response_uri equal to the client id's value, every parameter in the link).
   */
  public String walletLink(Check c) {
    if (!unsigned(c)) {
      return links.walletLink(c.requestId());
    }
    Map<String, Object> p = byValue(c);
    StringBuilder b = new StringBuilder("openid4vp://?");
    p.forEach((k, v) -> {
      String text = v instanceof String str ? str : com.nimbusds.jose.util.JSONObjectUtils.toJSONString(asJsonObject(v));
      b.append(b.length() > "openid4vp://?".length() ? "&" : "").append(k).append('=')
          .append(java.net.URLEncoder.encode(text, java.nio.charset.StandardCharsets.UTF_8));
    });
    return b.toString();
  }

  /** The parameters of an unsigned request by value, in link order. */
  Map<String, Object> byValue(Check c) {
    Offer offer = offer(c, Transport.UNSIGNED_REQUEST);
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("client_id", clientId(c));
    p.put("response_type", "vp_token");
    p.put("response_mode", offer.encrypted() ? "direct_post.jwt" : "direct_post");
    p.put("response_uri", links.responseUri(c.requestId()));
    p.put("nonce", c.nonce());
    p.put("state", c.state());
    p.put("dcql_query", dcql(offer));
    p.put("client_metadata", clientMetadata(c, offer, offer.encrypted()));
    return p;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> asJsonObject(Object v) {
    return (Map<String, Object>) v;
  }

  /** What a request over {@code transport} asks for {@code c}: the families of its site with a credential query for it. */
  public Offer offer(Check c, Transport transport) {
    return families.offer(c, sites.apply(c.siteId()).orElse(null), transport);
  }

  /**
   * Whether the request of {@code c} (signed, or by value for a site with unsigned requests) asks
   * for an encrypted response ({@code direct_post.jwt}): a family it offers needs one.
   */
  public boolean encrypted(Check c) {
    return offer(c, unsigned(c) ? Transport.UNSIGNED_REQUEST : Transport.SIGNED_REQUEST).encrypted();
  }

  /**
   * OpenID4VP 1.0 §5.1 {@code client_metadata}: the formats offered and their parameters, and for
   * an encrypted response the check's encryption key and the content encryptions accepted
   * (Appendix B.2.2 for {@code mso_mdoc}: COSE algorithm numbers -7, -35, -36).
   */
  public Map<String, Object> clientMetadata(Check c, Offer offer, boolean encrypted) {
    Map<String, Object> m = new LinkedHashMap<>();
    if (encrypted) {
      m.put("jwks", Map.of("keys", List.of(encryption.publicJwk(c))));
      m.put("encrypted_response_enc_values_supported",
          ResponseEncryption.ENCS.stream().map(e -> e.getName()).toList());
    }
    m.put("vp_formats_supported", offer.vpFormats());
    return m;
  }

  /**
   * The DCQL query (OpenID4VP 1.0 §6) of an offer: its credential queries, and with more than one
   * a required {@code credential_sets} whose options are each query alone, so that any one
   * satisfies the request.
   *
   * @throws IllegalStateException for an empty offer (nothing to ask)
   */
  public static Map<String, Object> dcql(Offer offer) {
    if (offer.isEmpty()) {
      throw new IllegalStateException("no presentation family can answer this check over this transport");
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("credentials", offer.queries());
    if (offer.queries().size() > 1) {
      Map<String, Object> set = new LinkedHashMap<>();
      set.put("options", offer.queryIds().stream().map(List::of).toList());
      set.put("required", true);
      out.put("credential_sets", List.of(set));
    }
    return out;
  }
}
