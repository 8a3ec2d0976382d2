package dev.agegate.gateway.mdoc;

import io.helidon.config.Config;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The {@code agegate.mdoc} settings: where the IACA trust anchors are and which docTypes (each
 * with the namespace of its {@code age_over_NN}) are accepted. The mdoc family is off when
 * {@code agegate.mdoc.iaca-dir} is not set.
 *
 * <pre>
 * agegate:
 *   mdoc:
 *     iaca-dir: /etc/agegate/iaca        # every *.pem in it is an IACA trust anchor
 *     doctypes:                          # default: these two
 *       - doctype: eu.europa.ec.av.1
 *         namespace: eu.europa.ec.av.1
 *       - doctype: org.iso.18013.5.1.mDL
 *         namespace: org.iso.18013.5.1
 * </pre>
 *
 * @param iacaDir the folder read by {@link IacaTrustAnchors#loadFolder}
 * @param docTypes docType → namespace, in configuration order
 */
public record MdocSettings(Path iacaDir, Map<String, String> docTypes) {
  /** A docType or namespace: dot-separated labels of letters, digits, '_' and '-'. */
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*");

  public MdocSettings {
    docTypes = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(docTypes));
  }

  /**
   * Reads {@code agegate.mdoc} from {@code root}; empty when {@code iaca-dir} is not set.
   *
   * @throws IllegalArgumentException naming the key, for an invalid value
   */
  public static Optional<MdocSettings> from(Config root) {
    Config c = root.get("agegate.mdoc");
    Optional<String> dir = c.get("iaca-dir").asString().asOptional().filter(s -> !s.isBlank());
    if (dir.isEmpty()) {
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
    return Optional.of(new MdocSettings(Path.of(dir.get()), docTypes));
  }

  /** Loads the trust anchors (failing as {@link IacaTrustAnchors#loadFolder} does) into a verifier. */
  public MdocVerifier verifier(Clock clock) {
    return new MdocVerifier(IacaTrustAnchors.loadFolder(iacaDir), docTypes, clock);
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
