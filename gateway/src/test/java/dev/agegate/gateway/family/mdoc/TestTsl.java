package dev.agegate.gateway.family.mdoc;

import java.io.ByteArrayInputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.xml.crypto.dsig.CanonicalizationMethod;
import javax.xml.crypto.dsig.DigestMethod;
import javax.xml.crypto.dsig.Reference;
import javax.xml.crypto.dsig.SignatureMethod;
import javax.xml.crypto.dsig.SignedInfo;
import javax.xml.crypto.dsig.Transform;
import javax.xml.crypto.dsig.XMLSignatureFactory;
import javax.xml.crypto.dsig.dom.DOMSignContext;
import javax.xml.crypto.dsig.keyinfo.KeyInfoFactory;
import javax.xml.crypto.dsig.spec.C14NMethodParameterSpec;
import javax.xml.crypto.dsig.spec.TransformParameterSpec;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.w3c.dom.Document;

/**
 * ETSI TS 119 612 trusted lists built in test code and signed with the JDK's XMLDSig (enveloped,
 * exclusive c14n, ECDSA-SHA256) by a BouncyCastle-issued test certificate ({@link TestPki}).
 */
public final class TestTsl {
  public static final String PID = TrustedList.DEFAULT_SERVICE_TYPES.get(0);
  public static final String PAA = TrustedList.DEFAULT_SERVICE_TYPES.get(1);
  public static final String GRANTED = TrustedList.DEFAULT_SERVICE_STATUSES.get(0);
  public static final String WITHDRAWN = "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/withdrawn";

  /** One TSP service: its name, ServiceTypeIdentifier, ServiceStatus and certificates. */
  public record Svc(String name, String type, String status, List<X509Certificate> certs) {}

  private TestTsl() {}

  /** The unsigned list: one TSP holding {@code services}. */
  public static String xml(Instant issued, Instant nextUpdate, List<Svc> services) {
    StringBuilder s = new StringBuilder();
    s.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    s.append("<TrustServiceStatusList xmlns=\"http://uri.etsi.org/02231/v2#\" Id=\"TSL\""
        + " TSLTag=\"http://uri.etsi.org/19612/TSLTag\">\n");
    s.append("  <SchemeInformation>\n    <TSLVersionIdentifier>6</TSLVersionIdentifier>\n")
        .append("    <TSLSequenceNumber>1</TSLSequenceNumber>\n")
        .append("    <TSLType>http://ec.europa.eu/tools/lotl/av/TrstSvc/TrustedList/TSLType/AVTL</TSLType>\n")
        .append("    <SchemeOperatorName><Name xml:lang=\"en\">Test operator</Name></SchemeOperatorName>\n")
        .append("    <ListIssueDateTime>").append(issued).append("</ListIssueDateTime>\n")
        .append("    <NextUpdate>");
    if (nextUpdate != null) {
      s.append("<dateTime>").append(nextUpdate).append("</dateTime>");
    }
    s.append("</NextUpdate>\n  </SchemeInformation>\n");
    s.append("  <TrustServiceProviderList>\n    <TrustServiceProvider>\n")
        .append("      <TSPInformation><TSPName><Name xml:lang=\"en\">Test TSP</Name></TSPName></TSPInformation>\n")
        .append("      <TSPServices>\n");
    for (Svc v : services) {
      s.append("        <TSPService><ServiceInformation>\n")
          .append("          <ServiceTypeIdentifier>").append(v.type()).append("</ServiceTypeIdentifier>\n")
          .append("          <ServiceName><Name xml:lang=\"en\">").append(v.name()).append("</Name></ServiceName>\n")
          .append("          <ServiceDigitalIdentity>\n");
      for (X509Certificate c : v.certs()) {
        s.append("            <DigitalId><X509Certificate>").append(b64(c)).append("</X509Certificate></DigitalId>\n");
      }
      s.append("          </ServiceDigitalIdentity>\n")
          .append("          <ServiceStatus>").append(v.status()).append("</ServiceStatus>\n")
          .append("          <StatusStartingTime>2025-01-01T00:00:00Z</StatusStartingTime>\n")
          .append("        </ServiceInformation></TSPService>\n");
    }
    s.append("      </TSPServices>\n    </TrustServiceProvider>\n  </TrustServiceProviderList>\n");
    s.append("</TrustServiceStatusList>\n");
    return s.toString();
  }

  /** {@code xml} signed as TS 119 612 asks: one enveloped signature over the whole list. */
  public static String sign(String xml, TestPki.Issued signer) throws Exception {
    XMLSignatureFactory f = XMLSignatureFactory.getInstance("DOM");
    return sign(xml, signer, List.of(f.newTransform(Transform.ENVELOPED, (TransformParameterSpec) null),
        f.newTransform(CanonicalizationMethod.EXCLUSIVE, (TransformParameterSpec) null)), "");
  }

  /** {@code xml} signed with one reference {@code uri} with {@code transforms}. */
  public static String sign(String xml, TestPki.Issued signer, List<Transform> transforms, String uri) throws Exception {
    DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
    dbf.setNamespaceAware(true);
    Document doc = dbf.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    XMLSignatureFactory f = XMLSignatureFactory.getInstance("DOM");
    Reference ref = f.newReference(uri, f.newDigestMethod(DigestMethod.SHA256, null), new ArrayList<>(transforms), null, null);
    SignedInfo si = f.newSignedInfo(
        f.newCanonicalizationMethod(CanonicalizationMethod.EXCLUSIVE, (C14NMethodParameterSpec) null),
        f.newSignatureMethod(SignatureMethod.ECDSA_SHA256, null), List.of(ref));
    KeyInfoFactory kif = f.getKeyInfoFactory();
    DOMSignContext ctx = new DOMSignContext(signer.key(), doc.getDocumentElement());
    ctx.setDefaultNamespacePrefix("ds");
    if (!uri.isEmpty()) {
      ctx.setIdAttributeNS(doc.getDocumentElement(), null, "Id");
    }
    f.newXMLSignature(si, kif.newKeyInfo(List.of(kif.newX509Data(List.of(signer.cert()))))).sign(ctx);
    StringWriter w = new StringWriter();
    TransformerFactory.newInstance().newTransformer().transform(new DOMSource(doc), new StreamResult(w));
    return w.toString();
  }

  public static String b64(X509Certificate c) {
    try {
      return Base64.getEncoder().encodeToString(c.getEncoded());
    } catch (java.security.cert.CertificateEncodingException e) {
      throw new IllegalStateException(e);
    }
  }
}
