package dev.agegate.gateway.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * DEMO ONLY: an IACA (ISO 18013-5 issuing authority CA, P-256, self-signed) that demo mode
 * trusts for mdoc document signers, so that a demo site listing {@code mso_mdoc} can start and
 * the gateway offers the Digital Credentials API ({@code digital}). No wallet anyone has holds an
 * mdoc under it: it stands in for the IACA certificates of real issuers (the EU age verification
 * app's, a state's mDL issuer), which a real gateway puts in its {@code agegate.mdoc.iaca-dir}.
 *
 * <p>Made in {@code <data-dir>/demo/} when demo mode starts, and reused while it is good:
 * {@code iaca/demo-iaca.pem} (the certificate; the folder is demo mode's
 * {@code agegate.mdoc.iaca-dir}, which must hold certificates only) and {@code iaca-key.pem}
 * (its PKCS#8 private key, mode 0600, beside the folder), so that a test or a developer can sign
 * a demo document signer under it. It is made again when either file is missing or unreadable,
 * when the two do not belong together, or when the certificate ends within 30 days. Only
 * {@link DemoSetup} (the gateway's {@code --demo}) names it; {@code application.yaml} never does.
 * Files are written to a temporary name and moved into place, so a reader never sees half a file.
 */
public final class DemoIaca {
  /** What the certificate says it is, in every place it is shown. */
  public static final String SUBJECT = "CN=agegate DEMO IACA - not for production,O=agegate demo mode,C=UT";
  static final Duration LIFETIME = Duration.ofDays(3 * 365);
  static final Duration RENEW_BEFORE = Duration.ofDays(30);
  private static final SecureRandom RANDOM = new SecureRandom();

  private DemoIaca() {}

  /** The folder holding the certificate: demo mode's {@code agegate.mdoc.iaca-dir}. */
  public static Path folder(Path dataDir) {
    return dataDir.resolve("demo").resolve("iaca");
  }

  /** The IACA's private key (PKCS#8 PEM, 0600), outside {@link #folder}. */
  public static Path keyFile(Path dataDir) {
    return dataDir.resolve("demo").resolve("iaca-key.pem");
  }

  static Path certificateFile(Path dataDir) {
    return folder(dataDir).resolve("demo-iaca.pem");
  }

  /**
   * Makes the demo IACA unless a good one is there (see the class comment).
   *
   * @return {@link #folder}
   * @throws UncheckedIOException when the files cannot be written
   */
  public static Path ensure(Path dataDir, Clock clock) {
    if (!usable(dataDir, clock.instant())) {
      make(dataDir, clock.instant());
    }
    return folder(dataDir);
  }

  /** The certificate in {@link #folder}. */
  public static X509Certificate certificate(Path dataDir) throws IOException, GeneralSecurityException {
    try (InputStream in = Files.newInputStream(certificateFile(dataDir))) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }

  /** The private key in {@link #keyFile}. */
  public static PrivateKey privateKey(Path dataDir) throws IOException, GeneralSecurityException {
    String pem = Files.readString(keyFile(dataDir), StandardCharsets.US_ASCII);
    String body = pem.replace("-----BEGIN PRIVATE KEY-----", "").replace("-----END PRIVATE KEY-----", "")
        .replaceAll("\\s", "");
    return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(body)));
  }

  /** Both files read, belong together, and the certificate is valid from now until past the renewal margin. */
  private static boolean usable(Path dataDir, Instant now) {
    try {
      X509Certificate cert = certificate(dataDir);
      PrivateKey key = privateKey(dataDir);
      if (now.isBefore(cert.getNotBefore().toInstant()) || now.plus(RENEW_BEFORE).isAfter(cert.getNotAfter().toInstant())) {
        return false;
      }
      byte[] probe = new byte[32];
      RANDOM.nextBytes(probe);
      Signature s = Signature.getInstance("SHA256withECDSA");
      s.initSign(key);
      s.update(probe);
      byte[] sig = s.sign();
      Signature v = Signature.getInstance("SHA256withECDSA");
      v.initVerify(cert.getPublicKey());
      v.update(probe);
      return v.verify(sig);
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      // missing, unreadable or foreign: made again
      return false;
    }
  }

  private static void make(Path dataDir, Instant now) {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      KeyPair keys = g.generateKeyPair();
      X500Name name = new X500Name(SUBJECT);
      X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, new BigInteger(63, RANDOM).add(BigInteger.ONE),
          Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(LIFETIME)), name, keys.getPublic());
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      b.addExtension(Extension.subjectKeyIdentifier, false, new JcaX509ExtensionUtils().createSubjectKeyIdentifier(keys.getPublic()));
      X509Certificate cert = new JcaX509CertificateConverter().getCertificate(
          b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
      Files.createDirectories(folder(dataDir));
      write(keyFile(dataDir), pem("PRIVATE KEY", keys.getPrivate().getEncoded()), true);
      write(certificateFile(dataDir), pem("CERTIFICATE", cert.getEncoded()), false);
    } catch (IOException e) {
      throw new UncheckedIOException("demo: cannot write the demo IACA in " + dataDir.resolve("demo"), e);
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException("demo: cannot make the demo IACA: " + e.getMessage(), e);
    }
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }

  /** Writes {@code text} to a temporary file beside {@code file} (0600 when {@code secret}) and moves it into place. */
  private static void write(Path file, String text, boolean secret) throws IOException {
    Path tmp;
    try {
      tmp = secret
          ? Files.createTempFile(file.getParent(), ".tmp-", ".part", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
          : Files.createTempFile(file.getParent(), ".tmp-", ".part");
    } catch (UnsupportedOperationException notPosix) {
      tmp = Files.createTempFile(file.getParent(), ".tmp-", ".part");
    }
    try {
      Files.writeString(tmp, text, StandardCharsets.US_ASCII);
      if (!secret) {
        try {
          Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
        } catch (UnsupportedOperationException notPosix) {
          // not a POSIX file system
        }
      }
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
