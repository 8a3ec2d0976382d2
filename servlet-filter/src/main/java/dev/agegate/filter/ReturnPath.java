package dev.agegate.filter;

/**
 * Keeps redirects on this site. A return path is accepted only if it is a path on the same
 * origin: it starts with {@code /}, holds no {@code //} and no backslash, and only printable ASCII
 * (no CR, LF, tab or other control characters, which browsers strip or honour in ways that
 * turn {@code /\t/evil.example} into {@code //evil.example}). Anything else becomes {@code /}.
 */
final class ReturnPath {

  static final int MAX_LENGTH = 2048;

  private ReturnPath() {
  }

  /** @return {@code candidate} if it is a safe same-site path, else {@code "/"} */
  static String sanitize(String candidate) {
    if (candidate == null || candidate.isEmpty() || candidate.length() > MAX_LENGTH
        || candidate.charAt(0) != '/' || candidate.contains("//")) {
      return "/";
    }
    for (int i = 0; i < candidate.length(); i++) {
      char c = candidate.charAt(i);
      if (c <= 0x20 || c >= 0x7f || c == '\\') {
        return "/";
      }
    }
    return candidate;
  }
}
