package dev.agegate.filter;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * URL patterns mapped to minimum ages, and patterns that are never gated. Patterns follow
 * the Servlet mapping syntax: {@code /exact}, {@code /prefix/*} (which also matches
 * {@code /prefix}), {@code *.ext}, and {@code /*} for everything. Matched against the path
 * inside the web application as the container decoded and normalised it.
 *
 * <p>When several rules match, the highest age wins (a mistake in the rules gates more, not
 * less); an excluded pattern wins over every rule. Immutable and thread-safe.
 */
final class PathRules {

  private final List<Pattern> rules;
  private final List<Pattern> excludes;

  private PathRules(List<Pattern> rules, List<Pattern> excludes) {
    this.rules = List.copyOf(rules);
    this.excludes = List.copyOf(excludes);
  }

  /**
   * @param rules    pattern → minimum age, at least one
   * @param excludes patterns never gated
   * @throws AgeGateConfigException naming {@code rules} or {@code exclude} on a bad pattern or age
   */
  static PathRules of(Map<String, Integer> rules, List<String> excludes) {
    if (rules.isEmpty()) {
      throw new AgeGateConfigException(InitParams.RULES, "at least one rule is required, e.g. /adult/*=18");
    }
    List<Pattern> r = new ArrayList<>();
    for (Map.Entry<String, Integer> e : new LinkedHashMap<>(rules).entrySet()) {
      int age = e.getValue();
      if (age < 1 || age > 150) {
        throw new AgeGateConfigException(InitParams.RULES, "age for " + e.getKey() + " must be 1..150: " + age);
      }
      r.add(Pattern.parse(InitParams.RULES, e.getKey(), age));
    }
    List<Pattern> x = new ArrayList<>();
    for (String p : excludes) {
      x.add(Pattern.parse(InitParams.EXCLUDE, p, 0));
    }
    return new PathRules(r, x);
  }

  /** @return the minimum age {@code path} requires, or 0 when it is not gated */
  int minAgeFor(String path) {
    for (Pattern p : excludes) {
      if (p.matches(path)) {
        return 0;
      }
    }
    int age = 0;
    for (Pattern p : rules) {
      if (p.age > age && p.matches(path)) {
        age = p.age;
      }
    }
    return age;
  }

  @Override
  public String toString() {
    return "rules " + rules + ", excludes " + excludes;
  }

  private record Pattern(String text, Kind kind, String part, int age) {
    enum Kind { EXACT, PREFIX, EXTENSION, ALL }

    static Pattern parse(String key, String text, int age) {
      if (text == null || text.isEmpty() || !text.chars().allMatch(c -> c > 0x20 && c < 0x7f)
          || text.indexOf(',') >= 0 || text.indexOf('=') >= 0) {
        throw new AgeGateConfigException(key, "bad URL pattern '" + text + "'");
      }
      if (text.equals("/*")) {
        return new Pattern(text, Kind.ALL, "", age);
      }
      if (text.startsWith("*.") && text.length() > 2 && text.indexOf('*', 1) < 0 && text.indexOf('/') < 0) {
        return new Pattern(text, Kind.EXTENSION, text.substring(1), age);
      }
      if (text.startsWith("/") && text.endsWith("/*") && text.indexOf('*') == text.length() - 1) {
        return new Pattern(text, Kind.PREFIX, text.substring(0, text.length() - 2), age);
      }
      if (text.startsWith("/") && text.indexOf('*') < 0) {
        return new Pattern(text, Kind.EXACT, text, age);
      }
      throw new AgeGateConfigException(key, "bad URL pattern '" + text
          + "' (use /exact, /prefix/*, *.ext or /*)");
    }

    boolean matches(String path) {
      return switch (kind) {
        case ALL -> true;
        case EXACT -> path.equals(part);
        case PREFIX -> path.startsWith(part) && (path.length() == part.length() || path.charAt(part.length()) == '/');
        case EXTENSION -> path.endsWith(part) && path.lastIndexOf('/') < path.length() - part.length();
      };
    }

    @Override
    public String toString() {
      return age > 0 ? text + "=" + age : text;
    }
  }
}
