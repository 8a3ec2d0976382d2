package dev.agegate.filter;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PathRulesTest {

  private static final PathRules RULES;

  static {
    Map<String, Integer> rules = new LinkedHashMap<>();
    rules.put("/adult/*", 18);
    rules.put("/spirits/*", 21);
    rules.put("/shop/cellar/*", 21);
    rules.put("/shop/*", 16);
    rules.put("/films/trailer.html", 12);
    rules.put("*.mkv", 18);
    RULES = PathRules.of(rules, List.of("/adult/public/*", "/shop/cellar/map.png"));
  }

  @ParameterizedTest
  @CsvSource({
      "/, 0",
      "/index.html, 0",
      "/adult, 18",
      "/adult/, 18",
      "/adult/films/1, 18",
      "/adultery, 0",
      "/adult/public/terms, 0",
      "/adult/public, 0",
      "/spirits/rum, 21",
      "/shop/bread, 16",
      "/shop/cellar/wine, 21",
      "/shop/cellar/map.png, 0",
      "/films/trailer.html, 12",
      "/films/trailer.html/x, 0",
      "/films/a.mkv, 18",
      "/films.mkv/a, 0",
      "/adult/a.mkv, 18",
  })
  void minAgeForWhenPathThenHighestMatchingAge(String path, int age) {
    assertThat(RULES.minAgeFor(path)).isEqualTo(age);
  }

  @ParameterizedTest
  @CsvSource({"/x, 0", "/anything/at/all, 21"})
  void minAgeForWhenCatchAllRuleThenEverythingGated(String path, int age) {
    PathRules all = PathRules.of(Map.of("/*", 21), List.of("/x"));
    assertThat(all.minAgeFor(path)).isEqualTo(age);
  }
}
