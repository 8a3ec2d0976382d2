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
   * docs/protocol.md, in {@code lang}.
   *
   * @param integrity the widget's SRI value, or null to load it without
   * @param checkJson a check the filter created server-side (the gateway's JSON), or null
   * @param codeVerifier that check's PKCE verifier, or null
   */
  static String gate(Settings s, String lang, String integrity, String callback, String returnPath, int minAge,
                     String binding, String checkJson, String codeVerifier) {
    Lang.Words w = Lang.words(lang);
    String host = java.net.URI.create(s.gatewayUrl()).getHost();
    String pre = checkJson == null ? ""
        : " check=\"" + html(checkJson) + "\" code-verifier=\"" + html(codeVerifier) + "\"";
    return "<!DOCTYPE html>\n"
        + "<html lang=\"" + lang + "\">\n<head>\n<meta charset=\"utf-8\">\n"
        + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        + "<meta name=\"robots\" content=\"noindex\">\n"
        + ICON
        + "<title>" + html(w.title()) + "</title>\n"
        + "<script src=\"" + html(s.widgetUrl()) + "\""
        + (integrity == null ? "" : " integrity=\"" + html(integrity) + "\"") + " crossorigin=\"anonymous\" defer></script>\n"
        + "</head>\n<body>\n<main>\n"
        + "<h1>" + html(w.title()) + "</h1>\n"
        + "<p>" + html(w.lead().replace("{0}", Integer.toString(minAge))) + "</p>\n"
        + "<age-gate lang=\"" + lang + "\" gateway=\"" + html(s.gatewayUrl()) + "\" site=\"" + html(s.siteId()) + "\" min-age=\"" + minAge
        + "\" callback=\"" + html(callback) + "\" return=\"" + html(returnPath) + "\" binding=\"" + html(binding) + "\"" + pre + ">"
        // Shown only while the element is not upgraded (the widget's shadow root has no slot).
        + "<p data-part=\"fallback\">" + html(w.fallback().replace("{0}", host)) + "</p></age-gate>\n"
        + "<noscript><p>" + html(w.noscript().replace("{0}", s.gatewayUrl())) + "</p></noscript>\n"
        + "</main>\n</body>\n</html>\n";
  }

  /** An empty icon, so a browser does not ask for /favicon.ico (a 404 in its console); img-src allows data:. */
  static final String ICON = "<link rel=\"icon\" href=\"data:,\">\n";

  /** A problem page for browsers, in {@code lang}, with a link back to {@code returnPath}. */
  static String problemHtml(String lang, String title, String detail, String returnPath) {
    return "<!DOCTYPE html>\n"
        + "<html lang=\"" + lang + "\">\n<head>\n<meta charset=\"utf-8\">\n"
        + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        + "<meta name=\"robots\" content=\"noindex\">\n"
        + ICON
        + "<title>" + html(title) + "</title>\n</head>\n<body>\n<main>\n"
        + "<h1>" + html(title) + "</h1>\n<p>" + html(detail) + "</p>\n"
        + "<p><a href=\"" + html(returnPath) + "\">" + html(Lang.problem(lang, "try", "Try again")) + "</a></p>\n"
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
