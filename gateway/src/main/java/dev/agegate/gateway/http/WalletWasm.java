package dev.agegate.gateway.http;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Locale;

/**
 * {@code GET /wallet/prover.wasm}: the web wallet's prover as {@code application/wasm} (which
 * {@code WebAssembly.instantiateStreaming} requires and Helidon's static content does not know),
 * and precompressed: the wallet module ships {@code prover.wasm.gz} next to it (gzip -9 at build
 * time), sent with {@code Content-Encoding: gzip} to every client that accepts gzip, so the
 * gateway never compresses 17 MB per download. Both come from the class path
 * ({@code META-INF/resources/wallet/}); when neither is there, the next route (static content)
 * answers, with its 404. Thread-safe.
 */
public final class WalletWasm implements HttpService {
  private static final String DIR = "META-INF/resources/wallet/";
  private static final String NAME = "prover.wasm";

  private final ClassLoader loader;
  private volatile byte[] gzipped;

  public WalletWasm(ClassLoader loader) {
    this.loader = loader;
  }

  @Override
  public void routing(HttpRules rules) {
    rules.get("/" + NAME, this::send);
  }

  private void send(ServerRequest req, ServerResponse res) {
    byte[] gz = acceptsGzip(req.headers().first(HeaderNames.ACCEPT_ENCODING).orElse("")) ? gzipped() : null;
    if (gz == null && loader.getResource(DIR + NAME) == null) {
      res.next();
      return;
    }
    res.header(HeaderNames.CONTENT_TYPE, "application/wasm");
    res.header(HeaderNames.VARY, "Accept-Encoding");
    res.header(HeaderNames.CACHE_CONTROL, "no-cache");
    if (gz != null) {
      res.header(HeaderNames.CONTENT_ENCODING, "gzip");
      res.send(gz);
      return;
    }
    try (InputStream in = loader.getResourceAsStream(DIR + NAME); OutputStream out = res.outputStream()) {
      in.transferTo(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The precompressed prover, read once; null when the wallet module has none. */
  private byte[] gzipped() {
    byte[] gz = gzipped;
    if (gz == null) {
      try (InputStream in = loader.getResourceAsStream(DIR + NAME + ".gz")) {
        if (in == null) {
          return null;
        }
        gz = in.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      gzipped = gz;
    }
    return gz;
  }

  /** Whether an {@code Accept-Encoding} value accepts gzip (a {@code gzip} or {@code *} coding whose q is not 0). */
  static boolean acceptsGzip(String acceptEncoding) {
    for (String part : acceptEncoding.split(",")) {
      String[] p = part.strip().split(";");
      String coding = p[0].strip().toLowerCase(Locale.ROOT);
      if (!coding.equals("gzip") && !coding.equals("x-gzip") && !coding.equals("*")) {
        continue;
      }
      boolean zero = false;
      for (int i = 1; i < p.length; i++) {
        String q = p[i].strip().toLowerCase(Locale.ROOT);
        if (q.startsWith("q=")) {
          zero = q.substring(2).strip().matches("0(\\.0{0,3})?");
        }
      }
      if (!zero) {
        return true;
      }
    }
    return false;
  }
}
