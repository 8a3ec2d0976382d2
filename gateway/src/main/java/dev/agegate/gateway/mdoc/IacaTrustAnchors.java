package dev.agegate.gateway.mdoc;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The IACA (issuing authority CA) certificates a gateway trusts for mdoc document signers:
 * every {@code *.pem} file of one folder, each holding one or more PEM certificates. Immutable
 * and thread-safe. Loading fails, naming the file, on a file that holds no certificate or a
 * certificate that is not a CA with keyCertSign; an empty folder is an error too (an mdoc
 * family with no anchor would refuse everyone, which is a configuration mistake). Validity is
 * not checked here but at every verification, against the verifier's clock.
 */
public final class IacaTrustAnchors {
  private final List<X509Certificate> anchors;

  private IacaTrustAnchors(List<X509Certificate> anchors) {
    this.anchors = List.copyOf(anchors);
  }

  /** The given certificates, each checked as at {@link #loadFolder}. */
  public static IacaTrustAnchors of(Collection<X509Certificate> certificates) {
    if (certificates.isEmpty()) {
      throw new IllegalArgumentException("no IACA certificate given");
    }
    for (X509Certificate c : certificates) {
      requireCa(c, "certificate " + c.getSubjectX500Principal());
    }
    return new IacaTrustAnchors(new ArrayList<>(certificates));
  }

  /**
   * Every {@code *.pem} file directly in {@code folder}.
   *
   * @throws IllegalArgumentException naming the folder or file and what is wrong with it
   */
  public static IacaTrustAnchors loadFolder(Path folder) {
    if (!Files.isDirectory(folder)) {
      throw new IllegalArgumentException("mdoc IACA folder " + folder + " is not a directory");
    }
    List<X509Certificate> certs = new ArrayList<>();
    List<Path> files;
    try (Stream<Path> s = Files.list(folder)) {
      files = s.filter(p -> p.getFileName().toString().endsWith(".pem"))
          .sorted(Comparator.comparing(Path::toString)).toList();
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot list mdoc IACA folder " + folder + ": " + e.getMessage(), e);
    }
    for (Path f : files) {
      Collection<? extends java.security.cert.Certificate> read;
      try (InputStream in = Files.newInputStream(f)) {
        read = CertificateFactory.getInstance("X.509").generateCertificates(in);
      } catch (IOException | CertificateException e) {
        throw new IllegalArgumentException("mdoc IACA file " + f + " is not PEM X.509: " + e.getMessage(), e);
      }
      if (read.isEmpty()) {
        throw new IllegalArgumentException("mdoc IACA file " + f + " holds no certificate");
      }
      for (java.security.cert.Certificate c : read) {
        X509Certificate x = (X509Certificate) c;
        requireCa(x, "mdoc IACA file " + f);
        certs.add(x);
      }
    }
    if (certs.isEmpty()) {
      throw new IllegalArgumentException("mdoc IACA folder " + folder + " holds no *.pem certificate");
    }
    return new IacaTrustAnchors(certs);
  }

  /** The anchors, in load order. */
  public List<X509Certificate> certificates() {
    return anchors;
  }

  private static void requireCa(X509Certificate c, String where) {
    boolean[] ku = c.getKeyUsage();
    if (c.getBasicConstraints() < 0 || ku == null || ku.length < 6 || !ku[5]) {
      throw new IllegalArgumentException(where + ": " + c.getSubjectX500Principal()
          + " is not a CA certificate with keyCertSign");
    }
  }
}
