package dev.agegate.scaleout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agegate.testsupport.RedisServers;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A seeded fuzz run of every HTTP endpoint of one real gateway process (Redis store): random
 * and mutated bodies (JSON, forms, bytes, deep nesting, huge numbers, control characters),
 * wrong and missing content types, oversized bodies, random headers and methods, ids that
 * exist and ids that do not, and malformed HTTP written to a raw socket. Passes when no answer
 * is a 5xx (a 503 would need a real outage, and there is none), every request gets an answer
 * (a connection closed or reset without a status line fails it, and so does one that stalls
 * past {@value #ANSWER_SECONDS} s), the process is alive at the end, and its memory is flat.
 *
 * <p>Memory bound: the gateway runs with {@code -Xmx256m}; its resident set after the second
 * half of the run may exceed the one after the first half by at most {@value #RSS_GROWTH_MIB}
 * MiB (a leak proportional to requests would show as steady growth between the halves), and
 * the end may exceed the warmed-up start by at most {@value #RSS_TOTAL_MIB} MiB (heap
 * expansion within -Xmx, JIT code cache). Seed: {@code -Dagegate.fuzz.seed} (default 6),
 * count: {@code -Dagegate.fuzz.count} (default 6000).
 */
class HttpFuzzIT {
  static final int RSS_GROWTH_MIB = 48;
  static final int RSS_TOTAL_MIB = 160;
  /** Bound on each answer: far above any real one (milliseconds), so only a stall reaches it. */
  static final int ANSWER_SECONDS = 15;

  static final String[] METHODS = {"GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"};
  static final String[] TYPES = {"application/json", "application/x-www-form-urlencoded", "text/plain",
      "application/json; charset=utf-16", "multipart/form-data; boundary=x", "", "*/*", "application/problem+json",
      "application/x-www-form-urlencoded; charset=\u00ff"};

  /**
   * 5xx answers found by this fuzz run whose fix lies outside this project, each counted and
   * printed, and failing the test with {@code -Dagegate.fuzz.strict=true}. Remove an entry
   * once its cause is fixed. (The deep-nesting body, once listed here, is fixed: http/Bodies
   * maps Parsson's nesting error to 400, so a 500 for it fails the test.)
   */
  static final Map<String, String> KNOWN = Map.of(
      "raw-control-method", "Helidon 4.5.0: a request line whose method holds control characters is answered 500"
          + " (empty body, connection closed) by Http1Prologue before any gateway code runs");

  final Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
  final List<String> serverErrors = java.util.Collections.synchronizedList(new ArrayList<>());
  /** Requests that got no answer: connection closed or reset without a status line, or a stall. */
  final List<String> unanswered = java.util.Collections.synchronizedList(new ArrayList<>());
  final Map<String, AtomicInteger> known = new ConcurrentHashMap<>();

  @Test
  void endpoints_seededRandomAndMalformedInput_no5xxNoCrashFlatMemory() throws Exception {
    long seed = Long.getLong("agegate.fuzz.seed", 6);
    int count = Integer.getInteger("agegate.fuzz.count", 6000);
    Fixture f = Fixture.get();
    String redis = RedisServers.shared();
    String prefix = "agegate-fuzz:" + UUID.randomUUID().toString().substring(0, 8) + ":";
    try (GatewayProcess g = GatewayProcess.startOnFreePort("fuzz", port -> f.node("Z", redis, prefix, "http://127.0.0.1:" + port), f.work)) {
      String base = g.url();
      // Real ids, so the fuzz reaches past the lookups.
      List<Wallet.Check> real = new ArrayList<>();
      List<Wallet.Request> reqs = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        Wallet.Check c = Wallet.create(base, null);
        real.add(c);
        reqs.add(Wallet.fetch(base, c));
      }
      Wallet.Check proven = Wallet.create(base, null);
      Wallet.Request provenReq = Wallet.fetch(base, proven);
      String validVp = Wallet.prove(provenReq);

      int warm = count / 6;
      run(base, new Random(seed), warm, real, reqs, validVp);
      long rss0 = g.rssKib();
      int half = (count - warm) / 2;
      run(base, new Random(seed + 1), half, real, reqs, validVp);
      long rss1 = g.rssKib();
      run(base, new Random(seed + 2), count - warm - half, real, reqs, validVp);
      long rss2 = g.rssKib();

      System.out.printf("fuzz seed %d: %d requests, statuses %s; RSS KiB warm %d, half %d, end %d%n", seed, count,
          new java.util.TreeMap<>(statuses), rss0, rss1, rss2);
      known.forEach((k, n) -> System.out.printf("KNOWN 5xx (%d×) %s: %s%n", n.get(), k, KNOWN.get(k)));
      assertThat(serverErrors).as("5xx answers").isEmpty();
      assertThat(unanswered).as("requests without an answer (dropped or stalled)").isEmpty();
      if (Boolean.getBoolean("agegate.fuzz.strict")) {
        assertThat(known).as("known 5xx answers (strict)").isEmpty();
      }
      assertThat(g.alive()).isTrue();
      assertThat(Wallet.get(g.adminUrl() + "/health").status()).isEqualTo(204);
      // Still correct after the run: the proven check verifies once.
      assertThat(Wallet.respond(base, proven, validVp, provenReq.state()).status()).isEqualTo(200);
      assertThat(rss2 - rss1).as("RSS growth between halves, KiB").isLessThanOrEqualTo(RSS_GROWTH_MIB * 1024L);
      assertThat(rss2 - rss0).as("RSS growth since warm-up, KiB").isLessThanOrEqualTo(RSS_TOTAL_MIB * 1024L);
    }
  }

  private void run(String base, Random seeded, int n, List<Wallet.Check> real, List<Wallet.Request> reqs, String validVp)
      throws Exception {
    // One seeded plan, then four workers: the requests are reproducible, their order across workers is not.
    List<Runnable> plan = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      long s = seeded.nextLong();
      plan.add(() -> one(base, new Random(s), real, reqs, validVp));
    }
    try (ExecutorService ex = Executors.newFixedThreadPool(4)) {
      List<Future<?>> fs = new ArrayList<>();
      for (Runnable r : plan) {
        fs.add(ex.submit(r));
      }
      for (Future<?> fut : fs) {
        // each request is bounded, so the whole batch is: this only guards against a hung client
        fut.get(ANSWER_SECONDS * 2L * n, java.util.concurrent.TimeUnit.SECONDS);
      }
    }
  }

  private void one(String base, Random r, List<Wallet.Check> real, List<Wallet.Request> reqs, String validVp) {
    String what = "?";
    try {
      if (r.nextInt(10) == 0) {
        raw(base, r);
        return;
      }
      int k = r.nextInt(real.size());
      Wallet.Check c = real.get(k);
      String id = switch (r.nextInt(4)) {
        case 0 -> c.tx();
        case 1 -> c.requestId();
        case 2 -> randomText(r, r.nextInt(40));
        default -> UUID.randomUUID().toString();
      };
      String path = switch (r.nextInt(13)) {
        case 0 -> "/v1/checks";
        case 1 -> "/v1/checks/" + enc(id);
        case 2 -> "/v1/checks/" + enc(randomText(r, 22)) + "/events";
        case 3 -> "/v1/checks/" + enc(id) + "/qr.svg";
        case 4 -> "/v1/checks/" + enc(id) + "/token";
        case 5 -> "/v1/requests/" + enc(id);
        case 6, 7 -> "/v1/responses/" + enc(id);
        case 8 -> "/v1/trust-list?root=" + enc(randomText(r, 64));
        case 9 -> "/v1/circuits/" + enc(randomText(r, 64)) + "/proving-key";
        case 10 -> "/.well-known/jwks.json";
        case 11 -> "/demo/issuer/credentials";
        default -> "/" + enc(randomText(r, r.nextInt(200)));
      };
      String method = r.nextInt(3) == 0 ? METHODS[r.nextInt(METHODS.length)] : (path.contains("/v1/checks/") && !path.endsWith("token") ? "GET" : "POST");
      String[] kind = new String[1];
      byte[] body = body(r, reqs.get(k), validVp, kind);
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(ANSWER_SECONDS));
      String type = TYPES[r.nextInt(TYPES.length)];
      if (!type.isEmpty()) {
        b.header("Content-Type", type);
      }
      if (r.nextBoolean()) {
        b.header("Origin", r.nextBoolean() ? Fixture.ORIGIN : "http://" + randomAscii(r, 12) + ".example");
      }
      for (int h = r.nextInt(4); h > 0; h--) {
        b.header("X-Fuzz-" + randomAscii(r, 6), randomAscii(r, r.nextInt(2000)));
      }
      if (r.nextInt(8) == 0) {
        b.header("Accept", randomAscii(r, 30));
      }
      HttpRequest.BodyPublisher p = body.length == 0 && r.nextBoolean() ? HttpRequest.BodyPublishers.noBody()
          : HttpRequest.BodyPublishers.ofByteArray(body);
      b.method(method, method.equals("GET") || method.equals("HEAD") ? HttpRequest.BodyPublishers.noBody() : p);
      what = method + " " + path.substring(0, Math.min(80, path.length())) + " (" + kind[0] + ", " + type + ")";
      HttpResponse<byte[]> resp = Wallet.HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
      record(resp.statusCode(), method + " " + path, method.equals("GET") || method.equals("HEAD") ? null : kind[0]);
    } catch (HttpTimeoutException e) {
      statuses.computeIfAbsent(-2, x -> new AtomicInteger()).incrementAndGet();
      unanswered.add("stalled past " + ANSWER_SECONDS + " s: " + what);
    } catch (IOException e) {
      // well-formed HTTP always gets an answer, even a 400 or 413 before the body is read
      statuses.computeIfAbsent(-1, x -> new AtomicInteger()).incrementAndGet();
      unanswered.add("dropped (" + e + "): " + what);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IllegalArgumentException e) {
      // the client refused to send it (a header value it forbids): not a request
    }
  }

  private void record(int status, String what, String kind) {
    statuses.computeIfAbsent(status, x -> new AtomicInteger()).incrementAndGet();
    if (status == 500 && kind != null && KNOWN.containsKey(kind)) {
      known.computeIfAbsent(kind, x -> new AtomicInteger()).incrementAndGet();
    } else if (status >= 500) {
      serverErrors.add(status + " " + what.substring(0, Math.min(120, what.length())));
    }
  }

  private static byte[] body(Random r, Wallet.Request q, String validVp, String[] kind) {
    int pick = r.nextInt(12);
    kind[0] = pick == 4 ? "deep-nesting" : "body-" + pick;
    String s = switch (pick) {
      case 0 -> "";
      case 1 -> "{\"site\":\"demo-shop\",\"min_age\":" + weirdNumber(r) + ",\"code_challenge\":\"" + randomText(r, 43)
          + "\",\"code_challenge_method\":\"S256\",\"binding\":" + weirdJson(r) + "}";
      case 2 -> "vp_token=" + enc(mutate(r, validVp)) + "&state=" + enc(r.nextBoolean() ? q.state() : randomText(r, 22));
      case 3 -> "vp_token=" + enc(validVp) + "&state=" + enc(q.state()) + "&vp_token=" + enc(randomText(r, 10));
      case 4 -> "[".repeat(r.nextInt(5000)) + "]".repeat(r.nextInt(5000));
      case 5 -> "{\"code_verifier\":" + weirdJson(r) + "}";
      case 6 -> "{\"holder_commitment\":\"" + randomText(r, 64) + "\",\"birth_date\":\"" + randomText(r, 10) + "\"}";
      case 7 -> "x".repeat(16_000 + r.nextInt(30_000));
      case 8 -> mutate(r, "{\"site\":\"demo-shop\",\"min_age\":18,\"code_challenge\":\"" + "a".repeat(43)
          + "\",\"code_challenge_method\":\"S256\"}");
      case 9 -> "%" + randomText(r, 300) + "=%zz&&==&" + "a=".repeat(r.nextInt(3000));
      case 10 -> "vp_token=" + enc("{\"age_proof\":[" + weirdJson(r) + "]}") + "&state=" + enc(q.state());
      default -> null;
    };
    if (s == null) {
      byte[] b = new byte[r.nextInt(20_000)];
      r.nextBytes(b);
      return b;
    }
    return s.getBytes(r.nextInt(10) == 0 ? StandardCharsets.UTF_16 : StandardCharsets.UTF_8);
  }

  private static String weirdNumber(Random r) {
    String[] n = {"1e309", "-0", "18.5", "99999999999999999999999999", "NaN", "\"18\"", "null", "[18]", "0x12", "1E-400"};
    return n[r.nextInt(n.length)];
  }

  private static String weirdJson(Random r) {
    String[] v = {"null", "true", "{}", "[]", "\"\"", "\"" + "\\u0000".repeat(10) + "\"", "\"\\ud800\"", "1e999",
        "\"" + "a".repeat(70) + "\"", "{\"a\":" .repeat(300) + "1" + "}".repeat(300)};
    return v[r.nextInt(v.length)];
  }

  private static String mutate(Random r, String s) {
    StringBuilder b = new StringBuilder(s);
    for (int i = r.nextInt(6); i >= 0 && b.length() > 0; i--) {
      int at = r.nextInt(b.length());
      switch (r.nextInt(3)) {
        case 0 -> b.deleteCharAt(at);
        case 1 -> b.insert(at, (char) r.nextInt(0x3000));
        default -> b.setCharAt(at, (char) (32 + r.nextInt(95)));
      }
    }
    return b.toString();
  }

  private static String randomText(Random r, int n) {
    StringBuilder b = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      int k = r.nextInt(10);
      b.append(k < 7 ? (char) ('A' + r.nextInt(58)) : k < 9 ? (char) (32 + r.nextInt(95)) : (char) r.nextInt(0x2FFF));
    }
    return b.toString();
  }

  private static String randomAscii(Random r, int n) {
    StringBuilder b = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      b.append((char) ('a' + r.nextInt(26)));
    }
    return b.toString();
  }

  private static String enc(String s) {
    return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** Malformed HTTP straight onto a socket; only the status line of an answer is read. */
  private void raw(String base, Random r) throws IOException {
    URI u = URI.create(base);
    String[] garbage = {
        "GET /v1/checks HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
        "POST /v1/checks HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
        "POST /v1/responses/abc HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\nContent-Length: 20\r\n\r\n0123456789",
        "GET /" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: x\r\nX: " + "b".repeat(40_000) + "\r\n\r\n",
        "\u0000\u0001\u0002 garbage\r\n\r\n",
        "GET /v1/checks HTTP/9.9\r\n\r\n",
        "POST /v1/checks HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000000\r\n\r\n{",
        "GET /v1/checks/%ZZ HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /v1/checks HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n",
    };
    int pick = r.nextInt(garbage.length);
    String req = garbage[pick];
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(u.getHost(), u.getPort()), 2000);
      s.setSoTimeout(ANSWER_SECONDS * 1000);
      OutputStream out = s.getOutputStream();
      out.write(req.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      s.shutdownOutput();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      int ch;
      while ((ch = in.read()) >= 0 && ch != '\n' && line.size() < 200) {
        line.write(ch);
      }
      String status = line.toString(StandardCharsets.ISO_8859_1);
      if (status.startsWith("HTTP/")) {
        String[] parts = status.split(" ");
        record(Integer.parseInt(parts[1]), "raw " + req.substring(0, Math.min(40, req.length())).replace("\r\n", " "),
            pick == 5 ? "raw-control-method" : "raw-" + pick);
      } else {
        statuses.computeIfAbsent(-1, x -> new AtomicInteger()).incrementAndGet();
        unanswered.add("raw " + pick + " closed without a status line (" + status.length() + " bytes)");
      }
    } catch (java.net.SocketTimeoutException e) {
      statuses.computeIfAbsent(-2, x -> new AtomicInteger()).incrementAndGet();
      unanswered.add("raw " + pick + " stalled past " + ANSWER_SECONDS + " s");
    } catch (IOException e) {
      statuses.computeIfAbsent(-1, x -> new AtomicInteger()).incrementAndGet();
      unanswered.add("raw " + pick + " dropped (" + e + ")");
    }
  }
}
