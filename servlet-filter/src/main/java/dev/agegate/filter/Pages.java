package dev.agegate.filter;

/**
 * The HTML and JSON bodies the filter sends. No inline script or style anywhere, so every
 * page works under a strict Content-Security-Policy; every interpolated value is escaped.
 */
final class Pages {

  private Pages() {
  }

  /**
   * The gate page: loads the gateway's widget and hands it the {@code <age-gate>} element of
   * docs/protocol.md.
   */
  static String gate(Settings s, String callback, String returnPath, int minAge, String binding) {
    String integrity = s.widgetIntegrity() == null ? "" : " integrity=\"" + html(s.widgetIntegrity()) + "\"";
    return "<!DOCTYPE html>\n"
        + "<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        + "<meta name=\"robots\" content=\"noindex\">\n"
        + "<title>Age check</title>\n"
        + "<script src=\"" + html(s.widgetUrl()) + "\"" + integrity + " crossorigin=\"anonymous\" defer></script>\n"
        + "</head>\n<body>\n<main>\n"
        + "<h1>Age check</h1>\n"
        + "<p>This page is for people aged " + minAge + " or over. Prove your age with your wallet;"
        + " this site learns only that you are old enough.</p>\n"
        + "<age-gate gateway=\"" + html(s.gatewayUrl()) + "\" site=\"" + html(s.siteId()) + "\" min-age=\"" + minAge
        + "\" callback=\"" + html(callback) + "\" return=\"" + html(returnPath) + "\" binding=\"" + html(binding)
        + "\"></age-gate>\n"
        + "<noscript><p>The age check needs JavaScript: it shows a QR code to scan with your age wallet."
        + " Please enable JavaScript for this site and for " + html(s.gatewayUrl()) + ", then reload.</p></noscript>\n"
        + "</main>\n</body>\n</html>\n";
  }

  /** A problem page for browsers, with a link back to {@code returnPath}. */
  static String problemHtml(String title, String detail, String returnPath) {
    return "<!DOCTYPE html>\n"
        + "<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        + "<meta name=\"robots\" content=\"noindex\">\n"
        + "<title>" + html(title) + "</title>\n</head>\n<body>\n<main>\n"
        + "<h1>" + html(title) + "</h1>\n<p>" + html(detail) + "</p>\n"
        + "<p><a href=\"" + html(returnPath) + "\">Try again</a></p>\n"
        + "</main>\n</body>\n</html>\n";
  }

  /** An RFC 9457 problem document; {@code extra} is appended as raw JSON members (already encoded). */
  static String problemJson(String type, String title, int status, String detail, String extra) {
    return "{\"type\":\"urn:agegate:problem:" + json(type) + "\",\"title\":\"" + json(title) + "\",\"status\":" + status
        + ",\"detail\":\"" + json(detail) + "\"" + extra + "}";
  }

  static String html(String s) {
    StringBuilder b = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  static String json(String s) {
    StringBuilder b = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '<' -> b.append("\\u003c");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.toString();
  }
}
