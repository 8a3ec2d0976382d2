package dev.agegate.gateway.tokens;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
  /** The secret's file name in the data folder. */
  public static final String FILE = "pseudonym.key";

  private final byte[] secret;

  private Pseudonyms(byte[] secret) {
    this.secret = secret;
  }

  /**
   * Reads or creates the secret in {@code dataDir}. A new secret is written owner-only from
   * creation, atomically and durably ({@link KeyFiles}), and only if no other start created one
   * meanwhile; what is read back from the file is what is used.
   *
   * @throws IllegalStateException if the file is not 32 bytes, or group or others may read or
   *     write it (the message names the file and the fix)
   */
  public static Pseudonyms open(Path dataDir) {
    Path f = dataDir.resolve(FILE);
    try {
      if (!Files.exists(f)) {
        Files.createDirectories(dataDir);
        byte[] s = new byte[32];
        new SecureRandom().nextBytes(s);
        // Never over a secret another start wrote meanwhile: it may be in use already.
        KeyFiles.createPrivate(dataDir, FILE, s);
      }
      byte[] s = KeyFiles.readPrivate(f);
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

  /**
   * {@code length} bytes derived from the secret for {@code purpose} and {@code parts}:
   * HKDF-SHA-256 (RFC 5869) with salt {@code "agegate/" + purpose} and info the parts each
   * followed by a 0 byte. Every node sharing {@code pseudonym.key} derives the same bytes; no
   * purpose yields the secret or another purpose's bytes (docs/decisions.md, "Annex C reader keys").
   */
  public byte[] derive(String purpose, int length, String... parts) {
    java.io.ByteArrayOutputStream info = new java.io.ByteArrayOutputStream();
    for (String p : parts) {
      info.writeBytes(p.getBytes(StandardCharsets.UTF_8));
      info.write(0);
    }
    org.bouncycastle.crypto.generators.HKDFBytesGenerator hkdf =
        new org.bouncycastle.crypto.generators.HKDFBytesGenerator(new org.bouncycastle.crypto.digests.SHA256Digest());
    hkdf.init(new org.bouncycastle.crypto.params.HKDFParameters(secret,
        ("agegate/" + purpose).getBytes(StandardCharsets.UTF_8), info.toByteArray()));
    byte[] out = new byte[length];
    hkdf.generateBytes(out, 0, length);
    return out;
  }
}
