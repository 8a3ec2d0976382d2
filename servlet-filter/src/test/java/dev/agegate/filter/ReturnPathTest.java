package dev.agegate.filter;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class ReturnPathTest {

  @ParameterizedTest
  @ValueSource(strings = {"/", "/adult/", "/adult/films?page=2&sort=new", "/a/b%2Fc", "/search?q=%22x%22"})
  void sanitizeWhenSameSitePathThenKept(String path) {
    assertThat(ReturnPath.sanitize(path)).isEqualTo(path);
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {"//evil.example", "///evil.example", "/\\evil.example", "\\\\evil.example",
      "https://evil.example/", "http:/evil.example", "javascript:alert(1)", "data:text/html,x", "evil.example/adult",
      "/\t/evil.example", "/\n/evil.example", "/a\r\nLocation: https://evil.example", "/a b", "/\u00e9", "/a//b", "/\u0000"})
  void sanitizeWhenOffSiteOrOddThenRoot(String path) {
    assertThat(ReturnPath.sanitize(path)).isEqualTo("/");
  }

  @ParameterizedTest
  @ValueSource(ints = {ReturnPath.MAX_LENGTH + 1, 10_000})
  void sanitizeWhenTooLongThenRoot(int length) {
    assertThat(ReturnPath.sanitize("/" + "a".repeat(length - 1))).isEqualTo("/");
  }
}
