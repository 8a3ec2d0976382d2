package dev.agegate.gateway.family.mdoc;

import dev.agegate.gateway.config.Site;
import dev.agegate.gateway.family.Answer;
import dev.agegate.gateway.family.Binding;
import dev.agegate.gateway.family.PresentationFamily;
import dev.agegate.gateway.family.Transport;
import dev.agegate.gateway.family.Verdict;
import dev.agegate.gateway.store.Check;
import jakarta.json.JsonArray;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * ISO/IEC 18013-5 mdoc age attestations ({@code mso_mdoc}: the EU age verification
 * {@code eu.europa.ec.av.1}, mDLs): asked for over every transport, for checks whose minimum
 * age has two digits, as one DCQL query per accepted docType for {@code age_over_NN} alone
 * ({@code intent_to_retain} false); answered by one base64url DeviceResponse, always encrypted
 * (it carries the device key and the issuer's certificate); verified by {@link MdocVerifier}
 * against the transport's SessionTranscript, the check's minimum age and the gateway's clock,
 * then against trust configuration (the IACA's source still current, its assurance level at or
 * above the check's). What it proves: {@code age_over_NN = true} from a trusted issuer, with the
 * IACA's assurance level; no nullifier. Nothing of a response is logged or kept.
 */
public final class MdocFamily implements PresentationFamily {
  /** Longest base64url text of a DeviceResponse read at all. */
  public static final int MAX_RESPONSE_CHARS = (MdocVerifier.MAX_RESPONSE_BYTES * 4 + 2) / 3;
  /** COSE algorithms of an mdoc's issuerAuth and deviceAuth: ES256 (-7), ES384 (-35), ES512 (-36). */
  public static final List<Integer> COSE_ALGS = List.of(-7, -35, -36);

  private final MdocVerifier verifier;
  private final Map<String, String> docTypes;
  private final Clock clock;

  /**
   * @param docTypes the accepted docTypes, each with the namespace of its {@code age_over_NN}, in
   *     request order ({@code agegate.mdoc.doctypes}); the verifier's
   */
  public MdocFamily(MdocVerifier verifier, Map<String, String> docTypes, Clock clock) {
    if (!verifier.docTypes().equals(docTypes)) {
      throw new IllegalArgumentException("the family's docTypes must be its verifier's");
    }
    this.verifier = verifier;
    this.docTypes = Collections.unmodifiableMap(new LinkedHashMap<>(docTypes));
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * A DeviceResponse, not yet verified, whose document must be of one of {@code docTypes}: the
   * docType of the credential query it answers (OpenID4VP), or any one asked (Annex C).
   */
  public record MdocAnswer(Set<String> docTypes, byte[] deviceResponse) implements Answer {
    public MdocAnswer {
      docTypes = Set.copyOf(docTypes);
      deviceResponse = deviceResponse.clone();
    }

    @Override
    public byte[] deviceResponse() {
      return deviceResponse.clone();
    }

    @Override
    public String family() {
      return Site.MSO_MDOC;
    }
  }

  @Override
  public String id() {
    return Site.MSO_MDOC;
  }

  /** The accepted docTypes, each with the namespace of its {@code age_over_NN}, in request order. */
  public Map<String, String> docTypes() {
    return docTypes;
  }

  /** An answer that came outside OpenID4VP (ISO 18013-7 Annex C): a document of any accepted docType. */
  public MdocAnswer anyDocType(byte[] deviceResponse) {
    return new MdocAnswer(docTypes.keySet(), deviceResponse);
  }

  /**
   * The DCQL credential query id for mdocs of {@code docType} (also its vp_token key):
   * {@code mdoc_} and the docType with every character outside {@code [A-Za-z0-9_-]} as {@code _}.
   */
  public static String queryId(String docType) {
    return "mdoc_" + docType.replaceAll("[^A-Za-z0-9_-]", "_");
  }

  /** The {@code age_over_NN} element a check of {@code minAge} asks for (two digits, as ISO 18013-5 names it). */
  public static String ageOverElement(int minAge) {
    return String.format(Locale.ROOT, "age_over_%02d", minAge);
  }

  /** ISO 18013-5 has {@code age_over_NN} with two digits only. */
  @Override
  public boolean asks(int minAge) {
    return minAge >= 1 && minAge <= 99;
  }

  @Override
  public List<Map<String, Object>> credentialQueries(Check c, Transport transport) {
    if (!asks(c.minAge())) {
      return List.of();
    }
    List<Map<String, Object>> out = new ArrayList<>();
    for (Map.Entry<String, String> d : docTypes.entrySet()) {
      Map<String, Object> q = new LinkedHashMap<>();
      q.put("id", queryId(d.getKey()));
      q.put("format", Site.MSO_MDOC);
      q.put("meta", Map.of("doctype_value", d.getKey()));
      q.put("claims", List.of(Map.of("path", List.of(d.getValue(), ageOverElement(c.minAge())),
          "intent_to_retain", false)));
      out.add(q);
    }
    return out;
  }

  /** OpenID4VP 1.0 Appendix B.2.2: the COSE algorithms of issuerAuth and deviceAuth. */
  @Override
  public Map<String, Object> vpFormats() {
    Map<String, Object> algs = new LinkedHashMap<>();
    algs.put("issuerauth_alg_values", COSE_ALGS);
    algs.put("deviceauth_alg_values", COSE_ALGS);
    return Map.of(Site.MSO_MDOC, algs);
  }

  @Override
  public boolean encryptedResponse() {
    return true;
  }

  @Override
  public boolean answers(String queryId) {
    return docTypes.keySet().stream().anyMatch(t -> queryId(t).equals(queryId));
  }

  /** Exactly one base64url (no padding) DeviceResponse of at most {@link MdocVerifier#MAX_RESPONSE_BYTES}. */
  @Override
  public Answer read(String queryId, JsonValue presentations) throws Unreadable {
    String docType = docTypes.keySet().stream().filter(t -> queryId(t).equals(queryId)).findFirst()
        .orElseThrow(() -> new Unreadable(dev.agegate.gateway.http.Reason.PROOF_MALFORMED,
            "not an mso_mdoc credential query id of this gateway"));
    if (!(presentations instanceof JsonArray a) || a.size() != 1 || !(a.get(0) instanceof JsonString s)) {
      throw new Unreadable(dev.agegate.gateway.http.Reason.PROOF_MALFORMED,
          "vp_token must be {\"" + queryId + "\":[\"<base64url DeviceResponse>\"]}");
    }
    String text = s.getString();
    if (text.isEmpty() || text.length() > MAX_RESPONSE_CHARS || text.length() % 4 == 1
        || !text.matches("[A-Za-z0-9_-]+")) {
      throw new Unreadable(dev.agegate.gateway.http.Reason.PROOF_MALFORMED, "the DeviceResponse must be 1-"
          + MAX_RESPONSE_CHARS + " base64url characters without padding");
    }
    return new MdocAnswer(Set.of(docType), Base64.getUrlDecoder().decode(text));
  }

  /**
   * The DeviceResponse against the transport's SessionTranscript (an mdoc in plaintext is refused
   * {@code response_not_encrypted}: every request for one asks for an encrypted response) and the
   * check's minimum age; its docType must be one the answer may have; then trust configuration
   * ({@link #assured}).
   */
  @Override
  public Verdict verify(Check c, Answer answer, Binding binding) {
    MdocAnswer m = (MdocAnswer) answer;
    if (!binding.encrypted() || binding.sessionTranscript() == null) {
      return Verdict.refused(dev.agegate.gateway.http.Reason.RESPONSE_NOT_ENCRYPTED,
          "an mdoc must come encrypted (response_mode direct_post.jwt), not as a plaintext vp_token");
    }
    if (!asks(c.minAge())) {
      return Verdict.refused(dev.agegate.gateway.http.Reason.MDOC_INVALID,
          "an mdoc has age_over_NN with two digits only (age_over_missing)", "age_over_missing");
    }
    MdocResult r = verifier.verify(m.deviceResponse(), binding.sessionTranscript(), c.minAge());
    return switch (r) {
      case MdocResult.Verified v when m.docTypes().contains(v.docType()) -> assured(c, v);
      case MdocResult.Verified v -> Verdict.refused(dev.agegate.gateway.http.Reason.MDOC_INVALID,
          "the document's docType is not the one of the credential query it answers (doctype_not_accepted)",
          Reason.DOCTYPE_NOT_ACCEPTED.code());
      case MdocResult.Refused x when x.reason() == Reason.TOO_YOUNG -> Verdict.refused(
          dev.agegate.gateway.http.Reason.TOO_YOUNG, "the attestation says the person is younger than " + c.minAge(),
          x.reason().code());
      case MdocResult.Refused x -> Verdict.refused(dev.agegate.gateway.http.Reason.MDOC_INVALID,
          "the attestation was refused (" + x.reason().code() + ")", x.reason().code());
    };
  }

  /**
   * A verified mdoc against trust configuration: its IACA's source must still vouch for it (a
   * trusted list before its NextUpdate) and the IACA's assurance level must reach the check's
   * minimum; the verdict carries that level for the token. As for agegate-zk, whose proof does
   * not verify for an issuer below the minimum, a lower level refuses the presentation.
   */
  private Verdict assured(Check c, MdocResult.Verified v) {
    IacaTrustAnchors.Anchor a = verifier.anchor(v.issuer());
    if (a.staleAt(clock.instant())) {
      return Verdict.refused(dev.agegate.gateway.http.Reason.MDOC_INVALID, "the attestation's IACA comes from a"
          + " trusted list past its NextUpdate (trusted_list_stale)", Reason.TRUSTED_LIST_STALE.code());
    }
    if (a.assurance() < c.minAssurance()) {
      return Verdict.refused(dev.agegate.gateway.http.Reason.MDOC_INVALID, "the attestation's issuer has assurance"
          + " level " + a.assurance() + ", below this check's " + c.minAssurance() + " (issuer_assurance_too_low)",
          Reason.ISSUER_ASSURANCE_TOO_LOW.code());
    }
    return Verdict.verified(Site.MSO_MDOC, a.assurance(), null);
  }
}
