package dev.agegate.gateway.tokens;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SigningKeysTest {
  @TempDir
  Path dir;

  static final class TestClock extends Clock {
    final AtomicReference<Instant> now = new AtomicReference<>(Instant.now());

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now.get();
    }
  }

  @Test
  void open_secondStart_sameKey() {
    SigningKeys a = SigningKeys.open(List.of(), dir, Duration.ofDays(30), Clock.systemUTC());
    SigningKeys b = SigningKeys.open(List.of(), dir, Duration.ofDays(30), Clock.systemUTC());
    assertThat(b.currentKid()).isEqualTo(a.currentKid());
    assertThat(b.publicJwks().getKeys()).hasSize(1);
    assertThat(b.publicJwks().getKeys().get(0).isPrivate()).isFalse();
  }

  @Test
  void rotateIfDue_afterPeriod_newKeySignsOldStaysPublishedThenGoes() throws Exception {
    TestClock clock = new TestClock();
    SigningKeys keys = SigningKeys.open(List.of(), dir, Duration.ofDays(30), clock);
    String old = keys.currentKid();
    AgeTokens tokens = new AgeTokens("https://gw.example", keys, Pseudonyms.open(dir));
    String before = tokens.sign(new JOSEObjectType("x"), new JWTClaimsSet.Builder().subject("s").build());

    clock.now.set(clock.instant().plus(Duration.ofDays(31)));
    keys.rotateIfDue();
    assertThat(keys.currentKid()).isNotEqualTo(old);
    assertThat(keys.publicJwks().getKeys()).extracting(k -> k.getKeyID()).containsExactly(keys.currentKid(), old);
    // a token signed before rotation still verifies against the published old key
    ECKey oldKey = keys.publicJwks().getKeyByKeyId(old).toECKey();
    assertThat(SignedJWT.parse(before).verify(new ECDSAVerifier(oldKey))).isTrue();

    clock.now.set(clock.instant().plus(Duration.ofDays(31)));
    keys.rotateIfDue();
    assertThat(keys.publicJwks().getKeys()).extracting(k -> k.getKeyID()).doesNotContain(old);
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
      dev.agegate.gateway.Prerequisites.missing("openssl", "no openssl on this machine: " + e.getMessage(), "apt-get install openssl");
      return;
    }
    assertThat(p.waitFor()).isZero();
    SigningKeys keys = SigningKeys.open(List.of(f), dir, Duration.ofDays(30), Clock.systemUTC());
    assertThat(keys.currentKid()).hasSize(43);
  }

  @Test
  void open_pemThatIsNotAKey_failsNamingFile() throws Exception {
    Path bad = dir.resolve("bad.pem");
    Files.writeString(bad, "hello");
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
    return f;
  }
}
