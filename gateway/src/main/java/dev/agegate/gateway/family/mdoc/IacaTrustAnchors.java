package dev.agegate.gateway.family.mdoc;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The IACA (issuing authority CA) certificates a gateway trusts for mdoc document signers:
 * every {@code *.pem} file of one folder, each holding one or more PEM certificates. Immutable
 * and thread-safe. Loading fails, naming the file, on a file that holds no certificate or a
 * certificate that is not a CA with keyCertSign; an empty folder is an error too (an mdoc
 * family with no anchor would refuse everyone, which is a configuration mistake). Validity is
 * not checked here but at every verification, against the verifier's clock.
 *
 * <p>Each anchor carries an assurance level (1..4) from trust configuration and its origin; a
 * trusted list's anchors also carry the list's NextUpdate, after which they no longer vouch
 * ({@link MdocSettings}, {@link TrustedList}).
 */
public final class IacaTrustAnchors {
  /** The assurance level of an IACA that trust configuration does not name. */
  public static final int DEFAULT_ASSURANCE = 1;

  private final List<X509Certificate> anchors;
  private final Map<String, Anchor> bySha256;

  /**
   * One trust anchor with what trust configuration says of it.
   *
   * @param certificate the IACA certificate (a CA with keyCertSign)
   * @param origin where it came from, for messages and logs (a PEM file name, or a trusted list's
   *     file and service)
   * @param assurance the assurance level 1..4 of attestations it vouches for (the age token's
   *     {@code assurance})
   * @param usableUntil when its source stops vouching for it (a trusted list's NextUpdate), or
   *     null for an anchor the operator placed (a PEM file)
   */
  public record Anchor(X509Certificate certificate, String origin, int assurance, Instant usableUntil) {
    public Anchor {
      Objects.requireNonNull(certificate, "certificate");
      Objects.requireNonNull(origin, "origin");
      if (assurance < 1 || assurance > 4) {
        throw new IllegalArgumentException(origin + ": assurance level " + assurance + " is not 1..4");
      }
      requireCa(certificate, origin);
    }

    /** Lower-case hex SHA-256 of the certificate's DER ({@link MdocResult.Issuer#iacaSha256()}). */
    public String sha256() {
      return sha256Hex(certificate);
    }

    /** Whether its source no longer vouches for it at {@code now} (a trusted list past NextUpdate). */
    public boolean staleAt(Instant now) {
      return usableUntil != null && !now.isBefore(usableUntil);
    }
  }

  private IacaTrustAnchors(List<Anchor> list) {
    Map<String, Anchor> m = new LinkedHashMap<>();
    for (Anchor a : list) {
      // The same certificate twice (a PEM file and a trusted list): the first, the operator's, holds.
      m.putIfAbsent(a.sha256(), a);
    }
    this.bySha256 = java.util.Collections.unmodifiableMap(m);
    this.anchors = m.values().stream().map(Anchor::certificate).toList();
  }

  /** The given certificates, each checked as at {@link #loadFolder}, at {@link #DEFAULT_ASSURANCE}. */
  public static IacaTrustAnchors of(Collection<X509Certificate> certificates) {
    if (certificates.isEmpty()) {
      throw new IllegalArgumentException("no IACA certificate given");
    }
    List<Anchor> list = new ArrayList<>();
    for (X509Certificate c : certificates) {
      list.add(new Anchor(c, "certificate " + c.getSubjectX500Principal(), DEFAULT_ASSURANCE, null));
    }
    return new IacaTrustAnchors(list);
  }

  /**
   * The given anchors (a certificate given twice counts once, as first given).
   *
   * @throws IllegalArgumentException when there is none
   */
  public static IacaTrustAnchors ofAnchors(List<Anchor> anchors) {
    if (anchors.isEmpty()) {
      throw new IllegalArgumentException("no mdoc IACA trust anchor configured");
    }
    return new IacaTrustAnchors(anchors);
  }

  /**
   * Every {@code *.pem} file directly in {@code folder}, at {@link #DEFAULT_ASSURANCE}.
   *
   * @throws IllegalArgumentException naming the folder or file and what is wrong with it
   */
  public static IacaTrustAnchors loadFolder(Path folder) {
    List<Anchor> list = new ArrayList<>();
    loadFolderByFile(folder).forEach((file, certs) -> {
      for (X509Certificate c : certs) {
        list.add(new Anchor(c, "mdoc IACA file " + folder.resolve(file), DEFAULT_ASSURANCE, null));
      }
    });
    return new IacaTrustAnchors(list);
  }

  /**
   * The certificates of every {@code *.pem} file directly in {@code folder}, by file name in name
   * order, each checked to be a CA with keyCertSign.
   *
   * @throws IllegalArgumentException naming the folder or file and what is wrong with it
   */
  public static Map<String, List<X509Certificate>> loadFolderByFile(Path folder) {
    if (!Files.isDirectory(folder)) {
      throw new IllegalArgumentException("mdoc IACA folder " + folder + " is not a directory");
    }
    Map<String, List<X509Certificate>> byFile = new LinkedHashMap<>();
    List<Path> files;
    try (Stream<Path> s = Files.list(folder)) {
      files = s.filter(p -> p.getFileName().toString().endsWith(".pem"))
          .sorted(Comparator.comparing(Path::toString)).toList();
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot list mdoc IACA folder " + folder + ": " + e.getMessage(), e);
    }
    for (Path f : files) {
      List<X509Certificate> certs = readPem(f, "mdoc IACA file " + f);
      for (X509Certificate x : certs) {
        requireCa(x, "mdoc IACA file " + f);
      }
      byFile.put(f.getFileName().toString(), certs);
    }
    if (byFile.isEmpty()) {
      throw new IllegalArgumentException("mdoc IACA folder " + folder + " holds no *.pem certificate");
    }
    return byFile;
  }

  /**
   * Every certificate of one PEM file (at least one).
   *
   * @param where names the file in messages
   * @throws IllegalArgumentException when it cannot be read, is not PEM X.509, or holds none
   */
  public static List<X509Certificate> readPem(Path file, String where) {
    Collection<? extends java.security.cert.Certificate> read;
    try (InputStream in = Files.newInputStream(file)) {
      read = CertificateFactory.getInstance("X.509").generateCertificates(in);
    } catch (IOException | CertificateException e) {
      throw new IllegalArgumentException(where + " is not PEM X.509: " + e.getMessage(), e);
    }
    if (read.isEmpty()) {
      throw new IllegalArgumentException(where + " holds no certificate");
    }
    List<X509Certificate> out = new ArrayList<>();
    for (java.security.cert.Certificate c : read) {
      out.add((X509Certificate) c);
    }
    return out;
  }

  /** The anchors, in load order. */
  public List<X509Certificate> certificates() {
    return anchors;
  }

  /** The anchors with their assurance and origin, in load order. */
  public List<Anchor> anchors() {
    return List.copyOf(bySha256.values());
  }

  /** The anchor whose DER has SHA-256 {@code sha256Hex} (lower-case hex), if it is one of these. */
  public Optional<Anchor> anchor(String sha256Hex) {
    return Optional.ofNullable(bySha256.get(sha256Hex));
  }

  /** Lower-case hex SHA-256 of a certificate's DER. */
  static String sha256Hex(X509Certificate c) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(c.getEncoded()));
    } catch (CertificateEncodingException | NoSuchAlgorithmException e) {
      throw new IllegalStateException("cannot hash a certificate", e);
    }
  }

  private static void requireCa(X509Certificate c, String where) {
    boolean[] ku = c.getKeyUsage();
    if (c.getBasicConstraints() < 0 || ku == null || ku.length < 6 || !ku[5]) {
      throw new IllegalArgumentException(where + ": " + c.getSubjectX500Principal()
          + " is not a CA certificate with keyCertSign");
    }
  }
}
