package dev.agegate.gateway.family.mdoc;

import com.upokecenter.cbor.CBORObject;
import com.upokecenter.cbor.CBORType;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.security.InvalidAlgorithmParameterException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CertificateParsingException;
import java.security.cert.PKIXCertPathValidatorResult;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Verifies an ISO/IEC 18013-5 {@code DeviceResponse} carrying one age attestation, against one
 * check's session transcript and minimum age. Immutable and thread-safe; never throws for any
 * input bytes (a failure is a {@link MdocResult.Refused} with its {@link Reason}); logs nothing.
 *
 * <p>Checks, in this order (the first failure decides the reason):
 * <ol>
 *   <li>size ≤ {@link #MAX_RESPONSE_BYTES}; well-formed CBOR (no trailing bytes, no duplicate
 *       keys); {@code version} "1.0"; {@code status} 0; exactly one document; its docType accepted;
 *   <li>IssuerAuth: COSE_Sign1 with alg ES256/ES384/ES512 in the protected header only, no crit;
 *       x5chain (unprotected, label 33) of 1–{@value #MAX_CHAIN} DER certificates; every
 *       certificate and the IACA within validity at the clock's now; every certificate of the path
 *       signed with SHA-256/384/512 or EdDSA ({@link #CERT_SIGNATURE_ALGS}); PKIX path (no revocation)
 *       from the document signer to a configured IACA; the signer's keyUsage digitalSignature and
 *       extendedKeyUsage {@value #EKU_MDOC_DS}; its key on the alg's curve; the signature;
 *   <li>MSO (tag 24 in the payload): version "1.0"; digestAlgorithm SHA-256/384/512; docType equal
 *       to the document's; signed ≤ now, validFrom ≤ now ≤ validUntil, signed within the signer
 *       certificate's validity; deviceKey an EC2 key whose point is on its curve;
 *   <li>disclosed items, in every namespace: well-formed, digestIDs unique, each item's digest
 *       over its tag-24 encoding equal to the MSO's digest for its digestID;
 *   <li>DeviceAuth over
 *       {@code #6.24(bstr .cbor ["DeviceAuthentication", SessionTranscript, docType, DeviceNameSpacesBytes])}:
 *       a deviceSignature (detached COSE_Sign1 by the MSO's deviceKey, its alg on that key's
 *       curve), or a deviceMac only when the caller holds this session's reader key
 *       ({@link #verify(byte[], byte[], ECPrivateKey, int)}, {@link DeviceMac}; else
 *       {@link Reason#DEVICE_MAC_UNSUPPORTED});
 *   <li>disclosure policy: nothing device-signed, only the docType's namespace, only
 *       {@code age_over_NN} (two digits, boolean value), no NN twice;
 *   <li>age: the smallest disclosed NN ≥ minimum age with {@code true} is used; contradicting
 *       elements refuse; {@code false} for an NN ≤ minimum age is {@link Reason#TOO_YOUNG}; none
 *       at or above the minimum age is {@link Reason#AGE_OVER_MISSING}.
 * </ol>
 * Steps 1–5 ({@link #authenticate}) decide whether the response is authentic and bound to this
 * session; the policy and the age come after, so that {@code element_not_allowed} and
 * {@code too_young} are only ever said of an authentic, device-bound response.
 */
public final class MdocVerifier {
  /** Larger responses are refused unread (an age-only response with a chain is a few KiB). */
  public static final int MAX_RESPONSE_BYTES = 64 * 1024;
  /** Most certificates accepted in an x5chain. */
  public static final int MAX_CHAIN = 5;
  /** ISO 18013-5 Annex B: the document signer's extended key usage. */
  public static final String EKU_MDOC_DS = "1.0.18013.5.1.2";
  /** ISO 18013-5 §9.1.2.4: an IssuerSignedItem's random has at least 16 bytes. */
  static final int MIN_RANDOM_BYTES = 16;

  /**
   * Signature algorithms accepted on the chain's certificates (ISO 18013-5 Annex B signs with
   * ECDSA; RSA and EdDSA IACAs exist): ECDSA and RSA PKCS#1 v1.5 with SHA-256/384/512, Ed25519,
   * Ed448. SHA-1, MD5 and RSA-PSS (whose parameters may name SHA-1) are refused.
   */
  static final Set<String> CERT_SIGNATURE_ALGS = Set.of(
      "1.2.840.10045.4.3.2", "1.2.840.10045.4.3.3", "1.2.840.10045.4.3.4",
      "1.2.840.113549.1.1.11", "1.2.840.113549.1.1.12", "1.2.840.113549.1.1.13",
      "1.3.101.112", "1.3.101.113");

  /** docType → the one namespace whose {@code age_over_NN} elements are accepted. */
  public static final Map<String, String> DEFAULT_DOCTYPES = defaultDocTypes();

  private static final Pattern AGE_OVER = Pattern.compile("age_over_([0-9]{2})");
  private static final Set<String> TOP_KEYS = Set.of("version", "documents", "status", "documentErrors");
  private static final Set<String> DOC_KEYS = Set.of("docType", "issuerSigned", "deviceSigned", "errors");
  private static final Set<String> ISSUER_SIGNED_KEYS = Set.of("nameSpaces", "issuerAuth");
  private static final Set<String> DEVICE_SIGNED_KEYS = Set.of("nameSpaces", "deviceAuth");
  private static final Set<String> ITEM_KEYS = Set.of("digestID", "random", "elementIdentifier", "elementValue");
  private static final Set<String> DEVICE_AUTH_KEYS = Set.of("deviceSignature", "deviceMac");

  private final List<X509Certificate> anchors;
  private final Set<TrustAnchor> trustAnchors;
  private final Map<String, String> docTypes;
  private final Clock clock;
  private final IacaTrustAnchors trust;

  /**
   * @param anchors the IACAs document signers must chain to
   * @param docTypes accepted docTypes, each with the namespace of its {@code age_over_NN}
   *     elements (see {@link #DEFAULT_DOCTYPES})
   * @param clock the time every validity is checked against
   */
  public MdocVerifier(IacaTrustAnchors anchors, Map<String, String> docTypes, Clock clock) {
    Objects.requireNonNull(anchors, "anchors");
    Objects.requireNonNull(clock, "clock");
    if (docTypes.isEmpty()) {
      throw new IllegalArgumentException("no mdoc docType accepted");
    }
    this.anchors = anchors.certificates();
    Set<TrustAnchor> ta = new HashSet<>();
    for (X509Certificate c : this.anchors) {
      ta.add(new TrustAnchor(c, null));
    }
    this.trustAnchors = Set.copyOf(ta);
    this.docTypes = Map.copyOf(docTypes);
    this.clock = clock;
    this.trust = anchors;
  }

  /**
   * The configured anchor a verified document chained to ({@link MdocResult.Issuer#iacaSha256()}),
   * with its assurance level and origin.
   */
  public IacaTrustAnchors.Anchor anchor(MdocResult.Issuer issuer) {
    return trust.anchor(issuer.iacaSha256()).orElseThrow(
        () -> new IllegalStateException("a verified document's IACA is not a configured anchor"));
  }

  /** The accepted docTypes, each with the namespace of its {@code age_over_NN}, in configuration order. */
  public Map<String, String> docTypes() {
    return docTypes;
  }

  /**
   * @param deviceResponse the CBOR DeviceResponse as the wallet sent it (any bytes)
   * @param sessionTranscript this check's CBOR SessionTranscript (from {@link SessionTranscripts})
   * @param minAge the check's minimum age, 0–99
   * @throws IllegalArgumentException only for a bad {@code sessionTranscript} or {@code minAge},
   *     which come from the gateway, never from the wallet
   */
  public MdocResult verify(byte[] deviceResponse, byte[] sessionTranscript, int minAge) {
    requireGatewayInputs(sessionTranscript, minAge);
    return verifyClosed(deviceResponse, sessionTranscript, null, minAge);
  }

  /**
   * {@link #verify(byte[], byte[], int)} for an ISO 18013-5 session whose reader key the caller
   * made: a deviceMac is then verified (ECDH with the MSO's device key, HKDF, HMAC 256/256; see
   * {@link DeviceMac}) as well as a deviceSignature. None of the gateway's transports has such a
   * key (their transcripts carry no EReaderKey), so they call the three-argument form.
   *
   * @param eReaderKey this session's ephemeral reader key: P-256, and the private half of the
   *     {@code EReaderKeyBytes} in {@code sessionTranscript}
   * @throws IllegalArgumentException also when {@code eReaderKey} is not that key
   */
  public MdocResult verify(byte[] deviceResponse, byte[] sessionTranscript, ECPrivateKey eReaderKey, int minAge) {
    Objects.requireNonNull(eReaderKey, "eReaderKey");
    requireGatewayInputs(sessionTranscript, minAge);
    DeviceMac.requireSessionReaderKey(eReaderKey, sessionTranscript);
    return verifyClosed(deviceResponse, sessionTranscript, eReaderKey, minAge);
  }

  private static void requireGatewayInputs(byte[] sessionTranscript, int minAge) {
    if (minAge < 0 || minAge > 99) {
      throw new IllegalArgumentException("minAge must be 0..99, not " + minAge);
    }
    try {
      Cbor.array(Cbor.decode(sessionTranscript), 3);
    } catch (Refusal r) {
      throw new IllegalArgumentException("sessionTranscript is not a CBOR array of 3");
    }
  }

  private MdocResult verifyClosed(byte[] deviceResponse, byte[] sessionTranscript, ECPrivateKey eReaderKey, int minAge) {
    try {
      return check(deviceResponse, sessionTranscript, eReaderKey, minAge);
    } catch (Refusal r) {
      return new MdocResult.Refused(r.reason);
    } catch (RuntimeException e) {
      // Fail closed on anything the explicit checks did not foresee; nothing is logged
      // because the exception may quote the input.
      return new MdocResult.Refused(Reason.MALFORMED);
    }
  }

  /**
   * {@link #verify} without its fail-closed net: every foreseen failure is a {@link Refusal}, so
   * the fuzz test can call this and fail on any other exception (a check the code forgot).
   */
  MdocResult check(byte[] response, byte[] transcript, int minAge) throws Refusal {
    return check(response, transcript, null, minAge);
  }

  /** As {@link #check(byte[], byte[], int)}, with this session's reader key or null. */
  MdocResult check(byte[] response, byte[] transcript, ECPrivateKey readerKey, int minAge) throws Refusal {
    Authentic a = authenticate(response, transcript, readerKey);
    Map<Integer, Boolean> ages = disclosedAges(a);
    int ageOver = decideAge(ages, minAge);
    return new MdocResult.Verified(ageOver, a.docType(),
        new MdocResult.Issuer(a.signer().getSubjectX500Principal().getName(), sha256Hex(a.signer()),
            a.iaca().getSubjectX500Principal().getName(), sha256Hex(a.iaca())),
        a.validUntil());
  }

  /** How the device authenticated the response. */
  enum DeviceAuthKind { SIGNATURE, MAC }

  /**
   * One issuer-signed element whose digest matched the MSO's.
   *
   * @param value the decoded elementValue (any CBOR; typed only by the policy)
   */
  record Disclosed(String nameSpace, String identifier, CBORObject value) {
    /** Without the value: a disclosed element's value is never to reach a log. */
    @Override
    public String toString() {
      return "Disclosed[" + nameSpace + ", " + identifier + "]";
    }
  }

  /**
   * A response that passed steps 1–5 of the class comment: issued under a configured IACA,
   * within validity, every disclosed element as issued, bound to this session by the device.
   * Nothing of it has been judged against the disclosure policy yet.
   *
   * @param nameSpace the docType's one namespace whose {@code age_over_NN} may be disclosed
   * @param deviceNameSpaces how many namespaces the device signed elements in
   */
  record Authentic(String docType, String nameSpace, List<Disclosed> disclosed, int deviceNameSpaces,
      DeviceAuthKind deviceAuth, X509Certificate signer, X509Certificate iaca, Instant validUntil) {
  }

  /** Steps 1–5 of the class comment; {@code readerKey} null when the caller has none. */
  Authentic authenticate(byte[] response, byte[] transcript, ECPrivateKey readerKey) throws Refusal {
    if (response == null) {
      throw new Refusal(Reason.MALFORMED);
    }
    if (response.length > MAX_RESPONSE_BYTES) {
      throw new Refusal(Reason.TOO_LARGE);
    }
    Instant now = clock.instant();

    CBORObject top = Cbor.map(Cbor.decode(response));
    Cbor.onlyTextKeys(top, TOP_KEYS);
    if (!"1.0".equals(Cbor.text(Cbor.get(top, "version")))) {
      throw new Refusal(Reason.MALFORMED);
    }
    if (Cbor.integer(Cbor.get(top, "status")) != 0) {
      throw new Refusal(Reason.STATUS_NOT_OK);
    }
    CBORObject documents = Cbor.array(Cbor.get(top, "documents"));
    if (documents.size() != 1) {
      throw new Refusal(Reason.DOCUMENT_COUNT);
    }
    CBORObject doc = Cbor.map(documents.get(0));
    Cbor.onlyTextKeys(doc, DOC_KEYS);
    String docType = Cbor.text(Cbor.get(doc, "docType"));
    String nameSpace = docTypes.get(docType);
    if (nameSpace == null) {
      throw new Refusal(Reason.DOCTYPE_NOT_ACCEPTED);
    }
    CBORObject issuerSigned = Cbor.map(Cbor.get(doc, "issuerSigned"));
    Cbor.onlyTextKeys(issuerSigned, ISSUER_SIGNED_KEYS);
    CBORObject deviceSigned = Cbor.map(Cbor.get(doc, "deviceSigned"));
    Cbor.onlyTextKeys(deviceSigned, DEVICE_SIGNED_KEYS);

    // IssuerAuth
    Cose.Sign1 issuerAuth = Cose.sign1(Cbor.get(issuerSigned, "issuerAuth"), false, Reason.ISSUER_ALG_UNSUPPORTED);
    List<X509Certificate> chain = x5chain(issuerAuth.unprotected());
    X509Certificate signer = chain.get(0);
    X509Certificate iaca = validateChain(chain, now);
    requireSignerUsage(signer);
    if (!issuerAuth.alg().matches(signer.getPublicKey())) {
      throw new Refusal(Reason.ISSUER_ALG_UNSUPPORTED);
    }
    if (!Cose.verify(issuerAuth, issuerAuth.payload(), (ECPublicKey) signer.getPublicKey())) {
      throw new Refusal(Reason.ISSUER_SIGNATURE_INVALID);
    }

    // MSO
    CBORObject mso = Cbor.map(Cbor.decode(Cbor.embeddedBytes(Cbor.decode(issuerAuth.payload()))));
    if (!"1.0".equals(Cbor.text(Cbor.get(mso, "version")))) {
      throw new Refusal(Reason.MALFORMED);
    }
    String digestJca = switch (Cbor.text(Cbor.get(mso, "digestAlgorithm"))) {
      case "SHA-256" -> "SHA-256";
      case "SHA-384" -> "SHA-384";
      case "SHA-512" -> "SHA-512";
      default -> throw new Refusal(Reason.DIGEST_ALG_UNSUPPORTED);
    };
    if (!docType.equals(Cbor.text(Cbor.get(mso, "docType")))) {
      throw new Refusal(Reason.MSO_DOCTYPE_MISMATCH);
    }
    CBORObject validity = Cbor.map(Cbor.get(mso, "validityInfo"));
    Instant signed = tdate(Cbor.get(validity, "signed"));
    Instant validFrom = tdate(Cbor.get(validity, "validFrom"));
    Instant validUntil = tdate(Cbor.get(validity, "validUntil"));
    if (now.isBefore(signed) || now.isBefore(validFrom)) {
      throw new Refusal(Reason.MSO_NOT_YET_VALID);
    }
    if (now.isAfter(validUntil)) {
      throw new Refusal(Reason.MSO_EXPIRED);
    }
    if (signed.isBefore(signer.getNotBefore().toInstant()) || signed.isAfter(signer.getNotAfter().toInstant())) {
      throw new Refusal(Reason.ISSUER_CERT_NOT_VALID);
    }
    ECPublicKey deviceKey = Cose.ec2Key(Cbor.get(Cbor.map(Cbor.get(mso, "deviceKeyInfo")), "deviceKey"));
    CBORObject valueDigests = Cbor.map(Cbor.get(mso, "valueDigests"));

    // Disclosed elements, every namespace
    List<Disclosed> disclosed = disclosedItems(issuerSigned, valueDigests, digestJca);

    // DeviceAuth
    byte[] deviceNameSpacesBytes = Cbor.embeddedBytes(Cbor.get(deviceSigned, "nameSpaces"));
    int deviceNameSpaces = Cbor.map(Cbor.decode(deviceNameSpacesBytes)).size();
    CBORObject deviceAuth = Cbor.map(Cbor.get(deviceSigned, "deviceAuth"));
    Cbor.onlyTextKeys(deviceAuth, DEVICE_AUTH_KEYS);
    if (deviceAuth.size() != 1) {
      throw new Refusal(Reason.MALFORMED);
    }
    byte[] deviceAuthentication = deviceAuthenticationBytes(transcript, docType, deviceNameSpacesBytes);
    DeviceAuthKind kind;
    if (deviceAuth.ContainsKey("deviceMac")) {
      if (readerKey == null) {
        throw new Refusal(Reason.DEVICE_MAC_UNSUPPORTED);
      }
      DeviceMac.Mac0 mac = DeviceMac.mac0(Cbor.get(deviceAuth, "deviceMac"));
      byte[] eMacKey = DeviceMac.eMacKey(readerKey, deviceKey, transcript);
      if (!DeviceMac.verify(mac, eMacKey, deviceAuthentication)) {
        throw new Refusal(Reason.DEVICE_MAC_INVALID);
      }
      kind = DeviceAuthKind.MAC;
    } else {
      Cose.Sign1 deviceSignature = Cose.sign1(Cbor.get(deviceAuth, "deviceSignature"), true, Reason.DEVICE_ALG_UNSUPPORTED);
      if (!deviceSignature.alg().matches(deviceKey)) {
        throw new Refusal(Reason.DEVICE_ALG_UNSUPPORTED);
      }
      if (!Cose.verify(deviceSignature, deviceAuthentication, deviceKey)) {
        throw new Refusal(Reason.DEVICE_SIGNATURE_INVALID);
      }
      kind = DeviceAuthKind.SIGNATURE;
    }
    return new Authentic(docType, nameSpace, List.copyOf(disclosed), deviceNameSpaces, kind, signer, iaca, validUntil);
  }

  /** Every IssuerSignedItem of every namespace, each digest checked against the MSO's. */
  private static List<Disclosed> disclosedItems(CBORObject issuerSigned, CBORObject valueDigests, String digestJca)
      throws Refusal {
    List<Disclosed> disclosed = new ArrayList<>();
    CBORObject nameSpaces = issuerSigned.GetOrDefault(CBORObject.FromObject("nameSpaces"), null);
    if (nameSpaces == null) {
      return disclosed;
    }
    nameSpaces = Cbor.map(nameSpaces);
    for (CBORObject k : nameSpaces.getKeys()) {
      if (k.isTagged() || k.getType() != CBORType.TextString) {
        throw new Refusal(Reason.MALFORMED);
      }
      String nameSpace = k.AsString();
      CBORObject items = Cbor.array(Cbor.get(nameSpaces, nameSpace));
      if (items.size() == 0) {
        throw new Refusal(Reason.MALFORMED);
      }
      CBORObject digests = valueDigests.GetOrDefault(CBORObject.FromObject(nameSpace), null);
      if (digests == null) {
        throw new Refusal(Reason.DIGEST_MISMATCH);
      }
      digests = Cbor.map(digests);
      Set<Long> digestIds = new HashSet<>();
      for (int i = 0; i < items.size(); i++) {
        byte[] itemBytes = Cbor.embeddedBytes(items.get(i));
        CBORObject item = Cbor.map(Cbor.decode(itemBytes));
        Cbor.onlyTextKeys(item, ITEM_KEYS);
        if (item.size() != ITEM_KEYS.size()) {
          throw new Refusal(Reason.MALFORMED);
        }
        String identifier = Cbor.text(Cbor.get(item, "elementIdentifier"));
        long digestId = Cbor.integer(Cbor.get(item, "digestID"));
        if (digestId < 0 || !digestIds.add(digestId)) {
          throw new Refusal(Reason.MALFORMED);
        }
        if (Cbor.bytes(Cbor.get(item, "random")).length < MIN_RANDOM_BYTES) {
          throw new Refusal(Reason.MALFORMED);
        }
        CBORObject expected = digests.GetOrDefault(CBORObject.FromObject(digestId), null);
        if (expected == null) {
          throw new Refusal(Reason.DIGEST_MISMATCH);
        }
        byte[] actual = digest(digestJca, Cbor.tag24(itemBytes));
        if (!MessageDigest.isEqual(actual, Cbor.bytes(expected))) {
          throw new Refusal(Reason.DIGEST_MISMATCH);
        }
        disclosed.add(new Disclosed(nameSpace, identifier, Cbor.get(item, "elementValue")));
      }
    }
    return disclosed;
  }

  /**
   * The disclosure policy (class comment, step 6) over an authentic response: NN → value of its
   * {@code age_over_NN} elements; anything else disclosed refuses the whole response.
   */
  static Map<Integer, Boolean> disclosedAges(Authentic a) throws Refusal {
    if (a.deviceNameSpaces() != 0) {
      throw new Refusal(Reason.ELEMENT_NOT_ALLOWED);
    }
    Map<Integer, Boolean> ages = new TreeMap<>();
    for (Disclosed d : a.disclosed()) {
      if (!d.nameSpace().equals(a.nameSpace())) {
        throw new Refusal(Reason.ELEMENT_NOT_ALLOWED);
      }
      Matcher m = AGE_OVER.matcher(d.identifier());
      if (!m.matches()) {
        throw new Refusal(Reason.ELEMENT_NOT_ALLOWED);
      }
      boolean value = Cbor.bool(d.value());
      if (ages.put(Integer.parseInt(m.group(1)), value) != null) {
        throw new Refusal(Reason.MALFORMED);
      }
    }
    return ages;
  }

  /** See the class comment, step 7. {@code disclosed}: NN → value, in any order. */
  static int decideAge(Map<Integer, Boolean> disclosed, int minAge) throws Refusal {
    TreeMap<Integer, Boolean> ages = new TreeMap<>(disclosed); // ascending NN: the smallest true wins
    for (Map.Entry<Integer, Boolean> t : ages.entrySet()) {
      for (Map.Entry<Integer, Boolean> f : ages.entrySet()) {
        // age_over_F = false means age < F; age_over_T = true means age >= T: F <= T contradicts.
        if (t.getValue() && !f.getValue() && f.getKey() <= t.getKey()) {
          throw new Refusal(Reason.AGE_OVER_INCONSISTENT);
        }
      }
    }
    Integer used = null;
    boolean youngerProven = false;
    for (Map.Entry<Integer, Boolean> e : ages.entrySet()) {
      if (e.getValue() && e.getKey() >= minAge && used == null) {
        used = e.getKey();
      }
      if (!e.getValue() && e.getKey() <= minAge) {
        youngerProven = true;
      }
    }
    if (used != null) {
      return used;
    }
    throw new Refusal(youngerProven ? Reason.TOO_YOUNG : Reason.AGE_OVER_MISSING);
  }

  /** {@code #6.24(bstr .cbor ["DeviceAuthentication", SessionTranscript, docType, DeviceNameSpacesBytes])}. */
  static byte[] deviceAuthenticationBytes(byte[] transcript, String docType, byte[] deviceNameSpacesBytes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0x84); // array of 4
    out.writeBytes(CBORObject.FromObject("DeviceAuthentication").EncodeToBytes());
    out.writeBytes(transcript); // the transcript's own encoding, as the check built it
    out.writeBytes(CBORObject.FromObject(docType).EncodeToBytes());
    out.writeBytes(Cbor.tag24(deviceNameSpacesBytes));
    return Cbor.tag24(out.toByteArray());
  }

  private static List<X509Certificate> x5chain(CBORObject unprotected) throws Refusal {
    CBORObject x5 = unprotected.GetOrDefault(CBORObject.FromObject(Cose.HEADER_X5CHAIN), null);
    if (x5 == null || x5.isTagged()) {
      throw new Refusal(Reason.ISSUER_CHAIN_MISSING);
    }
    List<byte[]> ders = new ArrayList<>();
    if (x5.getType() == CBORType.ByteString) {
      ders.add(x5.GetByteString());
    } else if (x5.getType() == CBORType.Array && x5.size() >= 1 && x5.size() <= MAX_CHAIN) {
      for (int i = 0; i < x5.size(); i++) {
        ders.add(Cbor.bytes(x5.get(i)));
      }
    } else {
      throw new Refusal(Reason.ISSUER_CHAIN_MISSING);
    }
    List<X509Certificate> chain = new ArrayList<>();
    try {
      CertificateFactory cf = CertificateFactory.getInstance("X.509");
      for (byte[] der : ders) {
        X509Certificate c = (X509Certificate) cf.generateCertificate(new ByteArrayInputStream(der));
        // The factory also reads PEM and ignores trailing bytes: insist on exactly one DER.
        if (!Arrays.equals(c.getEncoded(), der)) {
          throw new Refusal(Reason.ISSUER_CHAIN_MISSING);
        }
        chain.add(c);
      }
    } catch (CertificateException e) {
      throw new Refusal(Reason.ISSUER_CHAIN_MISSING);
    }
    return chain;
  }

  /** Validity of every certificate and of the IACA at {@code now}, then PKIX; the IACA used. */
  private X509Certificate validateChain(List<X509Certificate> chain, Instant now) throws Refusal {
    Date at = Date.from(now);
    for (X509Certificate c : chain) {
      checkValidity(c, at);
    }
    // A chain may include the IACA itself; PKIX wants the path without its anchor.
    List<X509Certificate> path = new ArrayList<>();
    for (X509Certificate c : chain) {
      if (!anchors.contains(c)) {
        path.add(c);
      }
    }
    if (path.isEmpty() || path.get(0) != chain.get(0)) {
      throw new Refusal(Reason.ISSUER_UNTRUSTED);
    }
    // The JDK's PKIX still accepts SHA-1 (and its disabled list spares anchors outside cacerts):
    // a chosen-prefix collision would forge a signer certificate under a real IACA.
    for (X509Certificate c : path) {
      if (!CERT_SIGNATURE_ALGS.contains(c.getSigAlgOID())) {
        throw new Refusal(Reason.ISSUER_UNTRUSTED);
      }
    }
    X509Certificate anchor;
    try {
      PKIXParameters params = new PKIXParameters(trustAnchors);
      params.setRevocationEnabled(false);
      params.setDate(at);
      PKIXCertPathValidatorResult r = (PKIXCertPathValidatorResult) CertPathValidator.getInstance("PKIX")
          .validate(CertificateFactory.getInstance("X.509").generateCertPath(path), params);
      anchor = r.getTrustAnchor().getTrustedCert();
    } catch (CertPathValidatorException e) {
      if (e.getReason() == CertPathValidatorException.BasicReason.EXPIRED
          || e.getReason() == CertPathValidatorException.BasicReason.NOT_YET_VALID) {
        throw new Refusal(Reason.ISSUER_CERT_NOT_VALID);
      }
      throw new Refusal(Reason.ISSUER_UNTRUSTED);
    } catch (InvalidAlgorithmParameterException | CertificateException | NoSuchAlgorithmException e) {
      throw new Refusal(Reason.ISSUER_UNTRUSTED);
    }
    checkValidity(anchor, at);
    return anchor;
  }

  private static void checkValidity(X509Certificate c, Date at) throws Refusal {
    try {
      c.checkValidity(at);
    } catch (CertificateExpiredException | CertificateNotYetValidException e) {
      throw new Refusal(Reason.ISSUER_CERT_NOT_VALID);
    }
  }

  private static void requireSignerUsage(X509Certificate signer) throws Refusal {
    boolean[] ku = signer.getKeyUsage();
    if (ku == null || ku.length < 1 || !ku[0]) {
      throw new Refusal(Reason.ISSUER_CERT_USAGE);
    }
    List<String> eku;
    try {
      eku = signer.getExtendedKeyUsage();
    } catch (CertificateParsingException e) {
      throw new Refusal(Reason.ISSUER_CERT_USAGE);
    }
    if (eku == null || !eku.contains(EKU_MDOC_DS)) {
      throw new Refusal(Reason.ISSUER_CERT_USAGE);
    }
  }

  /** A {@code tdate}: tag 0 around an RFC 3339 date-time. */
  private static Instant tdate(CBORObject o) throws Refusal {
    if (o == null || o.getTagCount() != 1 || !o.HasOneTag(0) || o.getType() != CBORType.TextString) {
      throw new Refusal(Reason.MALFORMED);
    }
    try {
      return OffsetDateTime.parse(o.AsString(), DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
    } catch (DateTimeParseException e) {
      throw new Refusal(Reason.MALFORMED);
    }
  }

  private static byte[] digest(String alg, byte[] data) {
    try {
      return MessageDigest.getInstance(alg).digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String sha256Hex(X509Certificate c) {
    try {
      return HexFormat.of().formatHex(digest("SHA-256", c.getEncoded()));
    } catch (CertificateEncodingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Map<String, String> defaultDocTypes() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("eu.europa.ec.av.1", "eu.europa.ec.av.1");
    m.put("org.iso.18013.5.1.mDL", "org.iso.18013.5.1");
    return java.util.Collections.unmodifiableMap(m);
  }
}
