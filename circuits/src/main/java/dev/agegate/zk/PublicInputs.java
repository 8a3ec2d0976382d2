package dev.agegate.zk;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDate;
import java.util.Objects;

/**
 * The seven public inputs of the age circuit, in circuit order (docs/protocol.md). A verifier
 * computes all of them from its own session with {@link #of}, except the nullifier, the only value
 * it takes from the wallet. The computations match the Go side exactly (shared test vectors in
 * circuits/testdata/vectors.json). Immutable.
 */
public final class PublicInputs {
  /**
   * The circuit version this binding's native library proves and verifies (Go's {@code
   * agecircuit.Version}); request objects carry it as {@code agegate.circuit_version}, and a
   * wallet refuses any other. Version 1 is withdrawn: it accepted a forged signature.
   */
  public static final int CIRCUIT_VERSION = 2;

  /** Encoded size: seven 32-byte field elements. */
  public static final int SIZE = 7 * FieldElement.SIZE;

  private final FieldElement issuerRoot;
  private final int cutoffDay;
  private final int today;
  private final int minAssurance;
  private final FieldElement challenge;
  private final FieldElement scope;
  private final FieldElement nullifier;

  private PublicInputs(
      FieldElement issuerRoot,
      int cutoffDay,
      int today,
      int minAssurance,
      FieldElement challenge,
      FieldElement scope,
      FieldElement nullifier) {
    this.issuerRoot = Objects.requireNonNull(issuerRoot, "issuerRoot");
    this.cutoffDay = cutoffDay;
    this.today = today;
    this.minAssurance = minAssurance;
    this.challenge = challenge;
    this.scope = scope;
    this.nullifier = Objects.requireNonNull(nullifier, "nullifier");
  }

  /**
   * The public inputs of one check.
   *
   * @param issuerRoot the trust list's root
   * @param today today's date in the site's time zone
   * @param minAge the minimum age asked, 0..150
   * @param minAssurance the minimum issuer assurance level, 1..4
   * @param nonce the check's nonce
   * @param audience the verifier's audience (its client id)
   * @param siteId the site the nullifier is scoped to
   * @param nullifier the wallet's nullifier
   * @throws IllegalArgumentException for an out-of-range age, level or date
   */
  public static PublicInputs of(
      FieldElement issuerRoot,
      LocalDate today,
      int minAge,
      int minAssurance,
      String nonce,
      String audience,
      String siteId,
      FieldElement nullifier) {
    if (minAssurance < 1 || minAssurance > 4) {
      throw new IllegalArgumentException("minAssurance " + minAssurance + " outside 1..4");
    }
    return new PublicInputs(
        issuerRoot,
        cutoffDay(today, minAge),
        DayNumber.of(today),
        minAssurance,
        challenge(nonce, audience),
        scope(siteId),
        nullifier);
  }

  /**
   * The day number of {@code today.minusYears(minAge)}: 29 February becomes 28 February in a
   * common year, so a person born on 29 February comes of age on 1 March.
   */
  public static int cutoffDay(LocalDate today, int minAge) {
    if (minAge < 0 || minAge > 150) {
      throw new IllegalArgumentException("minAge " + minAge + " outside 0..150");
    }
    return DayNumber.of(today.minusYears(minAge));
  }

  /** Public input 5: binds a proof to one check's nonce and audience. */
  public static FieldElement challenge(String nonce, String audience) {
    return hashToField("agegate/challenge/v1", nonce, audience);
  }

  /** Public input 6: the site a nullifier is derived for. */
  public static FieldElement scope(String siteId) {
    return hashToField("agegate/scope/v1", siteId);
  }

  /**
   * H2F of docs/protocol.md: SHA-256 over each part's UTF-8 bytes preceded by its 4-byte
   * big-endian length, top three bits cleared (below 2^253, so below r).
   */
  static FieldElement hashToField(String tag, String... parts) {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
    update(sha, tag);
    for (String p : parts) {
      update(sha, Objects.requireNonNull(p, "hash input"));
    }
    byte[] d = sha.digest();
    d[0] &= 0x1f;
    return FieldElement.fromBytes(d);
  }

  private static void update(MessageDigest sha, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    sha.update(ByteBuffer.allocate(4).putInt(b.length).array());
    sha.update(b);
  }

  /** The 224-byte wire form, in circuit order. */
  public byte[] encode() {
    byte[] out = new byte[SIZE];
    issuerRoot.copyTo(out, 0);
    putInt(out, 32, cutoffDay);
    putInt(out, 64, today);
    putInt(out, 96, minAssurance);
    challenge.copyTo(out, 128);
    scope.copyTo(out, 160);
    nullifier.copyTo(out, 192);
    return out;
  }

  private static void putInt(byte[] out, int elementOffset, int v) {
    ByteBuffer.wrap(out, elementOffset + 28, 4).putInt(v);
  }

  public FieldElement issuerRoot() {
    return issuerRoot;
  }

  public int cutoffDay() {
    return cutoffDay;
  }

  public int today() {
    return today;
  }

  public int minAssurance() {
    return minAssurance;
  }

  public FieldElement challenge() {
    return challenge;
  }

  public FieldElement scope() {
    return scope;
  }

  public FieldElement nullifier() {
    return nullifier;
  }
}
