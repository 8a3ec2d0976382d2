package dev.agegate.gateway.family.zk;

import dev.agegate.gateway.checks.ConfirmationCode;
import dev.agegate.gateway.checks.Links;
import dev.agegate.gateway.config.Site;
import dev.agegate.gateway.family.Answer;
import dev.agegate.gateway.family.Binding;
import dev.agegate.gateway.family.PresentationFamily;
import dev.agegate.gateway.family.Transport;
import dev.agegate.gateway.family.Verdict;
import dev.agegate.gateway.http.Reason;
import dev.agegate.gateway.store.Check;
import dev.agegate.gateway.trust.TrustStore;
import dev.agegate.zk.DayNumber;
import dev.agegate.zk.FieldElement;
import dev.agegate.zk.PublicInputs;
import dev.agegate.zk.ZkStatus;
import jakarta.json.JsonValue;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * agegate's own zero-knowledge age proof ({@code agegate-zk}, docs/protocol.md): asked for in
 * signed request objects only (agegate's wallets answer nothing else), as the DCQL query
 * {@value #QUERY_ID} of format {@value #FORMAT} and the {@code agegate} claim with every public
 * input the wallet proves against; answered by {@link Presentation} (proof and nullifier, in
 * plaintext: the proof reveals nothing but the nullifier); verified by the pinned
 * {@link ProofVerifier} against the public inputs the gateway computes itself from the check
 * and the client id the request named. What it proves: the check's minimum age and assurance
 * under an issuer of the check's trust list root, and the site's nullifier.
 */
public final class ZkFamily implements PresentationFamily {
  /** The DCQL credential query id, also the vp_token key. */
  public static final String QUERY_ID = "age_proof";
  /** The credential format named in the DCQL query and in {@code vp_formats_supported}. */
  public static final String FORMAT = "agegate-zk-age";

  private final TrustStore trust;
  private final ProofVerifier verifier;
  private final Links links;
  private final String provingKeySha256;
  private final Function<String, Optional<Site>> sites;

  /**
   * @param provingKeySha256 the hex SHA-256 of the proving key the gateway serves, which a
   *     wallet checks before loading it ({@code agegate.pk_sha256})
   * @param sites the configured sites by id (their names and origins go on the consent screen)
   */
  public ZkFamily(TrustStore trust, ProofVerifier verifier, Links links, String provingKeySha256,
      Function<String, Optional<Site>> sites) {
    this.trust = trust;
    this.verifier = verifier;
    this.links = links;
    this.provingKeySha256 = provingKeySha256;
    this.sites = sites;
  }

  /** What a wallet presented: a proof and its nullifier, not yet verified. */
  public record ZkAnswer(Presentation presentation) implements Answer {
    @Override
    public String family() {
      return Site.AGEGATE_ZK;
    }
  }

  @Override
  public String id() {
    return Site.AGEGATE_ZK;
  }

  /** Every age a check can have (its birth-date cutoff in the circuit's range is checked at creation). */
  @Override
  public boolean asks(int minAge) {
    return true;
  }

  @Override
  public List<Map<String, Object>> credentialQueries(Check c, Transport transport) {
    if (transport != Transport.SIGNED_REQUEST) {
      return List.of();
    }
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("min_age", c.minAge());
    meta.put("min_assurance", c.minAssurance());
    meta.put("vk_fingerprint", verifier.fingerprint());
    meta.put("circuit_version", PublicInputs.CIRCUIT_VERSION);
    Map<String, Object> query = new LinkedHashMap<>();
    query.put("id", QUERY_ID);
    query.put("format", FORMAT);
    query.put("meta", meta);
    return List.of(query);
  }

  @Override
  public Map<String, Object> vpFormats() {
    return Map.of(FORMAT, Map.of("circuit_version", PublicInputs.CIRCUIT_VERSION, "vk_fingerprint",
        verifier.fingerprint()));
  }

  @Override
  public boolean encryptedResponse() {
    return false;
  }

  /**
   * {@code agegate}: the public inputs, where to fetch the trust list and the proving key, and
   * what the wallet's consent screen shows (docs/protocol.md step 3): who asks, from which
   * origin, and the code the gate shows next to the QR code.
   */
  @Override
  public Map<String, Object> requestClaims(Check c) {
    String fingerprint = verifier.fingerprint();
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
    Optional<Site> site = sites.apply(c.siteId());
    agegate.put("site_name", site.map(Site::name).orElse(c.siteId()));
    agegate.put("site_origin", site.map(Site::displayOrigin).orElse(""));
    agegate.put("confirmation_code", ConfirmationCode.of(c.nonce()));
    return Map.of("agegate", agegate);
  }

  @Override
  public boolean answers(String queryId) {
    return QUERY_ID.equals(queryId);
  }

  @Override
  public Answer read(String queryId, JsonValue presentations) throws Unreadable {
    try {
      return new ZkAnswer(Presentation.parse(presentations));
    } catch (Presentation.MalformedException e) {
      throw new Unreadable(Reason.PROOF_MALFORMED, e.getMessage());
    }
  }

  /**
   * The proof against the public inputs of {@code c}: its trust list root (still accepted), day,
   * minimum age and assurance, nonce, the client id the request named, its site, and the
   * wallet's nullifier.
   */
  @Override
  public Verdict verify(Check c, Answer answer, Binding binding) {
    Presentation p = ((ZkAnswer) answer).presentation();
    if (trust.accepted(c.issuerRoot()).isEmpty()) {
      return Verdict.refused(Reason.PROOF_INVALID, "the trust list root of this check is no longer accepted");
    }
    if (binding.clientId() == null) {
      return Verdict.refused(Reason.PROOF_INVALID, "an agegate-zk proof is bound to a client id, and this transport has none");
    }
    PublicInputs in = PublicInputs.of(FieldElement.fromHex(c.issuerRoot()), c.today(), c.minAge(), c.minAssurance(),
        c.nonce(), binding.clientId(), c.siteId(), p.nullifier());
    ZkStatus status = verifier.verify(p.proof(), in);
    return switch (status) {
      case OK -> Verdict.verified(Site.AGEGATE_ZK, null, p.nullifier().toHex());
      case PROOF_INVALID -> Verdict.refused(Reason.PROOF_INVALID, "the proof does not verify for this check");
      case PROOF_MALFORMED, INPUT_MALFORMED -> Verdict.refused(Reason.PROOF_MALFORMED, "the proof does not decode");
      default -> Verdict.refused(Reason.INTERNAL_ERROR, "verification failed inside the gateway (" + status + ")");
    };
  }
}
