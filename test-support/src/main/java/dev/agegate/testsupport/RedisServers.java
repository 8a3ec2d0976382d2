package dev.agegate.testsupport;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Redis for the tests. {@link #shared()} is the server CI starts on 127.0.0.1:6379 (or
 * {@code AGEGATE_TEST_REDIS_URI}); {@link #start()} and {@link Private} run a private
 * {@code redis-server} on a loopback port that a test may kill and start again (AOF with fsync
 * always, so a restart keeps every acknowledged write, as a production Redis for agegate must).
 * Unreachable, or no {@code redis-server} binary ({@code REDIS_SERVER}, default
 * {@code /usr/bin/redis-server}): the test fails saying how to provide one, and is skipped only
 * when asked ({@code -Dagegate.skip.redis=true} or {@code AGEGATE_SKIP_REDIS=1}), never under CI:
 * {@link Prerequisites}.
 */
public final class RedisServers {
  private RedisServers() {}

  /** The shared server's URI, after checking it answers PING. */
  public static String shared() {
    String uri = System.getenv().getOrDefault("AGEGATE_TEST_REDIS_URI", "redis://127.0.0.1:6379");
    URI u = URI.create(uri);
    if (!answersPing(u.getHost(), u.getPort() < 0 ? 6379 : u.getPort())) {
      Prerequisites.missing("redis", "no Redis at " + uri, "start redis-server on 127.0.0.1:6379, as .ci/run does");
    }
    return uri;
  }

  /** Whether a Redis at host:port answers PING with +PONG (connect 500 ms, read 1 s). */
  public static boolean answersPing(String host, int port) {
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

  /** Starts a private server on a free loopback port, in a fresh temporary directory. */
  public static Private start() throws IOException, InterruptedException {
    requireBinary();
    // redis-server cannot bind port 0 and tell it: a port found free is used, and another one
    // tried when some other process took it first.
    for (int attempt = 1; ; attempt++) {
      int port;
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        port = s.getLocalPort();
      }
      Private p = new Private(port, Files.createTempDirectory("agegate-redis"));
      try {
        p.start();
        return p;
      } catch (AssertionError e) {
        p.kill();
        if (attempt == 3 || !Files.readString(p.dir.resolve("redis.log")).contains("Address already in use")) {
          throw e;
        }
      }
    }
  }

  /** A private redis-server process on a given port and directory (its AOF and redis.log). */
  public static final class Private implements AutoCloseable {
    public final int port;
    public final Path dir;
    private Process process;

    /** Not started yet: call {@link #start()}. */
    public Private(int port, Path dir) {
      this.port = port;
      this.dir = dir;
    }

    public String uri() {
      return "redis://127.0.0.1:" + port;
    }

    /** Starts the server (again) and waits, at most 10 s, until it answers PING. */
    public void start() throws IOException, InterruptedException {
      String bin = requireBinary();
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

    /** SIGKILL: no save on the way down; the AOF holds what was acknowledged. */
    public void kill() throws InterruptedException {
      if (process != null) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
        process = null;
      }
    }

    /** {@link #kill()}, then {@link #start()} on the same port and directory. */
    public void restart() throws IOException, InterruptedException {
      kill();
      start();
    }

    @Override
    public void close() throws InterruptedException {
      kill();
    }
  }

  private static String requireBinary() {
    String bin = System.getenv().getOrDefault("REDIS_SERVER", "/usr/bin/redis-server");
    if (!Files.isExecutable(Path.of(bin))) {
      Prerequisites.missing("redis", "no redis-server at " + bin, "apt-get install redis-server, or set REDIS_SERVER");
    }
    return bin;
  }
}
