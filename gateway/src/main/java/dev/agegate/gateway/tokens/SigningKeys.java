package dev.agegate.gateway.tokens;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * The gateway's ES256 (EC P-256) signing keys and their schedule: which key signs at each
 * instant, and which keys the JWKS publishes.
 *
 * <p>Generated keys ({@code <data-dir>/signing-keys/<kid>.pem}, the default) carry their
 * schedule inside the file, as header lines before the PEM block ({@code agegate-key-created:}
 * and {@code agegate-key-activate-at:}, ISO-8601 instants); a key's age is read from there,
 * never from the file's time stamps. The schedule ({@link Schedule}):
 *
 * <ul>
 *   <li>The very first key is active at once (no JWKS was ever served before it).</li>
 *   <li>When the active key has been active for {@code rotateAfter - publishAhead}, the next key
 *       is generated and published in the JWKS at once, with an activation instant at least
 *       {@code publishAhead} later (and not before the active key's full period). Until that
 *       instant the old key keeps signing; from it on the new key signs. The switch is decided
 *       per signature from the clock, not by the housekeeping timer.</li>
 *   <li>A key whose successor has become active is retired: it stays in the JWKS for
 *       {@code retain} (longer than anything it signed lives) and is then deleted. Its public
 *       part stays in {@code signing-keys/public/<kid>.json} for ever, so old audit checkpoints
 *       remain verifiable.</li>
 * </ul>
 *
 * <p>Keys loaded from PEM files ({@code agegate.tokens.signing-keys}, newest first; PKCS#8 or
 * SEC1) are all published; the first whose {@code agegate-key-activate-at:} header (if any) has
 * passed signs, so an operator can publish a key ahead by listing it first with a future
 * activation. They are never rotated or deleted here. Every private key file must be
 * owner-only ({@link KeyFiles}). The key id is the RFC 7638 thumbprint. Thread-safe.
 */
public final class SigningKeys {
  private static final Logger LOG = Logger.getLogger(SigningKeys.class.getName());

  /** The default for {@link Schedule#publishAhead()}: well past the filter's default jwks-refresh + jwks-max-stale (65 min). */
  public static final Duration DEFAULT_PUBLISH_AHEAD = Duration.ofHours(2);
  static final String CREATED = "agegate-key-created";
  static final String ACTIVATE_AT = "agegate-key-activate-at";

  /**
   * When keys change.
   *
   * @param rotateAfter how long a generated key signs before its successor takes over
   * @param publishAhead how long a new key is in the JWKS before it signs anything; must exceed
   *     the time a relying party may keep serving an old copy of the JWKS (the servlet filter's
   *     {@code jwks-refresh + jwks-max-stale}), and be shorter than {@code rotateAfter}
   * @param retain how long a retired key stays in the JWKS: longer than any token, request
   *     object or checkpoint it signed is checked against the JWKS
   */
  public record Schedule(Duration rotateAfter, Duration publishAhead, Duration retain) {
    public Schedule {
      for (Duration d : List.of(rotateAfter, publishAhead, retain)) {
        if (d.isNegative() || d.isZero()) {
          throw new IllegalArgumentException("signing key schedule: durations must be positive: " + d);
        }
      }
      if (publishAhead.compareTo(rotateAfter) >= 0) {
        throw new IllegalArgumentException("agegate.tokens.publish-ahead (" + publishAhead
            + ") must be shorter than agegate.tokens.rotate-after (" + rotateAfter + ")");
      }
    }
  }

  /** The key that signs now: its id and signer, taken together so they never disagree. */
  public record Current(String kid, ECDSASigner signer) {}

  private record Key(ECKey jwk, ECDSASigner signer, Instant created, Instant activateAt) {}

  private final Path dir;
  private final Schedule schedule;
  private final Clock clock;
  private final boolean fromPem;
  /** Generated: newest activation first. PEM: as configured. */
  private volatile List<Key> keys;

  private SigningKeys(Path dir, Schedule schedule, Clock clock, boolean fromPem, List<Key> keys) {
    this.dir = dir;
    this.schedule = schedule;
    this.clock = clock;
    this.fromPem = fromPem;
    this.keys = List.copyOf(keys);
  }

  /**
   * As {@link #open(List, Path, Schedule, Clock)} with {@link #DEFAULT_PUBLISH_AHEAD} (at most
   * half of {@code rotateAfter}) and retired keys kept for one more rotation period.
   */
  public static SigningKeys open(List<Path> pems, Path dataDir, Duration rotateAfter, Clock clock) {
    Duration ahead = DEFAULT_PUBLISH_AHEAD.compareTo(rotateAfter.dividedBy(2)) < 0 ? DEFAULT_PUBLISH_AHEAD : rotateAfter.dividedBy(2);
    return open(pems, dataDir, new Schedule(rotateAfter, ahead, rotateAfter), clock);
  }

  /**
   * Loads the configured PEM keys, or the generated ones in {@code dataDir} (making one if
   * there is none, or publishing the next one if due).
   *
   * @throws IllegalStateException naming the file for an unreadable, non-P-256 or
   *     group/other-accessible key
   */
  public static SigningKeys open(List<Path> pems, Path dataDir, Schedule schedule, Clock clock) {
    Path dir = dataDir.resolve("signing-keys");
    if (!pems.isEmpty()) {
      List<Key> ks = new ArrayList<>();
      for (Path p : pems) {
        ks.add(readKey(p, Instant.EPOCH));
      }
      SigningKeys k = new SigningKeys(dir, schedule, clock, true, ks);
      try {
        KeyFiles.createPrivateDirectory(dir);
        k.archivePublicKeys(ks);
      } catch (IOException e) {
        throw new UncheckedIOException("agegate.data-dir: cannot archive the public signing keys in " + dir, e);
      }
      return k;
    }
    SigningKeys k = new SigningKeys(dir, schedule, clock, false, List.of());
    k.rotateIfDue();
    return k;
  }

  /** The key that signs at this instant (see the class for the schedule). */
  public Current current() {
    Key k = signingAt(keys, clock.instant());
    return new Current(k.jwk().getKeyID(), k.signer());
  }

  /**
   * The key with id {@code kid} (its RFC 7638 thumbprint) if this gateway holds it, whether or
   * not it signs now: what signs request objects when a certificate pins their key
   * ({@link RequestCertificates}).
   */
  public java.util.Optional<Current> byKid(String kid) {
    return keys.stream().filter(k -> k.jwk().getKeyID().equals(kid)).findFirst()
        .map(k -> new Current(k.jwk().getKeyID(), k.signer()));
  }

  /** Whether the keys come from {@code agegate.tokens.signing-keys} (never rotated here) rather than being generated. */
  public boolean fromPem() {
    return fromPem;
  }

  /** The key id that signs now; prefer {@link #current()}, which pairs it with its signer. */
  public String currentKid() {
    return current().kid();
  }

  /** The signer (ES256) of the key that signs now; prefer {@link #current()}. */
  public ECDSASigner signer() {
    return current().signer();
  }

  /** The schedule in force. */
  public Schedule schedule() {
    return schedule;
  }

  /** The public JWK set: the next key (once published), the signing key and retired keys still kept. */
  public JWKSet publicJwks() {
    return new JWKSet(keys.stream().map(k -> (com.nimbusds.jose.jwk.JWK) k.jwk().toPublicJWK()).toList());
  }

  /**
   * Publishes the next key if the active one is due ({@link Schedule}), and deletes retired keys
   * kept past {@code retain}. Does nothing for keys loaded from PEM (the operator rotates those).
   * The gateway calls this at start and hourly.
   */
  public synchronized void rotateIfDue() {
    if (fromPem) {
      return;
    }
    try {
      KeyFiles.createPrivateDirectory(dir);
      // Another gateway on this folder (a second start, an overlapping restart) decides after
      // this one has written, so it finds this one's key instead of making its own.
      try (KeyFiles.FolderLock lock = KeyFiles.lockFolder(dir)) {
        rotateLocked();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("agegate.data-dir: cannot keep signing keys in " + dir, e);
    }
  }

  private void rotateLocked() throws IOException {
    {
      Instant now = clock.instant();
      List<Key> loaded = new ArrayList<>();
      try (Stream<Path> files = Files.list(dir)) {
        for (Path p : files.filter(f -> f.getFileName().toString().endsWith(".pem")).sorted().toList()) {
          Key k = readKey(p, now);
          if (!Files.readString(p, StandardCharsets.US_ASCII).contains(CREATED + ":")) {
            // Written by a gateway before schedules were kept in the file: give it one rather
            // than guess its age from the file's time stamp.
            write(k);
            LOG.info("token signing key " + k.jwk().getKeyID() + " had no schedule: now dated " + now);
          }
          loaded.add(k);
        }
      }
      sortNewestFirst(loaded);
      holdBackKeysNotPublishedHere(loaded, now);
      if (loaded.isEmpty()) {
        loaded.add(generate(now, now));
      } else {
        Key active = signingAt(loaded, now);
        boolean nextPublished = loaded.get(0).activateAt().isAfter(now);
        if (!nextPublished && !now.isBefore(active.activateAt().plus(schedule.rotateAfter()).minus(schedule.publishAhead()))) {
          Instant due = active.activateAt().plus(schedule.rotateAfter());
          Instant earliest = now.plus(schedule.publishAhead());
          loaded.add(generate(now, due.isAfter(earliest) ? due : earliest));
        }
      }
      sortNewestFirst(loaded);
      // A key is retired when its successor (the next newer key) became active.
      List<Key> keep = new ArrayList<>();
      Instant retiredAt = null;
      for (Key k : loaded) {
        if (retiredAt == null || retiredAt.plus(schedule.retain()).isAfter(now)) {
          keep.add(k);
        } else {
          Files.deleteIfExists(dir.resolve(k.jwk().getKeyID() + ".pem"));
          LOG.info("deleted token signing key " + k.jwk().getKeyID() + ", retired at " + retiredAt);
        }
        if (!k.activateAt().isAfter(now)) {
          retiredAt = k.activateAt();
        }
      }
      archivePublicKeys(keep);
      keys = List.copyOf(keep);
    }
  }

  /**
   * A newer key this instance finds in the folder without having published it (written by
   * another process on the folder: a second start, refused soon after by the audit log's lock)
   * has been in this instance's JWKS for no time at all: it signs no sooner than
   * {@code publishAhead} from now, and the file says so. Not at start (this instance has
   * published nothing yet; the keys on disk were published by its predecessor) and never for
   * keys older than the one signing now.
   */
  private void holdBackKeysNotPublishedHere(List<Key> loaded, Instant now) throws IOException {
    List<Key> before = keys;
    if (before.isEmpty()) {
      return;
    }
    java.util.Set<String> published = new java.util.HashSet<>();
    before.forEach(k -> published.add(k.jwk().getKeyID()));
    Instant signing = signingAt(before, now).activateAt();
    Instant earliest = now.plus(schedule.publishAhead());
    for (int i = 0; i < loaded.size(); i++) {
      Key k = loaded.get(i);
      if (!published.contains(k.jwk().getKeyID()) && k.activateAt().isAfter(signing) && k.activateAt().isBefore(earliest)) {
        Key held = new Key(k.jwk(), k.signer(), k.created(), earliest);
        write(held);
        loaded.set(i, held);
        LOG.warning("token signing key " + k.jwk().getKeyID() + " appeared in " + dir + " without this gateway having"
            + " published it (another process on this folder?): it signs from " + earliest + ", not " + k.activateAt());
      }
    }
    sortNewestFirst(loaded);
  }

  /**
   * Every public key this gateway has used, from its archive {@code <keysDir>/public/*.json},
   * and the public parts of the private keys {@code <keysDir>/*.pem}: what an audit log's
   * checkpoints are verified against.
   *
   * @param keysDir a {@code signing-keys} folder
   * @throws IOException if a file cannot be read; a file that holds no P-256 key is an error too
   */
  public static List<ECKey> publicKeysIn(Path keysDir) throws IOException {
    List<ECKey> out = new ArrayList<>();
    Path pub = keysDir.resolve("public");
    if (Files.isDirectory(pub)) {
      try (Stream<Path> files = Files.list(pub)) {
        for (Path p : files.filter(f -> f.getFileName().toString().endsWith(".json")).sorted().toList()) {
          try {
            out.add(ECKey.parse(Files.readString(p, StandardCharsets.UTF_8)).toPublicJWK());
          } catch (java.text.ParseException e) {
            throw new IOException(p + ": not a JWK: " + e.getMessage(), e);
          }
        }
      }
    }
    java.util.Set<String> known = new java.util.HashSet<>();
    out.forEach(k -> known.add(k.getKeyID()));
    try (Stream<Path> files = Files.list(keysDir)) {
      for (Path p : files.filter(f -> f.getFileName().toString().endsWith(".pem")).sorted().toList()) {
        // A generated key is named after its kid: skip reading the private file (an auditor
        // usually may not) when the archive has its public part.
        String stem = p.getFileName().toString().replaceFirst("\\.pem$", "");
        if (!known.contains(stem)) {
          out.add(readKey(p, Instant.EPOCH).jwk().toPublicJWK());
        }
      }
    }
    return out;
  }

  /** The key that signs at {@code now}: the first whose activation has passed (else the earliest, if the clock went back). */
  private static Key signingAt(List<Key> ks, Instant now) {
    Key earliest = ks.get(0);
    for (Key k : ks) {
      if (!k.activateAt().isAfter(now)) {
        return k;
      }
      if (k.activateAt().isBefore(earliest.activateAt())) {
        earliest = k;
      }
    }
    return earliest;
  }

  private static void sortNewestFirst(List<Key> ks) {
    ks.sort(Comparator.comparing(Key::activateAt).thenComparing(Key::created).reversed()
        .thenComparing(k -> k.jwk().getKeyID()));
  }

  private void archivePublicKeys(List<Key> ks) throws IOException {
    Path pub = dir.resolve("public");
    for (Key k : ks) {
      Path f = pub.resolve(k.jwk().getKeyID() + ".json");
      if (!Files.exists(f)) {
        Files.createDirectories(pub);
        KeyFiles.writePrivate(pub, f.getFileName().toString(),
            k.jwk().toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8));
      }
    }
  }

  private Key generate(Instant created, Instant activateAt) throws IOException {
    KeyPair kp;
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      kp = g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("EC P-256 is required of every Java platform", e);
    }
    Key k = toKey(kp, created, activateAt);
    write(k);
    LOG.info("new token signing key " + k.jwk().getKeyID() + " in " + dir + ", published now, signing from " + activateAt);
    return k;
  }

  /** Writes a key file with its schedule header, owner-only from creation. */
  private void write(Key k) throws IOException {
    KeyPair kp;
    try {
      kp = k.jwk().toKeyPair();
    } catch (JOSEException e) {
      throw new IllegalStateException("signing key " + k.jwk().getKeyID() + ": " + e.getMessage(), e);
    }
    StringWriter pem = new StringWriter();
    pem.write(CREATED + ": " + k.created() + "\n" + ACTIVATE_AT + ": " + k.activateAt() + "\n");
    try (JcaPEMWriter w = new JcaPEMWriter(pem)) {
      w.writeObject(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(kp.getPrivate(), null));
    }
    KeyFiles.writePrivate(dir, k.jwk().getKeyID() + ".pem", pem.toString().getBytes(StandardCharsets.US_ASCII));
  }

  /**
   * Reads a key file: header lines {@code name: value} before the PEM block, then the block. A
   * generated key without the header (written by an older gateway) is given one, as created and
   * active at {@code legacyNow}.
   */
  private static Key readKey(Path p, Instant legacyNow) {
    try {
      String text = new String(KeyFiles.readPrivate(p), StandardCharsets.US_ASCII);
      int begin = text.indexOf("-----BEGIN");
      if (begin < 0) {
        throw new IllegalStateException("no PEM block in it");
      }
      java.util.Map<String, String> header = new java.util.HashMap<>();
      for (String line : text.substring(0, begin).split("\r?\n")) {
        int colon = line.indexOf(':');
        if (colon > 0) {
          header.put(line.substring(0, colon).strip().toLowerCase(java.util.Locale.ROOT), line.substring(colon + 1).strip());
        }
      }
      KeyPair kp = parsePem(text.substring(begin));
      Instant created = instant(header, CREATED, null);
      Instant activateAt = instant(header, ACTIVATE_AT, created);
      return toKey(kp, created == null ? legacyNow : created, activateAt == null ? legacyNow : activateAt);
    } catch (IOException | RuntimeException | GeneralSecurityException e) {
      throw new IllegalStateException("signing key " + p + ": " + e.getMessage(), e);
    }
  }

  private static Instant instant(java.util.Map<String, String> header, String name, Instant dflt) {
    String v = header.get(name);
    if (v == null) {
      return dflt;
    }
    try {
      return Instant.parse(v);
    } catch (java.time.format.DateTimeParseException e) {
      throw new IllegalStateException(name + ": '" + v + "' is not an ISO-8601 instant such as 2026-01-01T00:00:00Z");
    }
  }

  private static KeyPair parsePem(String pem) throws IOException, GeneralSecurityException {
    try (PEMParser parser = new PEMParser(new java.io.StringReader(pem))) {
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

  private static Key toKey(KeyPair kp, Instant created, Instant activateAt) {
    try {
      ECKey base = new ECKey.Builder(Curve.P_256, (ECPublicKey) kp.getPublic())
          .privateKey((ECPrivateKey) kp.getPrivate())
          .keyUse(KeyUse.SIGNATURE)
          .algorithm(JWSAlgorithm.ES256)
          .build();
      ECKey jwk = new ECKey.Builder(base).keyID(base.computeThumbprint().toString()).build();
      return new Key(jwk, new ECDSASigner(jwk), created, activateAt);
    } catch (JOSEException | ClassCastException e) {
      throw new IllegalStateException("not an EC P-256 key: " + e.getMessage(), e);
    }
  }
}
