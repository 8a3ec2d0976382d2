package dev.agegate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agegate.gateway.family.zk.Presentation;
import dev.agegate.zk.DevKeys;
import dev.agegate.zk.FieldElement;
import dev.agegate.zk.Prover;
import dev.agegate.zk.PublicInputs;
import dev.agegate.zk.Verifier;
import dev.agegate.zk.ZkStatus;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webserver.WebServer;
import jakarta.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * A load benchmark, not a test (no timed asserts): the latency of {@code POST /v1/responses}
 * over real HTTP (loopback, keep-alive, one request at a time) beside the raw native
 * verification of the same proofs. Each response needs its own check and proof, so N proofs are
 * made first (about 0.3 s each). Run:
 *
 * <pre>mvn -pl gateway test -Dtest=ResponsesBench -Dagegate.bench=true [-Dagegate.bench.n=200] [-Dagegate.bench.audit-force=interval]</pre>
 *
 * Prints the medians and their ratio and writes them to target/bench-responses.txt. Also timed,
 * to show where time goes: {@code Responses.respond} in process from a platform and from a
 * virtual thread (the same work without HTTP), and a refused POST (HTTP without verification).
 * {@code agegate.bench.audit-force} sets the audit log's {@code force} ({@code always}, the
 * default, forces every decision to the disk before the answer; {@code interval} shows what
 * that durability costs) and names the report {@code target/bench-responses-<force>.txt}.
 */
@EnabledIfSystemProperty(named = "agegate.bench", matches = "true")
class ResponsesBench {
  record Prepared(String requestId, String vpToken, String state, byte[] proof, PublicInputs inputs) {}

  @Test
  void respond_vsRawVerify_medians() throws Exception {
    int n = Integer.getInteger("agegate.bench.n", 120);
    int warmup = Math.max(10, n / 10);
    String force = System.getProperty("agegate.bench.audit-force", "always");
    if (!force.matches("always|interval|never")) {
      throw new IllegalArgumentException("agegate.bench.audit-force must be always, interval or never: " + force);
    }
    Gateway gateway = TestGateways.create(Clock.systemUTC(), v -> v, "\n  audit:\n    force: " + force);
    WebServer server = WebServer.builder().port(0).routing(r -> Main.routing(r, gateway)).build().start();
    Http1Client client = Http1Client.builder().baseUri("http://localhost:" + server.port()).build();
    Api api = new Api(client);
    try (Verifier raw = Verifier.load(Fixture.KEYS.resolve(DevKeys.VERIFYING_KEY))) {
      List<Prepared> all = new ArrayList<>();
      for (int i = 0; i < 3 * (n + warmup); i++) {
        Api.Started s = api.start("shop", 18, TestGateways.SHOP_ORIGIN);
        JsonObject c = s.claims();
        JsonObject a = c.getJsonObject("agegate");
        Prover.Proof p = Fixture.get().prover.prove(Fixture.get().credential, Fixture.get().holder, Fixture.get().trustList,
            new Prover.ProofRequest(LocalDate.parse(a.getString("today")), 18, a.getInt("min_assurance"),
                c.getString("nonce"), a.getString("audience"), "shop"));
        PublicInputs in = PublicInputs.of(FieldElement.fromHex(a.getString("issuer_root")), LocalDate.parse(a.getString("today")),
            18, a.getInt("min_assurance"), c.getString("nonce"), a.getString("audience"), "shop", p.nullifier());
        all.add(new Prepared(s.requestId(), Presentation.vpToken(p.proof(), p.nullifier()), s.state(), p.proof(), in));
      }
      // Warm the HTTP path's JIT with cheap requests through the same handler (refused for state).
      Prepared w = all.get(0);
      for (int i = 0; i < 3000; i++) {
        api.respond(w.requestId(), w.vpToken(), "wrong-state");
        api.get("/v1/requests/" + w.requestId());
      }
      long[] pollNs = new long[n];
      for (int i = 0; i < n; i++) {
        long t0 = System.nanoTime();
        api.respond(w.requestId(), w.vpToken(), "wrong-state");
        pollNs[i] = System.nanoTime() - t0;
      }
      long[] rawNs = new long[n];
      long[] httpNs = new long[n];
      long[] inProcessNs = new long[n];
      for (int i = 0; i < n + warmup; i++) {
        Prepared p = all.get(3 * i);
        Prepared q = all.get(3 * i + 1);
        Prepared v = all.get(3 * i + 2);
        long[] vt = new long[1];
        Thread th = Thread.ofVirtual().start(() -> {
          long s0 = System.nanoTime();
          gateway.responses.respond(v.requestId(), v.vpToken(), v.state());
          vt[0] = System.nanoTime() - s0;
        });
        th.join();
        if (i >= warmup) {
          VT[i - warmup] = vt[0];
        }
        long t0 = System.nanoTime();
        ZkStatus st = raw.verify(p.proof(), p.inputs());
        long t1 = System.nanoTime();
        Api.Resp r = api.respond(p.requestId(), p.vpToken(), p.state());
        long t2 = System.nanoTime();
        gateway.responses.respond(q.requestId(), q.vpToken(), q.state());
        long t3 = System.nanoTime();
        assertThat(st).isEqualTo(ZkStatus.OK);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        if (i >= warmup) {
          rawNs[i - warmup] = t1 - t0;
          httpNs[i - warmup] = t2 - t1;
          inProcessNs[i - warmup] = t3 - t2;
        }
      }
      io.helidon.metrics.api.Timer timer = io.helidon.metrics.api.Metrics.getTimer("agegate.verification",
          io.helidon.metrics.api.Metrics.tags("family", "agegate-zk")).orElseThrow();
      double rawMed = median(rawNs) / 1e6;
      double httpMed = median(httpNs) / 1e6;
      String report = String.format(
          "POST /v1/responses vs raw verify, n=%d (after %d warm-up), %d cores, audit force %s%n"
              + "raw Verifier.verify   median %.3f ms  p90 %.3f ms%n"
              + "POST /v1/responses    median %.3f ms  p90 %.3f ms%n"
              + "ratio (median)        %.2fx  (goal <= 1.30x)%n"
              + "HTTP floor: a refused POST /v1/responses (no verification) median %.3f ms%n"
              + "native verify inside the gateway (pool thread): mean %.3f ms over %d%n"
              + "Responses.respond in process (pool hand-off, no HTTP): median %.3f ms%n",
          n, warmup, Runtime.getRuntime().availableProcessors(), force, rawMed, pct(rawNs, 0.9) / 1e6, httpMed,
          pct(httpNs, 0.9) / 1e6, httpMed / rawMed, median(pollNs) / 1e6,
          timer.mean(java.util.concurrent.TimeUnit.MICROSECONDS) / 1e3, timer.count(), median(inProcessNs) / 1e6);
      report += String.format("Responses.respond in process from a virtual thread: median %.3f ms%n",
          median(Arrays.copyOf(VT, n)) / 1e6);
      System.out.print(report);
      Files.writeString(Path.of("always".equals(force) ? "target/bench-responses.txt" : "target/bench-responses-" + force + ".txt"), report);
    } finally {
      server.stop();
      gateway.close();
    }
  }

  static long[] VT = new long[1000];

  private static double median(long[] v) {
    return pct(v, 0.5);
  }

  private static double pct(long[] v, double q) {
    long[] s = v.clone();
    Arrays.sort(s);
    return s[(int) Math.min(s.length - 1, Math.round(q * (s.length - 1)))];
  }
}
