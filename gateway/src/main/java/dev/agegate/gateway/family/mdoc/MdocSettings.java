package dev.agegate.gateway.family.mdoc;

import io.helidon.config.Config;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * The {@code agegate.mdoc} settings: where the IACA trust anchors are (a folder of PEM files
 * and/or an ETSI TS 119 612 trusted list), each anchor's assurance level, and which docTypes
 * (each with the namespace of its {@code age_over_NN}) are accepted. The mdoc family is off when
 * neither {@code iaca-dir} nor {@code trusted-list.file} is set.
 *
 * <pre>
 * agegate:
 *   mdoc:
 *     iaca-dir: /etc/agegate/iaca        # every *.pem in it is an IACA trust anchor
 *     default-assurance: 1               # the level of an IACA not named below (default 1)
 *     assurance:                         # per IACA: a file name in iaca-dir or the certificate's SHA-256 (hex)
 *       - iaca: de-pid.pem
 *         level: 3
 *     trusted-list:                      # a second source of IACAs (read once, at start)
 *       file: /etc/agegate/av-tl.xml     # the signed TS 119 612 XML
 *       signer: /etc/agegate/tl-signer.pem   # the pinned signer certificate(s), PEM
 *       service-types: [...]             # default TrustedList.DEFAULT_SERVICE_TYPES
 *       service-statuses: [...]          # default TrustedList.DEFAULT_SERVICE_STATUSES
 *       assurance: 2                     # the level of the list's IACAs (default: default-assurance)
 *     doctypes:                          # default: these two
 *       - doctype: eu.europa.ec.av.1
 *         namespace: eu.europa.ec.av.1
 *       - doctype: org.iso.18013.5.1.mDL
 *         namespace: org.iso.18013.5.1
 * </pre>
 *
 * @param iacaDir the folder read by {@link IacaTrustAnchors#loadFolderByFile}, or null
 * @param docTypes docType → namespace, in configuration order
 * @param defaultAssurance the level of an IACA that {@code assurance} does not name, 1..4
 * @param assurance file name (in {@code iacaDir}) or lower-case hex SHA-256 → level 1..4
 * @param trustedList the trusted list, or null
 */
public record MdocSettings(Path iacaDir, Map<String, String> docTypes, int defaultAssurance,
    Map<String, Integer> assurance, TrustedListSettings trustedList) {
  private static final Logger LOG = Logger.getLogger(MdocSettings.class.getName());
  /** A docType or namespace: dot-separated labels of letters, digits, '_' and '-'. */
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*");
  private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

  /**
   * The {@code agegate.mdoc.trusted-list} settings.
   *
   * @param file the signed TS 119 612 XML file
   * @param signer the PEM file of the pinned signer certificate(s)
   * @param serviceTypes accepted ServiceTypeIdentifier values
   * @param serviceStatuses accepted current ServiceStatus values
   * @param assurance the level of the list's IACAs that {@code agegate.mdoc.assurance} does not name
   */
  public record TrustedListSettings(Path file, Path signer, Set<String> serviceTypes, Set<String> serviceStatuses,
      int assurance) {
    public TrustedListSettings {
      serviceTypes = java.util.Collections.unmodifiableSet(new LinkedHashSet<>(serviceTypes));
      serviceStatuses = java.util.Collections.unmodifiableSet(new LinkedHashSet<>(serviceStatuses));
    }
  }

  public MdocSettings {
    docTypes = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(docTypes));
    assurance = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(assurance));
    if (iacaDir == null && trustedList == null) {
      throw new IllegalArgumentException("agegate.mdoc needs iaca-dir or trusted-list.file");
    }
  }

  /** A PEM folder only, every IACA at {@link IacaTrustAnchors#DEFAULT_ASSURANCE}. */
  public MdocSettings(Path iacaDir, Map<String, String> docTypes) {
    this(iacaDir, docTypes, IacaTrustAnchors.DEFAULT_ASSURANCE, Map.of(), null);
  }

  /**
   * Reads {@code agegate.mdoc} from {@code root}; empty when neither {@code iaca-dir} nor
   * {@code trusted-list.file} is set.
   *
   * @throws IllegalArgumentException naming the key, for an invalid value
   */
  public static Optional<MdocSettings> from(Config root) {
    Config c = root.get("agegate.mdoc");
    Optional<String> dir = c.get("iaca-dir").asString().asOptional().filter(s -> !s.isBlank());
    Optional<String> tlFile = c.get("trusted-list.file").asString().asOptional().filter(s -> !s.isBlank());
    if (dir.isEmpty() && tlFile.isEmpty()) {
      return Optional.empty();
    }
    Map<String, String> docTypes = new LinkedHashMap<>();
    List<Config> nodes = c.get("doctypes").asNodeList().orElse(List.of());
    if (nodes.isEmpty()) {
      docTypes.putAll(MdocVerifier.DEFAULT_DOCTYPES);
    }
    for (Config n : nodes) {
      String docType = name(n, "doctype");
      String nameSpace = name(n, "namespace");
      if (docTypes.put(docType, nameSpace) != null) {
        throw new IllegalArgumentException(n.get("doctype").key() + ": '" + docType + "' is listed twice");
      }
    }
    int defaultLevel = level(c.get("default-assurance"), IacaTrustAnchors.DEFAULT_ASSURANCE);
    Map<String, Integer> levels = new LinkedHashMap<>();
    for (Config n : c.get("assurance").asNodeList().orElse(List.of())) {
      String iaca = n.get("iaca").asString().orElseThrow(
          () -> new IllegalArgumentException(n.get("iaca").key() + " is required (a file name in iaca-dir"
              + " or the IACA certificate's SHA-256 in hex)"));
      String key = SHA256_HEX.matcher(iaca.toLowerCase(java.util.Locale.ROOT)).matches()
          ? iaca.toLowerCase(java.util.Locale.ROOT) : iaca;
      if (!n.get("level").exists()) {
        throw new IllegalArgumentException(n.get("level").key() + " is required (1..4)");
      }
      if (levels.put(key, level(n.get("level"), 0)) != null) {
        throw new IllegalArgumentException(n.get("iaca").key() + ": '" + iaca + "' is listed twice");
      }
    }
    TrustedListSettings tl = null;
    if (tlFile.isPresent()) {
      Config t = c.get("trusted-list");
      String signer = t.get("signer").asString().asOptional().filter(s -> !s.isBlank()).orElseThrow(
          () -> new IllegalArgumentException(t.get("signer").key() + " is required with " + t.get("file").key()
              + ": the PEM certificate(s) of the list's signer, which the gateway pins"));
      tl = new TrustedListSettings(Path.of(tlFile.get()), Path.of(signer),
          uris(t.get("service-types"), TrustedList.DEFAULT_SERVICE_TYPES),
          uris(t.get("service-statuses"), TrustedList.DEFAULT_SERVICE_STATUSES),
          level(t.get("assurance"), defaultLevel));
    }
    return Optional.of(new MdocSettings(dir.map(Path::of).orElse(null), docTypes, defaultLevel, levels, tl));
  }

  /**
   * Loads the trust anchors (failing as {@link #anchors} does) into a verifier.
   *
   * @throws IllegalArgumentException naming what is wrong, so that the gateway does not start
   */
  public MdocVerifier verifier(Clock clock) {
    return new MdocVerifier(anchors(clock), docTypes, clock);
  }

  /**
   * The PEM folder's IACAs, then the trusted list's, each with its assurance level: the entry of
   * {@code assurance} naming its file or SHA-256, else the trusted list's {@code assurance} for a
   * list IACA, else {@code default-assurance}.
   *
   * @throws IllegalArgumentException for a PEM file or list that does not load
   *     ({@link IacaTrustAnchors#loadFolderByFile}, {@link TrustedList#load}), a listed certificate
   *     that is not a CA with keyCertSign, or an {@code assurance} entry that names no IACA
   */
  public IacaTrustAnchors anchors(Clock clock) {
    List<IacaTrustAnchors.Anchor> list = new ArrayList<>();
    Set<String> used = new HashSet<>();
    if (iacaDir != null) {
      IacaTrustAnchors.loadFolderByFile(iacaDir).forEach((file, certs) -> {
        for (X509Certificate cert : certs) {
          String sha = IacaTrustAnchors.sha256Hex(cert);
          Integer level = assurance.containsKey(sha) ? assurance.get(sha) : assurance.get(file);
          used.add(sha);
          used.add(file);
          list.add(new IacaTrustAnchors.Anchor(cert, "mdoc IACA file " + iacaDir.resolve(file),
              level == null ? defaultAssurance : level, null));
        }
      });
    }
    if (trustedList != null) {
      List<X509Certificate> pinned = IacaTrustAnchors.readPem(trustedList.signer(),
          "agegate.mdoc.trusted-list.signer " + trustedList.signer());
      TrustedList.Loaded loaded = TrustedList.load(trustedList.file(), pinned, trustedList.serviceTypes(),
          trustedList.serviceStatuses(), clock);
      int n = 0;
      for (TrustedList.Service svc : loaded.services()) {
        for (X509Certificate cert : svc.certificates()) {
          String sha = IacaTrustAnchors.sha256Hex(cert);
          used.add(sha);
          Integer level = assurance.get(sha);
          list.add(new IacaTrustAnchors.Anchor(cert, "mdoc trusted list " + trustedList.file() + ", service '"
              + svc.name() + "'", level == null ? trustedList.assurance() : level, loaded.nextUpdate()));
          n++;
        }
      }
      LOG.info("mdoc trusted list " + trustedList.file() + ": signed by " + loaded.signer().getSubjectX500Principal()
          + ", issued " + loaded.issued() + ", next update " + loaded.nextUpdate() + ", " + n + " IACA certificate(s)");
    }
    for (String key : assurance.keySet()) {
      if (!used.contains(key)) {
        throw new IllegalArgumentException("agegate.mdoc.assurance: '" + key + "' names no loaded IACA (a *.pem"
            + " file name in iaca-dir or the lower-case hex SHA-256 of an IACA certificate's DER)");
      }
    }
    return IacaTrustAnchors.ofAnchors(list);
  }

  private static int level(Config n, int dflt) {
    if (!n.exists()) {
      return dflt;
    }
    int v;
    try {
      v = n.asInt().get();
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(n.key() + " is not an integer 1..4", e);
    }
    if (v < 1 || v > 4) {
      throw new IllegalArgumentException(n.key() + ": " + v + " is not an assurance level 1..4");
    }
    return v;
  }

  private static Set<String> uris(Config n, List<String> dflt) {
    if (!n.exists()) {
      return new LinkedHashSet<>(dflt);
    }
    List<String> v = n.asList(String.class).get();
    if (v.isEmpty() || v.stream().anyMatch(String::isBlank)) {
      throw new IllegalArgumentException(n.key() + " must list at least one URI, none blank");
    }
    return new LinkedHashSet<>(v);
  }

  private static String name(Config n, String key) {
    String v = n.get(key).asString().orElseThrow(
        () -> new IllegalArgumentException(n.get(key).key() + " is required"));
    if (!NAME.matcher(v).matches()) {
      throw new IllegalArgumentException(n.get(key).key() + ": '" + v + "' is not a docType/namespace name");
    }
    return v;
  }
}
