package dev.agegate.scaleout;

import static org.assertj.core.api.Assertions.fail;

import dev.agegate.testsupport.Prerequisites;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Redis for the tests: the shared server on 127.0.0.1:6379 that .ci/run starts (unreachable, or
 * no {@code redis-server} binary: the test fails saying how to start one, and is skipped only when
 * asked, {@code -Dagegate.skip.redis=true} or {@code AGEGATE_SKIP_REDIS=1}, never under CI:
 * {@link Prerequisites}), or a private {@code redis-server}
 * on a free loopback port that a test kills and restarts (AOF with fsync always, so a restart
 * keeps every acknowledged write, as a production Redis for agegate must).
 */
final class RedisServers {
  private RedisServers() {}

  static String shared() {
    String uri = System.getenv().getOrDefault("AGEGATE_TEST_REDIS_URI", "redis://127.0.0.1:6379");
    URI u = URI.parse(uri);
    if (!answersPing(u.host(), u.port())) {
      Prerequisites.missing("redis", "no Redis at " + uri, "start redis-server on 127.0.0.1:6379, as .ci/run does");
    }
    return uri;
  }

  private record URI(String host, int port) {
    static URI parse(String s) {
      java.net.URI u = java.net.URI.create(s);
      return new URI(u.getHost(), u.getPort() < 0 ? 6379 : u.getPort());
    }
  }

  static boolean answersPing(String host, int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), 500);
      s.setSoTimeout(1000);
      s.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      byte[] b = new byte[7];
      int n = s.getInputStream().read(b);
      return n >= 5 && new String(b, 0, n, StandardCharsets.US_ASCII).startsWith("+PONG");
    } catch (IOException e) {
      return false;
    }
  }

  /** A private redis-server process. */
  static final class Private implements AutoCloseable {
    final int port;
    final Path dir;
    private Process process;

    Private(int port, Path dir) {
      this.port = port;
      this.dir = dir;
    }

    String uri() {
      return "redis://127.0.0.1:" + port;
    }

    /** SIGKILL: no save on the way down; the AOF holds what was acknowledged. */
    void kill() throws InterruptedException {
      if (process != null) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
        process = null;
      }
    }

    void start() throws IOException, InterruptedException {
      String bin = System.getenv().getOrDefault("REDIS_SERVER", "/usr/bin/redis-server");
      if (!Files.isExecutable(Path.of(bin))) {
        Prerequisites.missing("redis", "no redis-server at " + bin, "apt-get install redis-server, or set REDIS_SERVER");
      }
      Files.createDirectories(dir);
      process = new ProcessBuilder(List.of(bin, "--bind", "127.0.0.1", "--port", Integer.toString(port), "--save", "",
          "--appendonly", "yes", "--appendfsync", "always", "--dir", dir.toString()))
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis.log").toFile()))
          .start();
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (!answersPing("127.0.0.1", port)) {
        if (System.nanoTime() > until || !process.isAlive()) {
          fail("redis-server did not start on port " + port + ": " + Files.readString(dir.resolve("redis.log")));
        }
        Thread.sleep(20);
      }
    }

    @Override
    public void close() throws InterruptedException {
      kill();
    }
  }
}
