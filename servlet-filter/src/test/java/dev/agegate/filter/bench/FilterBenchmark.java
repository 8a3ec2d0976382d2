package dev.agegate.filter.bench;

import dev.agegate.filter.AgeGateFilter;
import dev.agegate.filter.support.TestGateway;
import jakarta.servlet.FilterChain;
import jakarta.servlet.http.Cookie;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The filter's overhead per request (a measurement, not a test: nothing here asserts a time).
 *
 * <ul>
 *   <li>{@code cachedCookie}: a gated request with a valid age cookie already verified once,
 *       through to the chain. Goal: median ≤ 10 µs.</li>
 *   <li>{@code firstVerification}: the callback with a token never seen before: parse, ES256
 *       signature, claims, binding, cookie, 303. Goal: median ≤ 1 ms. Signing the token is done
 *       outside the measured call.</li>
 *   <li>{@code ungated}: a request no rule covers, the floor.</li>
 * </ul>
 *
 * Run: {@code mvn -f servlet-filter/pom.xml -Pbench test-compile exec:exec} (see README).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class FilterBenchmark {

  private static final String NONCE = "bench-nonce-0123456789abcdefghijklmnopqrstu".substring(0, 43);
  private static final FilterChain CHAIN = (req, resp) -> { };

  private TestGateway gateway;
  private AgeGateFilter filter;
  private String binding;
  private final FakeExchange.Request cached = new FakeExchange.Request();
  private final FakeExchange.Request ungated = new FakeExchange.Request();
  private final FakeExchange.Response response = new FakeExchange.Response();

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    gateway = new TestGateway(Clock.systemUTC());
    filter = AgeGateFilter.builder()
        .gatewayUrl(gateway.url())
        .siteId(TestGateway.SITE)
        .rule("/spirits/*", 21)
        .rule("/adult/*", 18)
        .exclude("/adult/public/*")
        .tokenCacheSize(1_000_000)
        .build();
    filter.init(null);
    binding = Base64.getUrlEncoder().withoutPadding().encodeToString(
        MessageDigest.getInstance("SHA-256").digest(NONCE.getBytes(StandardCharsets.US_ASCII)));

    cached.path = "/adult/films";
    cached.cookies = new Cookie[] {new Cookie("session", "abc"), new Cookie("agegate_nonce", NONCE),
        new Cookie("agegate", gateway.token(18, binding))};
    ungated.path = "/shop/bread";
    filter.doFilter(cached, response, CHAIN);
    if (response.status != 200) {
      throw new IllegalStateException("the cached cookie was refused: " + response.status);
    }
  }

  /** A callback carrying a token signed just before the call: every call verifies from scratch. */
  @State(Scope.Thread)
  public static class Fresh {
    final FakeExchange.Request callback = new FakeExchange.Request();
    final FakeExchange.Response response = new FakeExchange.Response();

    @Setup(Level.Trial)
    public void setUp() {
      callback.method = "POST";
      callback.path = "/agegate/callback";
      callback.returnPath = "/adult/films";
      callback.cookies = new Cookie[] {new Cookie("agegate_nonce", NONCE)};
    }

    @Setup(Level.Invocation)
    public void freshToken(FilterBenchmark bench) {
      callback.token = bench.gateway.token(18, bench.binding);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    filter.destroy();
    gateway.close();
    if (response.status != 303 && response.status != 200) {
      throw new IllegalStateException("unexpected status " + response.status);
    }
  }

  @Benchmark
  public int cachedCookie() throws Exception {
    response.status = 200;
    filter.doFilter(cached, response, CHAIN);
    return response.status;
  }

  @Benchmark
  public int firstVerification(Fresh fresh) throws Exception {
    fresh.response.status = 200;
    filter.doFilter(fresh.callback, fresh.response, CHAIN);
    if (fresh.response.status != 303) {
      throw new IllegalStateException("fresh token refused: " + fresh.response.status);
    }
    return fresh.response.status;
  }

  @Benchmark
  public int ungated() throws Exception {
    filter.doFilter(ungated, response, CHAIN);
    return response.status;
  }
}
