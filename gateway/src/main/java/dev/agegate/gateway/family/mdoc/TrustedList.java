package dev.agegate.gateway.family.mdoc;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import javax.xml.XMLConstants;
import javax.xml.crypto.AlgorithmMethod;
import javax.xml.crypto.KeySelector;
import javax.xml.crypto.KeySelectorException;
import javax.xml.crypto.KeySelectorResult;
import javax.xml.crypto.MarshalException;
import javax.xml.crypto.XMLCryptoContext;
import javax.xml.crypto.dsig.CanonicalizationMethod;
import javax.xml.crypto.dsig.DigestMethod;
import javax.xml.crypto.dsig.Reference;
import javax.xml.crypto.dsig.SignatureMethod;
import javax.xml.crypto.dsig.Transform;
import javax.xml.crypto.dsig.XMLSignature;
import javax.xml.crypto.dsig.XMLSignatureException;
import javax.xml.crypto.dsig.XMLSignatureFactory;
import javax.xml.crypto.dsig.dom.DOMValidateContext;
import javax.xml.crypto.dsig.keyinfo.KeyInfo;
import javax.xml.crypto.dsig.keyinfo.X509Data;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Attr;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.ErrorHandler;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

/**
 * An ETSI TS 119 612 trusted list (XML) read as a source of IACA trust anchors: the X.509
 * certificates of the TSP services whose current {@code ServiceTypeIdentifier} and
 * {@code ServiceStatus} are accepted. Read once, at start, from a local file; every failure is an
 * {@link IllegalArgumentException} naming the file and what is wrong, so that a gateway told to
 * use a list never runs without it.
 *
 * <p>Checks, in this order:
 * <ol>
 *   <li>size ≤ {@link #MAX_BYTES}; XML parsed with no DTD (a DOCTYPE refuses the list, so no
 *       entity of any kind is expanded), no XInclude, no external access, secure processing;
 *   <li>root {@code TrustServiceStatusList} in namespace {@value #TSL_NS}; exactly one
 *       {@code ds:Signature} in the whole document, a child of the root;
 *   <li>SignedInfo: exclusive c14n; signature method RSA or ECDSA with SHA-256/384/512; exactly
 *       one reference with {@code URI=""} whose transforms are exactly enveloped-signature then
 *       exclusive c14n (so it covers the whole list but the signature); any other reference is a
 *       same-document {@code #id} to an element inside the signature (XAdES signed properties),
 *       with exclusive c14n only; digests SHA-256/384/512;
 *   <li>KeyInfo holds exactly one X.509 certificate, DER-equal to one of the pinned signer
 *       certificates, valid at the list's {@code ListIssueDateTime};
 *   <li>the signature and every reference verify (the JDK's XMLDSig with
 *       {@code org.jcp.xml.dsig.secureValidation} on);
 *   <li>{@code TSLVersionIdentifier} 5 or 6; {@code ListIssueDateTime} ≤ now &lt;
 *       {@code NextUpdate} (a list without a next update is closed and refused);
 *   <li>every accepted service's {@code X509Certificate} values decode to exactly one DER
 *       certificate each; at least one such certificate in the list.
 * </ol>
 * Only the document outside the signature is read after verification, and only along direct
 * children from the root, so nothing unsigned is ever taken for a service.
 */
public final class TrustedList {
  /** The TS 119 612 namespace. */
  public static final String TSL_NS = "http://uri.etsi.org/02231/v2#";
  /** Larger files are refused unread (the EU's national lists are a few MiB). */
  public static final int MAX_BYTES = 16 * 1024 * 1024;

  /**
   * Service types taken by default: the EUDI wallet ecosystem's PID provider
   * ({@code http://uri.etsi.org/Svc/Svctype/Provider/PID}, as in the EUDI reference trusted lists)
   * and the EU age verification trusted list's Proof of Age Attestation provider
   * ({@code http://ec.europa.eu/tools/lotl/av/TrstSvc/Svctype/PAA}).
   */
  public static final List<String> DEFAULT_SERVICE_TYPES = List.of(
      "http://uri.etsi.org/Svc/Svctype/Provider/PID",
      "http://ec.europa.eu/tools/lotl/av/TrstSvc/Svctype/PAA");

  /**
   * Current statuses taken by default: TS 119 612's {@code granted} and
   * {@code recognisedatnationallevel}, and the EU age verification list's {@code recognized}.
   * Withdrawn, deprecated and every other status are not taken.
   */
  public static final List<String> DEFAULT_SERVICE_STATUSES = List.of(
      "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/granted",
      "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/recognisedatnationallevel",
      "http://ec.europa.eu/tools/lotl/av/TrstSvc/TrustedList/Svcstatus/recognized");

  private static final String EXC_C14N = CanonicalizationMethod.EXCLUSIVE;
  private static final Set<String> SIGNATURE_METHODS = Set.of(
      SignatureMethod.RSA_SHA256, SignatureMethod.RSA_SHA384, SignatureMethod.RSA_SHA512,
      SignatureMethod.ECDSA_SHA256, SignatureMethod.ECDSA_SHA384, SignatureMethod.ECDSA_SHA512);
  private static final Set<String> DIGEST_METHODS = Set.of(
      DigestMethod.SHA256, DigestMethod.SHA384, DigestMethod.SHA512);

  /**
   * One accepted TSP service.
   *
   * @param name the service's first {@code ServiceName/Name}, for messages
   * @param type its {@code ServiceTypeIdentifier}
   * @param status its current {@code ServiceStatus}
   * @param certificates its {@code ServiceDigitalIdentity} certificates, in list order
   */
  public record Service(String name, String type, String status, List<X509Certificate> certificates) {
    public Service {
      certificates = List.copyOf(certificates);
    }
  }

  /**
   * A verified list.
   *
   * @param file where it was read
   * @param issued its {@code ListIssueDateTime}
   * @param nextUpdate its {@code NextUpdate}
   * @param signer the pinned certificate that signed it
   * @param services the accepted services, in list order
   */
  public record Loaded(Path file, Instant issued, Instant nextUpdate, X509Certificate signer, List<Service> services) {
    public Loaded {
      services = List.copyOf(services);
    }
  }

  private TrustedList() {}

  /**
   * Reads, verifies and filters the list in {@code file}.
   *
   * @param pinnedSigners the certificates one of which must have signed the list (the operator's pin)
   * @param serviceTypes accepted {@code ServiceTypeIdentifier} values
   * @param serviceStatuses accepted current {@code ServiceStatus} values
   * @param clock the gateway's clock, for {@code NextUpdate}
   * @throws IllegalArgumentException naming the file and the check that failed
   */
  public static Loaded load(Path file, List<X509Certificate> pinnedSigners, Set<String> serviceTypes,
      Set<String> serviceStatuses, Clock clock) {
    Objects.requireNonNull(clock, "clock");
    if (pinnedSigners.isEmpty()) {
      throw new IllegalArgumentException("trusted list " + file + ": no pinned signer certificate");
    }
    String where = "mdoc trusted list " + file;
    byte[] bytes;
    try {
      if (Files.size(file) > MAX_BYTES) {
        throw new IllegalArgumentException(where + " is larger than " + MAX_BYTES + " bytes");
      }
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new IllegalArgumentException(where + " cannot be read: " + e.getMessage(), e);
    }
    Document doc = parse(bytes, where);
    Element root = doc.getDocumentElement();
    if (!TSL_NS.equals(root.getNamespaceURI()) || !"TrustServiceStatusList".equals(root.getLocalName())) {
      throw new IllegalArgumentException(where + ": the root element is not {" + TSL_NS + "}TrustServiceStatusList");
    }
    Element scheme = onlyChild(root, TSL_NS, "SchemeInformation", where);
    Instant issued = dateTime(onlyChild(scheme, TSL_NS, "ListIssueDateTime", where), where);
    X509Certificate signer = verifySignature(doc, root, pinnedSigners, issued, where);
    checkScheme(scheme, issued, clock.instant(), where);
    Instant nextUpdate = nextUpdate(scheme, where);
    List<Service> services = services(root, serviceTypes, serviceStatuses, where);
    if (services.stream().allMatch(s -> s.certificates().isEmpty())) {
      throw new IllegalArgumentException(where + " names no certificate of a service with an accepted type "
          + serviceTypes + " and status " + serviceStatuses);
    }
    return new Loaded(file, issued, nextUpdate, signer, services);
  }

  /** A namespace-aware DOM with no DTD, no entity, no XInclude and no external access. */
  static Document parse(byte[] bytes, String where) {
    try {
      DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
      f.setNamespaceAware(true);
      f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      f.setFeature("http://xml.org/sax/features/external-general-entities", false);
      f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
      f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
      f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
      f.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
      f.setXIncludeAware(false);
      f.setExpandEntityReferences(false);
      DocumentBuilder b = f.newDocumentBuilder();
      b.setErrorHandler(new ErrorHandler() {
        @Override
        public void warning(SAXParseException e) {}

        @Override
        public void error(SAXParseException e) throws SAXException {
          throw e;
        }

        @Override
        public void fatalError(SAXParseException e) throws SAXException {
          throw e;
        }
      });
      b.setEntityResolver((publicId, systemId) -> {
        throw new SAXException("external entity " + systemId + " refused");
      });
      return b.parse(new ByteArrayInputStream(bytes));
    } catch (ParserConfigurationException e) {
      throw new IllegalStateException("the JDK's XML parser lacks a secure-parsing feature", e);
    } catch (SAXException e) {
      String m = String.valueOf(e.getMessage());
      if (m.contains("DOCTYPE")) {
        throw new IllegalArgumentException(where + " has a DOCTYPE (DTDs and entities are refused)", e);
      }
      throw new IllegalArgumentException(where + " is not well-formed XML: " + m, e);
    } catch (IOException e) {
      throw new IllegalArgumentException(where + " cannot be read: " + e.getMessage(), e);
    }
  }

  /** Checks the one enveloped signature's shape, its signer against the pin, then the cryptography. */
  private static X509Certificate verifySignature(Document doc, Element root, List<X509Certificate> pinned,
      Instant issued, String where) {
    NodeList sigs = doc.getElementsByTagNameNS(XMLSignature.XMLNS, "Signature");
    if (sigs.getLength() != 1) {
      throw new IllegalArgumentException(where + " has " + sigs.getLength() + " ds:Signature elements, not exactly one");
    }
    Element sigElement = (Element) sigs.item(0);
    if (sigElement.getParentNode() != root) {
      throw new IllegalArgumentException(where + ": the ds:Signature is not a child of TrustServiceStatusList");
    }
    PinnedKey keys = new PinnedKey(pinned);
    DOMValidateContext ctx = new DOMValidateContext(keys, sigElement);
    ctx.setProperty("org.jcp.xml.dsig.secureValidation", Boolean.TRUE);
    registerIds(sigElement, ctx, where);
    XMLSignature sig;
    try {
      sig = XMLSignatureFactory.getInstance("DOM").unmarshalXMLSignature(ctx);
    } catch (MarshalException e) {
      throw new IllegalArgumentException(where + ": the ds:Signature does not decode: " + e.getMessage(), e);
    }
    checkSignedInfo(sig, where);
    boolean valid;
    try {
      valid = sig.validate(ctx);
    } catch (XMLSignatureException e) {
      Throwable cause = e.getCause() instanceof KeySelectorException k ? k : e;
      throw new IllegalArgumentException(where + ": the signature cannot be verified: " + cause.getMessage(), e);
    }
    if (!valid) {
      boolean valueOk;
      try {
        valueOk = sig.getSignatureValue().validate(ctx);
      } catch (XMLSignatureException e) {
        valueOk = false;
      }
      List<String> bad = new ArrayList<>();
      for (Object o : sig.getSignedInfo().getReferences()) {
        Reference r = (Reference) o;
        try {
          if (!r.validate(ctx)) {
            bad.add("'" + r.getURI() + "'");
          }
        } catch (XMLSignatureException e) {
          bad.add("'" + r.getURI() + "'");
        }
      }
      throw new IllegalArgumentException(where + ": the signature does not verify ("
          + (bad.isEmpty() ? "" : "the list was changed after signing: digest of reference " + String.join(", ", bad)
              + " differs" + (valueOk ? "" : "; "))
          + (valueOk ? "" : "signature value invalid for the pinned signer's key") + ")");
    }
    X509Certificate signer = keys.selected;
    try {
      signer.checkValidity(Date.from(issued));
    } catch (CertificateExpiredException | CertificateNotYetValidException e) {
      throw new IllegalArgumentException(where + ": the signer certificate " + signer.getSubjectX500Principal()
          + " was not valid at the list's ListIssueDateTime " + issued, e);
    }
    return signer;
  }

  /**
   * Marks the {@code Id} attributes of elements inside the signature (XAdES' SignedProperties) as
   * XML IDs, so that a {@code #id} reference can resolve only to something inside the signature.
   */
  private static void registerIds(Element sigElement, DOMValidateContext ctx, String where) {
    Set<String> seen = new HashSet<>();
    NodeList all = sigElement.getElementsByTagNameNS("*", "*");
    List<Element> elements = new ArrayList<>();
    elements.add(sigElement);
    for (int i = 0; i < all.getLength(); i++) {
      elements.add((Element) all.item(i));
    }
    for (Element e : elements) {
      NamedNodeMap attrs = e.getAttributes();
      for (int i = 0; i < attrs.getLength(); i++) {
        Attr a = (Attr) attrs.item(i);
        if ("Id".equals(a.getLocalName()) && a.getNamespaceURI() == null) {
          if (!seen.add(a.getValue())) {
            throw new IllegalArgumentException(where + ": Id '" + a.getValue() + "' appears twice in the signature");
          }
          ctx.setIdAttributeNS(e, null, "Id");
        }
      }
    }
  }

  private static void checkSignedInfo(XMLSignature sig, String where) {
    var si = sig.getSignedInfo();
    if (!EXC_C14N.equals(si.getCanonicalizationMethod().getAlgorithm())) {
      throw new IllegalArgumentException(where + ": SignedInfo canonicalization "
          + si.getCanonicalizationMethod().getAlgorithm() + " is not exclusive c14n (" + EXC_C14N + ")");
    }
    if (!SIGNATURE_METHODS.contains(si.getSignatureMethod().getAlgorithm())) {
      throw new IllegalArgumentException(where + ": signature method " + si.getSignatureMethod().getAlgorithm()
          + " is not RSA or ECDSA with SHA-256/384/512");
    }
    int whole = 0;
    for (Object o : si.getReferences()) {
      Reference r = (Reference) o;
      if (!DIGEST_METHODS.contains(r.getDigestMethod().getAlgorithm())) {
        throw new IllegalArgumentException(where + ": reference '" + r.getURI() + "' digest "
            + r.getDigestMethod().getAlgorithm() + " is not SHA-256/384/512");
      }
      List<String> transforms = new ArrayList<>();
      for (Object t : r.getTransforms()) {
        transforms.add(((Transform) t).getAlgorithm());
      }
      String uri = r.getURI();
      if ("".equals(uri)) {
        if (!transforms.equals(List.of(Transform.ENVELOPED, EXC_C14N))) {
          throw new IllegalArgumentException(where + ": the whole-document reference's transforms " + transforms
              + " are not exactly [enveloped-signature, exclusive c14n]");
        }
        whole++;
      } else if (uri != null && uri.startsWith("#") && uri.length() > 1 && uri.indexOf('(') < 0) {
        if (!transforms.isEmpty() && !transforms.equals(List.of(EXC_C14N))) {
          throw new IllegalArgumentException(where + ": reference '" + uri + "' has transforms " + transforms
              + " (only exclusive c14n is accepted)");
        }
      } else {
        throw new IllegalArgumentException(where + ": reference URI '" + uri
            + "' is neither \"\" (the whole list) nor a #id inside the signature");
      }
    }
    if (whole != 1) {
      throw new IllegalArgumentException(where + " has " + whole
          + " references with URI \"\" (the whole list), not exactly one");
    }
  }

  /** Selects the KeyInfo's one certificate's key, only when that certificate is a pinned one. */
  private static final class PinnedKey extends KeySelector {
    private final List<X509Certificate> pinned;
    private volatile X509Certificate selected;

    PinnedKey(List<X509Certificate> pinned) {
      this.pinned = List.copyOf(pinned);
    }

    @Override
    public KeySelectorResult select(KeyInfo keyInfo, Purpose purpose, AlgorithmMethod method, XMLCryptoContext context)
        throws KeySelectorException {
      if (keyInfo == null) {
        throw new KeySelectorException("the signature has no KeyInfo with the signer's certificate");
      }
      List<X509Certificate> certs = new ArrayList<>();
      for (Object o : keyInfo.getContent()) {
        if (o instanceof X509Data d) {
          for (Object x : d.getContent()) {
            if (x instanceof X509Certificate c) {
              certs.add(c);
            }
          }
        }
      }
      if (certs.size() != 1) {
        throw new KeySelectorException("KeyInfo holds " + certs.size() + " X.509 certificates, not exactly one");
      }
      X509Certificate c = certs.get(0);
      for (X509Certificate p : pinned) {
        if (derEquals(p, c)) {
          selected = p;
          Key k = p.getPublicKey();
          return () -> k;
        }
      }
      throw new KeySelectorException("the list is signed by " + c.getSubjectX500Principal()
          + ", which is not a pinned trusted-list signer");
    }
  }

  private static boolean derEquals(X509Certificate a, X509Certificate b) {
    try {
      return Arrays.equals(a.getEncoded(), b.getEncoded());
    } catch (CertificateEncodingException e) {
      return false;
    }
  }

  private static void checkScheme(Element scheme, Instant issued, Instant now, String where) {
    String version = text(onlyChild(scheme, TSL_NS, "TSLVersionIdentifier", where));
    if (!version.equals("5") && !version.equals("6")) {
      throw new IllegalArgumentException(where + ": TSLVersionIdentifier " + version + " is not 5 or 6");
    }
    if (issued.isAfter(now)) {
      throw new IllegalArgumentException(where + ": ListIssueDateTime " + issued + " is after the gateway's now " + now);
    }
    Instant next = nextUpdate(scheme, where);
    if (!now.isBefore(next)) {
      throw new IllegalArgumentException(where + " is stale: its NextUpdate " + next + " is not after the gateway's now "
          + now + " (fetch the current list; the gateway does not run on a stale one)");
    }
  }

  private static Instant nextUpdate(Element scheme, String where) {
    Element next = onlyChild(scheme, TSL_NS, "NextUpdate", where);
    List<Element> dt = children(next, TSL_NS, "dateTime");
    if (dt.isEmpty()) {
      throw new IllegalArgumentException(where + " is closed (NextUpdate has no dateTime): it lists nothing current");
    }
    if (dt.size() > 1) {
      throw new IllegalArgumentException(where + ": NextUpdate has " + dt.size() + " dateTime elements");
    }
    return dateTime(dt.get(0), where);
  }

  private static List<Service> services(Element root, Set<String> types, Set<String> statuses, String where) {
    List<Service> out = new ArrayList<>();
    List<Element> lists = children(root, TSL_NS, "TrustServiceProviderList");
    if (lists.size() > 1) {
      throw new IllegalArgumentException(where + " has " + lists.size() + " TrustServiceProviderList elements");
    }
    if (lists.isEmpty()) {
      return out;
    }
    for (Element tsp : children(lists.get(0), TSL_NS, "TrustServiceProvider")) {
      Element tspServices = onlyChild(tsp, TSL_NS, "TSPServices", where);
      for (Element svc : children(tspServices, TSL_NS, "TSPService")) {
        Element info = onlyChild(svc, TSL_NS, "ServiceInformation", where);
        String type = text(onlyChild(info, TSL_NS, "ServiceTypeIdentifier", where));
        String status = text(onlyChild(info, TSL_NS, "ServiceStatus", where));
        if (!types.contains(type) || !statuses.contains(status)) {
          continue;
        }
        String name = serviceName(info);
        Element identity = onlyChild(info, TSL_NS, "ServiceDigitalIdentity", where);
        List<X509Certificate> certs = new ArrayList<>();
        for (Element id : children(identity, TSL_NS, "DigitalId")) {
          for (Element x : children(id, TSL_NS, "X509Certificate")) {
            certs.add(certificate(x, where + ", service '" + name + "'"));
          }
        }
        out.add(new Service(name, type, status, certs));
      }
    }
    return out;
  }

  private static String serviceName(Element info) {
    for (Element n : children(info, TSL_NS, "ServiceName")) {
      for (Element name : children(n, TSL_NS, "Name")) {
        return text(name);
      }
    }
    return "(no name)";
  }

  private static X509Certificate certificate(Element x, String where) {
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(text(x));
      if (der.length == 0) {
        throw new IllegalArgumentException("empty");
      }
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + ": an X509Certificate is not base64", e);
    }
    try {
      X509Certificate c = (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(der));
      // The factory also reads PEM and ignores trailing bytes: insist on exactly one DER.
      if (!Arrays.equals(c.getEncoded(), der)) {
        throw new IllegalArgumentException(where + ": an X509Certificate is not exactly one DER certificate");
      }
      return c;
    } catch (CertificateException e) {
      throw new IllegalArgumentException(where + ": an X509Certificate does not decode: " + e.getMessage(), e);
    }
  }

  private static Instant dateTime(Element e, String where) {
    String v = text(e);
    try {
      return OffsetDateTime.parse(v).toInstant();
    } catch (DateTimeParseException x) {
      throw new IllegalArgumentException(where + ": " + e.getLocalName() + " '" + v
          + "' is not an xsd:dateTime with a time zone", x);
    }
  }

  private static String text(Element e) {
    return e.getTextContent().strip();
  }

  private static Element onlyChild(Element parent, String ns, String name, String where) {
    List<Element> c = children(parent, ns, name);
    if (c.size() != 1) {
      throw new IllegalArgumentException(where + ": " + parent.getLocalName() + " has " + c.size() + " " + name
          + " elements, not exactly one");
    }
    return c.get(0);
  }

  private static List<Element> children(Element parent, String ns, String name) {
    List<Element> out = new ArrayList<>();
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && ns.equals(e.getNamespaceURI()) && name.equals(e.getLocalName())) {
        out.add(e);
      }
    }
    return out;
  }
}
