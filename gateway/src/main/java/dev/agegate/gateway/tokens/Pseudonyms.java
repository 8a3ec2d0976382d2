package dev.agegate.gateway.tokens;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Per-site pseudonyms: {@code b64url(HMAC-SHA-256(secret, siteId ‖ nullifier))}, where the
 * nullifier is its 32-byte encoding. The secret (32 random bytes) is generated on first start
 * into {@code <data-dir>/pseudonym.key} and must be kept: a new secret gives every person a
 * new pseudonym. Thread-safe.
 */
public final class Pseudonyms {
  private final byte[] secret;

  private Pseudonyms(byte[] secret) {
    this.secret = secret;
  }

  /** Reads or creates the secret in {@code dataDir}. */
  public static Pseudonyms open(Path dataDir) {
    Path f = dataDir.resolve("pseudonym.key");
    try {
      if (!Files.exists(f)) {
        Files.createDirectories(dataDir);
        byte[] s = new byte[32];
        new SecureRandom().nextBytes(s);
        Path tmp = dataDir.resolve("pseudonym.key.tmp");
        Files.write(tmp, s);
        try {
          Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException ignored) {
          // not a POSIX file system
        }
        Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE);
      }
      byte[] s = Files.readAllBytes(f);
      if (s.length != 32) {
        throw new IllegalStateException(f + " is not 32 bytes");
      }
      return new Pseudonyms(s);
    } catch (IOException e) {
      throw new UncheckedIOException("agegate.data-dir: cannot keep the pseudonym secret in " + f, e);
    }
  }

  /** The pseudonym of the holder of {@code nullifier} (32 bytes) at {@code siteId}. */
  public String of(String siteId, byte[] nullifier) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      mac.update(siteId.getBytes(StandardCharsets.UTF_8));
      mac.update(nullifier);
      return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is required of every Java platform", e);
    }
  }
}
