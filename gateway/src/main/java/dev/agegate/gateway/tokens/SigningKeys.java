package dev.agegate.gateway.tokens;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;

/**
 * The gateway's ES256 (EC P-256) signing keys: the newest signs, all are published in the JWKS.
 *
 * <p>Either loaded from PEM files ({@code agegate.tokens.signing-keys}, newest first; PKCS#8 or
 * SEC1 private keys), or generated on first start into {@code <data-dir>/signing-keys/} and
 * rotated there: when the newest is older than {@code rotate-after}, a new one is made; an old
 * key stays in the JWKS for one more rotation period (far longer than any token lives) and is
 * then deleted. The key id is the RFC 7638 thumbprint. Thread-safe.
 */
public final class SigningKeys {
  private static final Logger LOG = Logger.getLogger(SigningKeys.class.getName());

  private record Key(ECKey jwk, ECDSASigner signer, Instant created) {}

  private final Path dir;
  private final Duration rotateAfter;
  private final Clock clock;
  private final boolean fromPem;
  private volatile List<Key> keys;

  private SigningKeys(Path dir, Duration rotateAfter, Clock clock, boolean fromPem, List<Key> keys) {
    this.dir = dir;
    this.rotateAfter = rotateAfter;
    this.clock = clock;
    this.fromPem = fromPem;
    this.keys = List.copyOf(keys);
  }

  /**
   * Loads the configured PEM keys, or the generated ones in {@code dataDir} (making one if
   * there is none or the newest is due for rotation).
   *
   * @throws IllegalStateException naming the file for an unreadable or non-P-256 key
   */
  public static SigningKeys open(List<Path> pems, Path dataDir, Duration rotateAfter, Clock clock) {
    if (!pems.isEmpty()) {
      List<Key> ks = new ArrayList<>();
      for (Path p : pems) {
        ks.add(toKey(readPem(p), Instant.EPOCH));
      }
      return new SigningKeys(null, rotateAfter, clock, true, ks);
    }
    SigningKeys k = new SigningKeys(dataDir.resolve("signing-keys"), rotateAfter, clock, false, List.of());
    k.rotateIfDue();
    return k;
  }

  /** The key id that {@link #signer()} signs with. */
  public String currentKid() {
    return keys.get(0).jwk().getKeyID();
  }

  /** The current signer (ES256). */
  public ECDSASigner signer() {
    return keys.get(0).signer();
  }

  /** The public JWK set: every key that may still have live tokens, newest first. */
  public JWKSet publicJwks() {
    return new JWKSet(keys.stream().map(k -> (com.nimbusds.jose.jwk.JWK) k.jwk().toPublicJWK()).toList());
  }

  /**
   * Makes a new key if the newest is older than the rotation period, and deletes keys older than
   * two periods. Does nothing for keys loaded from PEM (the operator rotates those).
   */
  public synchronized void rotateIfDue() {
    if (fromPem) {
      return;
    }
    try {
      Files.createDirectories(dir);
      List<Key> loaded = new ArrayList<>();
      try (Stream<Path> files = Files.list(dir)) {
        for (Path p : files.filter(f -> f.getFileName().toString().endsWith(".pem")).toList()) {
          loaded.add(toKey(readPem(p), Files.getLastModifiedTime(p).toInstant()));
        }
      }
      loaded.sort(Comparator.comparing(Key::created).reversed());
      Instant now = clock.instant();
      if (loaded.isEmpty() || !loaded.get(0).created().plus(rotateAfter).isAfter(now)) {
        Key fresh = generate(now);
        loaded.add(0, fresh);
        LOG.info("new token signing key " + fresh.jwk().getKeyID() + " in " + dir);
      }
      List<Key> keep = new ArrayList<>();
      for (int i = 0; i < loaded.size(); i++) {
        Key k = loaded.get(i);
        if (i == 0 || k.created().plus(rotateAfter.multipliedBy(2)).isAfter(now)) {
          keep.add(k);
        } else {
          Files.deleteIfExists(dir.resolve(k.jwk().getKeyID() + ".pem"));
        }
      }
      keys = List.copyOf(keep);
    } catch (IOException e) {
      throw new UncheckedIOException("agegate.data-dir: cannot keep signing keys in " + dir, e);
    }
  }

  private Key generate(Instant now) throws IOException {
    KeyPair kp;
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      kp = g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("EC P-256 is required of every Java platform", e);
    }
    Key k = toKey(kp, now);
    StringWriter pem = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(pem)) {
      w.writeObject(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(kp.getPrivate(), null));
    }
    Path target = dir.resolve(k.jwk().getKeyID() + ".pem");
    Path tmp = dir.resolve(k.jwk().getKeyID() + ".pem.tmp");
    Files.writeString(tmp, pem.toString(), StandardCharsets.US_ASCII);
    try {
      Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException ignored) {
      // not a POSIX file system
    }
    Files.setLastModifiedTime(tmp, java.nio.file.attribute.FileTime.from(now));
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    return k;
  }

  private static KeyPair readPem(Path p) {
    try (Reader r = Files.newBufferedReader(p, StandardCharsets.US_ASCII); PEMParser parser = new PEMParser(r)) {
      Object o = parser.readObject();
      // SEC1 ("EC PRIVATE KEY", as openssl writes it) or PKCS#8 ("PRIVATE KEY"); a SEC1 key
      // without curve parameters is taken as P-256, the only curve accepted below.
      PrivateKeyInfo info = o instanceof PEMKeyPair pair ? pair.getPrivateKeyInfo() : o instanceof PrivateKeyInfo i ? i : null;
      if (info != null) {
        if (info.getPrivateKeyAlgorithm().getParameters() == null) {
          info = new PrivateKeyInfo(new org.bouncycastle.asn1.x509.AlgorithmIdentifier(
              org.bouncycastle.asn1.x9.X9ObjectIdentifiers.id_ecPublicKey,
              org.bouncycastle.asn1.sec.SECObjectIdentifiers.secp256r1), info.parsePrivateKey());
        }
        ECPrivateKey priv = (ECPrivateKey) java.security.KeyFactory.getInstance("EC")
            .generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(info.getEncoded()));
        if (!Curve.P_256.equals(Curve.forECParameterSpec(priv.getParams()))) {
          throw new IllegalStateException("not an EC P-256 key");
        }
        return new KeyPair(publicOf(priv), priv);
      }
      throw new IllegalStateException("no EC private key in it");
    } catch (IOException | RuntimeException | GeneralSecurityException e) {
      throw new IllegalStateException("signing key " + p + ": " + e.getMessage(), e);
    }
  }

  /** Derives Q = d·G for a P-256 private key. */
  private static ECPublicKey publicOf(ECPrivateKey priv) throws GeneralSecurityException {
    org.bouncycastle.jce.spec.ECNamedCurveParameterSpec spec =
        org.bouncycastle.jce.ECNamedCurveTable.getParameterSpec("secp256r1");
    org.bouncycastle.math.ec.ECPoint q = spec.getG().multiply(priv.getS()).normalize();
    java.security.spec.ECPoint w = new java.security.spec.ECPoint(
        q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger());
    return (ECPublicKey) java.security.KeyFactory.getInstance("EC")
        .generatePublic(new java.security.spec.ECPublicKeySpec(w, priv.getParams()));
  }

  private static Key toKey(KeyPair kp, Instant created) {
    try {
      ECKey base = new ECKey.Builder(Curve.P_256, (ECPublicKey) kp.getPublic())
          .privateKey((ECPrivateKey) kp.getPrivate())
          .keyUse(KeyUse.SIGNATURE)
          .algorithm(JWSAlgorithm.ES256)
          .build();
      ECKey jwk = new ECKey.Builder(base).keyID(base.computeThumbprint().toString()).build();
      return new Key(jwk, new ECDSASigner(jwk), created);
    } catch (JOSEException | ClassCastException e) {
      throw new IllegalStateException("not an EC P-256 key: " + e.getMessage(), e);
    }
  }
}
