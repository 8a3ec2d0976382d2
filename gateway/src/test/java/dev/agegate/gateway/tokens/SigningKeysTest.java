package dev.agegate.gateway.tokens;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.agegate.testsupport.MutableClock;
import dev.agegate.testsupport.Prerequisites;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SigningKeysTest {
  @TempDir
  Path dir;

  @Test
  void open_secondStart_sameKey() {
    SigningKeys a = SigningKeys.open(List.of(), dir, Duration.ofDays(30), Clock.systemUTC());
    SigningKeys b = SigningKeys.open(List.of(), dir, Duration.ofDays(30), Clock.systemUTC());
    assertThat(b.currentKid()).isEqualTo(a.currentKid());
    assertThat(b.publicJwks().getKeys()).hasSize(1);
    assertThat(b.publicJwks().getKeys().get(0).isPrivate()).isFalse();
  }

  @Test
  void rotateIfDue_afterPeriod_nextKeyPublishedThenSignsOldStaysPublishedThenGoes() throws Exception {
    MutableClock clock = new MutableClock(Instant.now());
    SigningKeys keys = SigningKeys.open(List.of(), dir, Duration.ofDays(30), clock);
    String old = keys.currentKid();
    AgeTokens tokens = new AgeTokens("https://gw.example", keys, Pseudonyms.open(dir));
    String before = tokens.sign(new JOSEObjectType("x"), new JWTClaimsSet.Builder().subject("s").build());

    clock.set(clock.instant().plus(Duration.ofDays(31)));
    keys.rotateIfDue();
    // published, not yet signing
    assertThat(keys.currentKid()).isEqualTo(old);
    assertThat(keys.publicJwks().getKeys()).hasSize(2);
    String next = keys.publicJwks().getKeys().get(0).getKeyID();
    assertThat(next).isNotEqualTo(old);

    clock.set(clock.instant().plus(SigningKeys.DEFAULT_PUBLISH_AHEAD));
    assertThat(keys.currentKid()).isEqualTo(next);
    assertThat(keys.publicJwks().getKeys()).extracting(k -> k.getKeyID()).containsExactly(next, old);
    // a token signed before rotation still verifies against the published old key
    ECKey oldKey = keys.publicJwks().getKeyByKeyId(old).toECKey();
    assertThat(SignedJWT.parse(before).verify(new ECDSAVerifier(oldKey))).isTrue();

    clock.set(clock.instant().plus(Duration.ofDays(31)));
    keys.rotateIfDue();
    assertThat(keys.publicJwks().getKeys()).extracting(k -> k.getKeyID()).doesNotContain(old);
    // its public part stays archived, for old audit checkpoints
    assertThat(SigningKeys.publicKeysIn(dir.resolve("signing-keys"))).extracting(k -> k.getKeyID()).contains(old, next);
  }

  /**
   * The property the filter relies on (its JWKS copy may be up to jwks-refresh + jwks-max-stale
   * old): at every instant across two rotations, with housekeeping running hourly as in the
   * gateway, each token is signed by a key the JWKS already listed publish-ahead earlier, and
   * that key stays listed until the token has expired. Time steps of 4 minutes (tokens live 5)
   * over three days,
   * with a one-day rotation period.
   */
  @Test
  void rotation_atEveryInstant_kidPublishedLeadEarlierAndKeptUntilItsTokensExpire() throws Exception {
    Duration rotate = Duration.ofDays(1);
    Duration lead = Duration.ofHours(2); // SigningKeys.DEFAULT_PUBLISH_AHEAD
    Duration life = Duration.ofMinutes(5);
    MutableClock clock = new MutableClock(Instant.now());
    Instant start = clock.instant();
    SigningKeys keys = SigningKeys.open(List.of(), dir, rotate, clock);
    AgeTokens tokens = new AgeTokens("https://gw.example", keys, Pseudonyms.open(dir));
    java.util.TreeMap<Instant, java.util.Set<String>> served = new java.util.TreeMap<>();
    java.util.Map<String, Instant> liveUntil = new java.util.HashMap<>();
    java.util.Set<String> signers = new java.util.LinkedHashSet<>();
    Instant housekeeping = start;
    for (Instant t = start; t.isBefore(start.plus(Duration.ofDays(3))); t = t.plus(Duration.ofMinutes(4))) {
      clock.set(t);
      if (!t.isBefore(housekeeping.plus(Duration.ofHours(1)))) {
        keys.rotateIfDue();
        housekeeping = t;
      }
      java.util.Set<String> jwks = new java.util.HashSet<>();
      keys.publicJwks().getKeys().forEach(k -> jwks.add(k.getKeyID()));
      served.put(t, jwks);
      for (var e : liveUntil.entrySet()) {
        if (t.isBefore(e.getValue())) {
          assertThat(jwks).as("at %s, key %s of a live token", t, e.getKey()).contains(e.getKey());
        }
      }
      String jwt = tokens.sign(new JOSEObjectType("x"), new JWTClaimsSet.Builder()
          .expirationTime(java.util.Date.from(t.plus(life))).build());
      String kid = SignedJWT.parse(jwt).getHeader().getKeyID();
      Instant then = t.minus(lead);
      if (!then.isBefore(start)) {
        assertThat(served.floorEntry(then).getValue()).as("at %s, the JWKS served at %s", t, then).contains(kid);
      }
      liveUntil.merge(kid, t.plus(life), (a, b) -> a.isAfter(b) ? a : b);
      signers.add(kid);
    }
    assertThat(signers).as("keys that signed").hasSizeGreaterThanOrEqualTo(3);
  }

  @Test
  void open_schedule_retiredKeyDeletedOnceRetainPassed() throws Exception {
    MutableClock clock = new MutableClock(Instant.now());
    SigningKeys.Schedule schedule = new SigningKeys.Schedule(Duration.ofDays(1), Duration.ofHours(2), Duration.ofHours(3));
    SigningKeys keys = SigningKeys.open(List.of(), dir, schedule, clock);
    String first = keys.currentKid();
    clock.set(clock.instant().plus(Duration.ofHours(22)));
    keys.rotateIfDue();
    clock.set(clock.instant().plus(Duration.ofHours(2)));
    String second = keys.currentKid();
    assertThat(second).isNotEqualTo(first);
    clock.set(clock.instant().plus(Duration.ofHours(2).plusMinutes(59)));
    keys.rotateIfDue();
    assertThat(keys.publicJwks().getKeys()).extracting(k -> k.getKeyID()).contains(first);
    clock.set(clock.instant().plus(Duration.ofMinutes(1)));
    keys.rotateIfDue();
    assertThat(keys.publicJwks().getKeys()).extracting(k -> k.getKeyID()).containsExactly(second);
    assertThat(dir.resolve("signing-keys").resolve(first + ".pem")).doesNotExist();
  }

  @Test
  void open_restartWithPendingKey_scheduleReadFromTheFiles() throws Exception {
    MutableClock clock = new MutableClock(Instant.now());
    SigningKeys keys = SigningKeys.open(List.of(), dir, Duration.ofDays(1), clock);
    String first = keys.currentKid();
    clock.set(clock.instant().plus(Duration.ofHours(23)));
    keys.rotateIfDue();
    SigningKeys restarted = SigningKeys.open(List.of(), dir, Duration.ofDays(1), clock);
    assertThat(restarted.publicJwks().getKeys()).hasSize(2);
    assertThat(restarted.currentKid()).isEqualTo(first);
    clock.set(clock.instant().plus(Duration.ofHours(2)));
    assertThat(restarted.currentKid()).isNotEqualTo(first);
    String text = Files.readString(dir.resolve("signing-keys").resolve(first + ".pem"));
    assertThat(text).startsWith(SigningKeys.CREATED + ": ").contains(SigningKeys.ACTIVATE_AT + ": ");
  }

  @Test
  void open_pemWithFutureActivation_publishedButTheNextSigns() throws Exception {
    MutableClock clock = new MutableClock(Instant.now());
    Path next = pem(dir.resolve("next.pem"));
    Files.writeString(next, SigningKeys.ACTIVATE_AT + ": " + clock.instant().plus(Duration.ofHours(3)) + "\n" + Files.readString(next));
    Path now = pem(dir.resolve("now.pem"));
    SigningKeys keys = SigningKeys.open(List.of(next, now), dir, Duration.ofDays(30), clock);
    String nextKid = keys.publicJwks().getKeys().get(0).getKeyID();
    assertThat(keys.publicJwks().getKeys()).hasSize(2);
    assertThat(keys.currentKid()).isNotEqualTo(nextKid);
    clock.set(clock.instant().plus(Duration.ofHours(3)));
    assertThat(keys.currentKid()).isEqualTo(nextKid);
  }

  @Test
  void schedule_publishAheadNotShorterThanRotation_refused() {
    assertThatThrownBy(() -> new SigningKeys.Schedule(Duration.ofHours(2), Duration.ofHours(2), Duration.ofHours(1)))
        .hasMessageContaining("publish-ahead");
  }

  @Test
  void open_pemFiles_firstSignsAllPublished() throws Exception {
    Path p1 = pem(dir.resolve("a.pem"));
    Path p2 = pem(dir.resolve("b.pem"));
    SigningKeys keys = SigningKeys.open(List.of(p1, p2), dir, Duration.ofDays(30), Clock.systemUTC());
    assertThat(keys.publicJwks().getKeys()).hasSize(2);
    assertThat(keys.publicJwks().getKeys().get(0).getKeyID()).isEqualTo(keys.currentKid());
  }

  @Test
  void open_opensslGeneratedPem_loads() throws Exception {
    Path f = dir.resolve("openssl.pem");
    Process p;
    try {
      p = new ProcessBuilder("openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", f.toString())
          .redirectErrorStream(true).start();
    } catch (java.io.IOException e) {
      Prerequisites.missing("openssl", "no openssl on this machine: " + e.getMessage(), "apt-get install openssl");
      return;
    }
    assertThat(p.waitFor()).isZero();
    Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    SigningKeys keys = SigningKeys.open(List.of(f), dir, Duration.ofDays(30), Clock.systemUTC());
    assertThat(keys.currentKid()).hasSize(43);
  }

  @Test
  void open_pemThatIsNotAKey_failsNamingFile() throws Exception {
    Path bad = dir.resolve("bad.pem");
    Files.writeString(bad, "hello");
    Files.setPosixFilePermissions(bad, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    assertThatThrownBy(() -> SigningKeys.open(List.of(bad), dir, Duration.ofDays(30), Clock.systemUTC()))
        .hasMessageContaining("bad.pem");
  }

  private static Path pem(Path f) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair kp = g.generateKeyPair();
    StringWriter w = new StringWriter();
    try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
      pw.writeObject(kp); // "EC PRIVATE KEY" with parameters and public key, as openssl writes it
    }
    Files.writeString(f, w.toString());
    Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    return f;
  }
}
