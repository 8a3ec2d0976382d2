package dev.agegate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agegate.gateway.http.WalletWasmAccess;
import dev.agegate.testsupport.MutableClock;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The web wallet's prover as browsers need it for streaming compilation: {@code application/wasm},
 * and the wallet module's precompressed {@code prover.wasm.gz} with {@code Content-Encoding: gzip}
 * to clients that accept gzip (the test class path holds an 8-byte stand-in module and its gzip).
 */
@ServerTest
class WalletWasmTest {
  static Gateway gateway;
  private static final byte[] STAND_IN = {0, 'a', 's', 'm', 1, 0, 0, 0};

  private final URI uri;
  private final HttpClient http = HttpClient.newHttpClient();

  WalletWasmTest(URI uri) {
    this.uri = uri;
  }

  @SetUpRoute
  static void routing(HttpRouting.Builder routing) {
    gateway = TestGateways.create(MutableClock.ticking(), v -> v, "");
    Main.routing(routing, gateway);
  }

  @AfterAll
  static void close() {
    gateway.close();
  }

  private HttpResponse<byte[]> get(String acceptEncoding) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri.resolve("/wallet/prover.wasm"));
    if (acceptEncoding != null) {
      b.header("Accept-Encoding", acceptEncoding);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  @Test
  void acceptsGzip_precompressedWasm() throws Exception {
    HttpResponse<byte[]> r = get("gzip, deflate, br");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).contains("application/wasm");
    assertThat(r.headers().firstValue("Content-Encoding")).contains("gzip");
    assertThat(r.headers().firstValue("Vary")).hasValueSatisfying(v -> assertThat(v).contains("Accept-Encoding"));
    assertThat(new GZIPInputStream(new ByteArrayInputStream(r.body())).readAllBytes()).containsExactly(STAND_IN);
    assertThat(r.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(v -> assertThat(v).contains("'wasm-unsafe-eval'"));
  }

  @Test
  void noGzip_plainWasm() throws Exception {
    for (String ae : new String[] {null, "identity", "gzip;q=0, br"}) {
      HttpResponse<byte[]> r = get(ae);
      assertThat(r.statusCode()).as(ae).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Type")).as(ae).contains("application/wasm");
      assertThat(r.headers().firstValue("Content-Encoding")).as(ae).isEmpty();
      assertThat(r.body()).as(ae).containsExactly(STAND_IN);
    }
  }

  @Test
  void acceptEncodingParsing() {
    assertThat(WalletWasmAccess.acceptsGzip("gzip")).isTrue();
    assertThat(WalletWasmAccess.acceptsGzip("br;q=1.0, GZIP;q=0.5")).isTrue();
    assertThat(WalletWasmAccess.acceptsGzip("*")).isTrue();
    assertThat(WalletWasmAccess.acceptsGzip("gzip;q=0")).isFalse();
    assertThat(WalletWasmAccess.acceptsGzip("gzip;q=0.000")).isFalse();
    assertThat(WalletWasmAccess.acceptsGzip("deflate, br")).isFalse();
    assertThat(WalletWasmAccess.acceptsGzip("")).isFalse();
  }
}
