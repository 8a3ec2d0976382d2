package dev.agegate.gateway.protocol;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.agegate.gateway.checks.ConfirmationCode;
import dev.agegate.gateway.checks.Links;
import dev.agegate.gateway.config.Site;
import dev.agegate.gateway.store.Check;
import dev.agegate.gateway.tokens.RequestCertificates;
import dev.agegate.zk.DayNumber;
import dev.agegate.zk.PublicInputs;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Builds the signed request object of a check (docs/protocol.md step 3): OpenID4VP claims, a
 * DCQL query for the age proof, and in {@code agegate} every public input the wallet must
 * prove against. For a site that accepts {@code mso_mdoc}, the DCQL query also holds one
 * {@code mso_mdoc} credential query per accepted docType asking for {@code age_over_NN} only
 * (NN the check's minimum age), and {@code credential_sets} lets any one of the queries
 * satisfy the request. Thread-safe.
 */
public final class RequestObjects {
  /** The {@code typ} of a request object. */
  public static final JOSEObjectType TYPE = new JOSEObjectType("oauth-authz-req+jwt");
  /** The DCQL credential query id, also the vp_token key. */
  public static final String QUERY_ID = "age_proof";
  /** The credential format named in the DCQL query. */
  public static final String FORMAT = "agegate-zk-age";

  private final Links links;
  private final String fingerprint;
  private final String provingKeySha256;
  private final Function<String, Optional<Site>> sites;
  private final Map<String, String> mdocDocTypes;
  private final ResponseEncryption encryption;
  private final RequestCertificates certificates;

  /**
   * @param provingKeySha256 the hex SHA-256 of the proving key the gateway serves, which a
   *     wallet checks before loading it ({@code agegate.pk_sha256})
   * @param sites the configured sites by id (their names and origins go on the consent screen)
   * @param mdocDocTypes the accepted mdoc docTypes, each with the namespace of its
   *     {@code age_over_NN} ({@code agegate.mdoc.doctypes}; empty when mdoc is off)
   * @param certificates the {@code x5c} chain of the {@code x509_san_dns} client id and the key it certifies
   */
  public RequestObjects(Links links, String fingerprint, String provingKeySha256,
      Function<String, Optional<Site>> sites, Map<String, String> mdocDocTypes, ResponseEncryption encryption,
      RequestCertificates certificates) {
    this.certificates = certificates;
    this.encryption = encryption;
    this.mdocDocTypes = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(mdocDocTypes));
    this.links = links;
    this.fingerprint = fingerprint;
    this.provingKeySha256 = provingKeySha256;
    this.sites = sites;
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
    Map<String, Object> agegate = new LinkedHashMap<>();
    agegate.put("site", c.siteId());
    agegate.put("min_age", c.minAge());
    agegate.put("min_assurance", c.minAssurance());
    agegate.put("today", c.today().toString());
    agegate.put("cutoff_day", PublicInputs.cutoffDay(c.today(), c.minAge()));
    agegate.put("today_day", DayNumber.of(c.today()));
    agegate.put("issuer_root", c.issuerRoot());
    agegate.put("challenge", PublicInputs.challenge(c.nonce(), links.clientId()).toHex());
    agegate.put("scope", PublicInputs.scope(c.siteId()).toHex());
    agegate.put("audience", links.clientId());
    agegate.put("trust_list_uri", links.trustListUri(c.issuerRoot()));
    agegate.put("proving_key_uri", links.provingKeyUri(fingerprint));
    agegate.put("vk_fingerprint", fingerprint);
    agegate.put("circuit_version", PublicInputs.CIRCUIT_VERSION);
    agegate.put("pk_sha256", provingKeySha256);
    // What the wallet's consent screen shows (docs/protocol.md step 3): who asks, from which
    // origin, and the code the gate shows next to the QR code.
    Optional<Site> site = sites.apply(c.siteId());
    agegate.put("site_name", site.map(Site::name).orElse(c.siteId()));
    agegate.put("site_origin", site.map(Site::displayOrigin).orElse(""));
    agegate.put("confirmation_code", ConfirmationCode.of(c.nonce()));

    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("min_age", c.minAge());
    meta.put("min_assurance", c.minAssurance());
    meta.put("vk_fingerprint", fingerprint);
    meta.put("circuit_version", PublicInputs.CIRCUIT_VERSION);
    Map<String, Object> query = new LinkedHashMap<>();
    query.put("id", QUERY_ID);
    query.put("format", FORMAT);
    query.put("meta", meta);

    Map<String, Object> claims = new LinkedHashMap<>();
    claims.put("iss", links.clientId());
    claims.put("aud", "https://self-issued.me/v2");
    claims.put("iat", nowSeconds);
    claims.put("exp", c.expiresAt().getEpochSecond());
    claims.put("client_id", links.clientId());
    claims.put("response_type", "vp_token");
    boolean mdoc = encrypted(c);
    claims.put("response_mode", mdoc ? "direct_post.jwt" : "direct_post");
    claims.put("response_uri", links.responseUri(c.requestId()));
    claims.put("nonce", c.nonce());
    claims.put("state", c.state());
    if (walletNonce != null) {
      claims.put("wallet_nonce", walletNonce);
    }
    claims.put("dcql_query", dcql(query, mdoc, c.minAge()));
    if (mdoc) {
      claims.put("client_metadata", clientMetadata(c));
    }
    claims.put("agegate", agegate);
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
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("client_id", clientId(c));
    p.put("response_type", "vp_token");
    boolean mdoc = encrypted(c);
    p.put("response_mode", mdoc ? "direct_post.jwt" : "direct_post");
    p.put("response_uri", links.responseUri(c.requestId()));
    p.put("nonce", c.nonce());
    p.put("state", c.state());
    p.put("dcql_query", mdocDcql(c.minAge()));
    if (mdoc) {
      p.put("client_metadata", mdocClientMetadata(c)); // no agegate-zk query in an unsigned request
    }
    return p;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> asJsonObject(Object v) {
    return (Map<String, Object>) v;
  }

  /**
   * Whether the request object of {@code c} asks for mdocs, and so for an encrypted response
   * ({@code direct_post.jwt}): its site accepts {@code mso_mdoc}, mdoc is on, and the minimum age
   * has an {@code age_over_NN} (two digits).
   */
  public boolean encrypted(Check c) {
    return !mdocDocTypes.isEmpty() && c.minAge() <= 99
        && sites.apply(c.siteId()).filter(x -> x.accepts(Site.MSO_MDOC)).isPresent();
  }

  /**
   * OpenID4VP 1.0 section 5.1 {@code client_metadata}: the check's encryption key, the content
   * encryptions accepted, and the formats with their algorithms (Appendix B.2.2 for
   * {@code mso_mdoc}: COSE algorithm numbers -7, -35, -36).
   */
  private Map<String, Object> clientMetadata(Check c) {
    return clientMetadata(c, true);
  }

  /**
   * The {@code client_metadata} of a request for mdocs only (the Digital Credentials API's
   * {@code openid4vp-v1-signed}): as the QR's, without the agegate-zk format.
   */
  public Map<String, Object> mdocClientMetadata(Check c) {
    return clientMetadata(c, false);
  }

  private Map<String, Object> clientMetadata(Check c, boolean zk) {
    Map<String, Object> mdocAlgs = new LinkedHashMap<>();
    mdocAlgs.put("issuerauth_alg_values", MDOC_ALGS);
    mdocAlgs.put("deviceauth_alg_values", MDOC_ALGS);
    Map<String, Object> formats = new LinkedHashMap<>();
    formats.put(Site.MSO_MDOC, mdocAlgs);
    if (zk) {
      formats.put(FORMAT, Map.of("circuit_version", PublicInputs.CIRCUIT_VERSION, "vk_fingerprint", fingerprint));
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("jwks", Map.of("keys", List.of(encryption.publicJwk(c))));
    m.put("encrypted_response_enc_values_supported",
        ResponseEncryption.ENCS.stream().map(e -> e.getName()).toList());
    m.put("vp_formats_supported", formats);
    return m;
  }

  /** COSE algorithms of an mdoc's issuerAuth and deviceAuth: ES256 (-7), ES384 (-35), ES512 (-36). */
  static final List<Integer> MDOC_ALGS = List.of(-7, -35, -36);

  /**
   * The DCQL credential query id for mdocs of {@code docType} (also its vp_token key):
   * {@code mdoc_} and the docType with every character outside {@code [A-Za-z0-9_-]} as {@code _}.
   */
  public static String mdocQueryId(String docType) {
    return "mdoc_" + docType.replaceAll("[^A-Za-z0-9_-]", "_");
  }

  /** The {@code age_over_NN} element a check of {@code minAge} asks for (two digits, as ISO 18013-5 names it). */
  public static String ageOverElement(int minAge) {
    return String.format(java.util.Locale.ROOT, "age_over_%02d", minAge);
  }

  private Map<String, Object> dcql(Map<String, Object> zkQuery, boolean mdoc, int minAge) {
    if (!mdoc || minAge > 99) { // ISO 18013-5 has age_over_NN with two digits only
      return Map.of("credentials", List.of(zkQuery));
    }
    return dcql(zkQuery, minAge);
  }

  /**
   * The DCQL query for mdocs only (the Digital Credentials API's {@code openid4vp-v1-signed}):
   * the same {@code mso_mdoc} credential queries as the QR's request object, any one of them
   * satisfying it. {@code minAge} must have two digits.
   */
  public Map<String, Object> mdocDcql(int minAge) {
    if (minAge < 1 || minAge > 99) {
      throw new IllegalArgumentException("age_over_NN has two digits, not " + minAge);
    }
    return dcql(null, minAge);
  }

  /** The credential queries (the ZK one first when {@code zkQuery} is not null, then one per mdoc docType) and their set. */
  private Map<String, Object> dcql(Map<String, Object> zkQuery, int minAge) {
    List<Object> credentials = new java.util.ArrayList<>();
    List<Object> options = new java.util.ArrayList<>();
    if (zkQuery != null) {
      credentials.add(zkQuery);
      options.add(List.of(QUERY_ID));
    }
    for (Map.Entry<String, String> d : mdocDocTypes.entrySet()) {
      Map<String, Object> q = new LinkedHashMap<>();
      q.put("id", mdocQueryId(d.getKey()));
      q.put("format", Site.MSO_MDOC);
      q.put("meta", Map.of("doctype_value", d.getKey()));
      q.put("claims", List.of(Map.of("path", List.of(d.getValue(), ageOverElement(minAge)), "intent_to_retain", false)));
      credentials.add(q);
      options.add(List.of(mdocQueryId(d.getKey())));
    }
    Map<String, Object> set = new LinkedHashMap<>();
    set.put("options", options);
    set.put("required", true);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("credentials", credentials);
    out.put("credential_sets", List.of(set));
    return out;
  }
}
