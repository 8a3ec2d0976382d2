package dev.agegate.gateway.store;

import static org.assertj.core.api.Assertions.fail;

import dev.agegate.testsupport.Prerequisites;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Redis for the tests. {@link #shared()} is the server CI starts on 127.0.0.1:6379 (or
 * {@code AGEGATE_TEST_REDIS_URI}): unreachable (or no {@code redis-server} binary for {@link #start}),
 * the test fails saying how to start one, and is skipped only when asked ({@code
 * -Dagegate.skip.redis=true} or {@code AGEGATE_SKIP_REDIS=1}, never under CI: {@link Prerequisites}). {@link #start} runs a private {@code redis-server} on a free
 * loopback port that a test may kill and restart.
 */
public final class RedisTestServers {
  private RedisTestServers() {}

  public static String shared() {
    String uri = System.getenv().getOrDefault("AGEGATE_TEST_REDIS_URI", "redis://127.0.0.1:6379");
    java.net.URI u = java.net.URI.create(uri);
    if (!answersPing(u.getHost(), u.getPort() < 0 ? 6379 : u.getPort())) {
      Prerequisites.missing("redis", "no Redis at " + uri, "start redis-server on 127.0.0.1:6379, as .ci/run does");
    }
    return uri;
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

  /** A private redis-server process; {@link #stop} kills it, {@link #restart} starts it again on the same port. */
  public static final class Private implements AutoCloseable {
    public final int port;
    final Path dir;
    private Process process;

    private Private(int port, Path dir) {
      this.port = port;
      this.dir = dir;
    }

    public String uri() {
      return "redis://127.0.0.1:" + port;
    }

    public void stop() throws InterruptedException {
      if (process != null) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
        process = null;
      }
    }

    public void restart() throws IOException, InterruptedException {
      stop();
      List<String> cmd = new ArrayList<>(List.of(binary(), "--bind", "127.0.0.1", "--port", Integer.toString(port),
          "--save", "", "--appendonly", "yes", "--appendfsync", "always", "--dir", dir.toString()));
      process = new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectOutput(dir.resolve("redis.log").toFile()).start();
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
      stop();
    }
  }

  /** Starts a private server (AOF on, fsync always, so a restart keeps what was acknowledged). */
  public static Private start() throws IOException, InterruptedException {
    String bin = binary();
    if (!Files.isExecutable(Path.of(bin))) {
      Prerequisites.missing("redis", "no redis-server at " + bin, "apt-get install redis-server, or set REDIS_SERVER");
    }
    // redis-server cannot bind port 0 and tell it: a port found free is used, and another one
    // tried when some other process took it first.
    for (int attempt = 1; ; attempt++) {
      int port;
      try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
        port = s.getLocalPort();
      }
      Private p = new Private(port, Files.createTempDirectory("agegate-redis"));
      try {
        p.restart();
        return p;
      } catch (AssertionError e) {
        p.stop();
        if (attempt == 3 || !Files.readString(p.dir.resolve("redis.log")).contains("Address already in use")) {
          throw e;
        }
      }
    }
  }

  private static String binary() {
    return System.getenv().getOrDefault("REDIS_SERVER", "/usr/bin/redis-server");
  }
}
