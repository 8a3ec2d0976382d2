package dev.agegate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.helidon.webclient.http1.Http1Client;
import io.helidon.webserver.WebServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A real gateway server as {@code Main} builds it (application.yaml's listeners, the admin
 * socket, every route), on free ports, for a test gateway; and raw HTTP/1.1 exchanges that
 * keep the path byte for byte and never follow a redirect.
 */
final class EdgeServers implements AutoCloseable {
  final Gateway gateway;
  final WebServer server;

  private EdgeServers(Gateway gateway, WebServer server) {
    this.gateway = gateway;
    this.server = server;
  }

  /**
   * @param agegateYaml appended under {@code agegate:} of the test gateway (see TestGateways)
   * @param serverConfig overrides of {@code server.*} keys (flat, e.g. {@code server.max-concurrent-requests})
   */
  static EdgeServers start(Clock clock, String agegateYaml, Map<String, String> serverConfig) {
    return start(TestGateways.create(clock, v -> v, agegateYaml), serverConfig);
  }

  /** A server for {@code g}, which it closes when closed. */
  static EdgeServers start(Gateway g, Map<String, String> serverConfig) {
    Map<String, String> extra = new HashMap<>(serverConfig);
    extra.putIfAbsent("server.port", "0");
    extra.putIfAbsent("server.host", "127.0.0.1");
    extra.putIfAbsent("server.sockets.admin.port", "0");
    WebServer s = Main.server(Main.config(false, extra), g).start();
    return new EdgeServers(g, s);
  }

  int port() {
    return server.port();
  }

  int adminPort() {
    return server.port(Main.ADMIN);
  }

  Api api() {
    return new Api(client(port()));
  }

  Api admin() {
    return new Api(client(adminPort()));
  }

  static Http1Client client(int port) {
    return Http1Client.builder().baseUri("http://127.0.0.1:" + port).followRedirects(false).build();
  }

  /** One raw exchange's status line and headers (names lower-cased). */
  record Raw(int status, Map<String, String> headers, String body) {}

  /** Sends {@code method path} as written, with extra header lines, and reads the whole answer. */
  Raw raw(String method, String path, String... headerLines) throws IOException {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port())) {
      s.setSoTimeout(20_000);
      StringBuilder req = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port() + "\r\n");
      for (String h : headerLines) {
        req.append(h).append("\r\n");
      }
      boolean body = method.equals("POST");
      if (body) {
        req.append("Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 9\r\n");
      }
      req.append("Connection: close\r\n\r\n");
      if (body) {
        req.append("state=abc");
      }
      OutputStream out = s.getOutputStream();
      out.write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
      String status = in.readLine();
      assertThat(status).as(method + " " + path).startsWith("HTTP/1.1 ");
      Map<String, String> headers = new LinkedHashMap<>();
      String line;
      while ((line = in.readLine()) != null && !line.isEmpty()) {
        int c = line.indexOf(':');
        headers.put(line.substring(0, c).strip().toLowerCase(java.util.Locale.ROOT), line.substring(c + 1).strip());
      }
      StringBuilder b = new StringBuilder();
      // the body by its length (at most 64 KiB of it), or up to the end of a chunked one's first chunk
      long length = Long.parseLong(headers.getOrDefault("content-length", "-1"));
      if (length >= 0) {
        for (long i = 0; i < Math.min(length, 65536); i++) {
          int c = in.read();
          if (c < 0) {
            break;
          }
          b.append((char) c);
        }
      } else if ("chunked".equals(headers.get("transfer-encoding"))) {
        int size = Integer.parseInt(in.readLine().strip(), 16);
        for (int i = 0; i < Math.min(size, 65536); i++) {
          b.append((char) in.read());
        }
      }
      return new Raw(Integer.parseInt(status.substring(9, 12)), headers, b.toString());
    }
  }

  @Override
  public void close() {
    server.stop();
    gateway.close();
  }
}
