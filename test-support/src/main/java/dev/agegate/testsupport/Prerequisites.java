package dev.agegate.testsupport;

import static org.assertj.core.api.Assertions.fail;

import java.util.Locale;
import org.junit.jupiter.api.Assumptions;

/**
 * What a test does when something it needs from the machine is missing (a Redis, a
 * {@code redis-server} binary, {@code openssl}, the built {@code agezk}): it FAILS, with what is
 * missing, how to provide it and how to skip instead. It is skipped only when the run asks for it
 * by name, {@code -Dagegate.skip.NAME=true} or {@code AGEGATE_SKIP_NAME=1}, and never under
 * {@code CI=true}: a local {@code ./run-tests} cannot be green with whole classes unrun.
 * Shared by the modules' tests (test-support, test scope).
 */
public final class Prerequisites {
  private Prerequisites() {}

  /**
   * Fails the calling test (or aborts it, when a skip of {@code name} was asked for outside CI).
   *
   * @param name the skip's name: {@code redis}, {@code openssl}, {@code agezk}
   * @param missing what is missing, e.g. "no Redis at redis://127.0.0.1:6379"
   * @param provide how to provide it, e.g. "start redis-server on 127.0.0.1:6379, as .ci/run does"
   */
  public static void missing(String name, String missing, String provide) {
    String property = "agegate.skip." + name;
    String env = "AGEGATE_SKIP_" + name.toUpperCase(Locale.ROOT);
    boolean ci = "true".equalsIgnoreCase(System.getenv("CI"));
    if (skipAsked(property, env) && !ci) {
      Assumptions.abort(missing + ": skipped as asked (" + property + " / " + env + ")");
    }
    fail(missing + " (" + provide + ")" + (ci
        ? "; under CI=true nothing is skipped"
        : "; to skip these tests instead, run with -D" + property + "=true or " + env + "=1"));
  }

  private static boolean skipAsked(String property, String env) {
    String e = System.getenv(env);
    return Boolean.parseBoolean(System.getProperty(property)) || "1".equals(e) || "true".equalsIgnoreCase(e);
  }
}
