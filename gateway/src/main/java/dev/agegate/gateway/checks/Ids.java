package dev.agegate.gateway.checks;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Pattern;

/** Random identifiers: 128 bits from {@link SecureRandom}, base64url without padding (22 chars). */
public final class Ids {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{22}");

  private Ids() {}

  /** A fresh, independent 128-bit random id. */
  public static String random() {
    byte[] b = new byte[16];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** Whether {@code s} has the shape of an id (anything else cannot be one of ours). */
  public static boolean wellFormed(String s) {
    return s != null && ID.matcher(s).matches();
  }
}
