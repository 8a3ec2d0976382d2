package dev.agegate.gateway.checks;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The short code a person compares between the gate and the wallet's consent screen (issue 10,
 * the QR relay): four characters of Crockford's base32 (no I, L, O, U: nothing to misread) from
 * {@code SHA-256("agegate confirmation code v1" ‖ 0x00 ‖ nonce)}. The gate gets it in the check's
 * creation answer, the wallet in the signed request object; both name the same check. It is
 * not a secret (anyone holding the request object can read it) and not a defence against a
 * person who relays on purpose: it lets a person notice that the request in their wallet is
 * not the one on the page in front of them (docs/security.md, "The QR relay").
 */
public final class ConfirmationCode {
  /** Crockford's base32 alphabet. */
  static final String ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  private static final byte[] TAG = "agegate confirmation code v1\0".getBytes(StandardCharsets.US_ASCII);

  private ConfirmationCode() {}

  /** The code of the check with this nonce: 4 characters (20 bits). */
  public static String of(String nonce) {
    byte[] d;
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(TAG);
      d = sha.digest(nonce.getBytes(StandardCharsets.US_ASCII));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    int bits = ((d[0] & 0xff) << 16) | ((d[1] & 0xff) << 8) | (d[2] & 0xff); // 24 bits, 20 used
    StringBuilder b = new StringBuilder(4);
    for (int i = 0; i < 4; i++) {
      b.append(ALPHABET.charAt((bits >>> (19 - 5 * i)) & 31));
    }
    return b.toString();
  }
}
