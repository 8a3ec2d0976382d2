package dev.agegate.scaleout;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One real gateway: {@code java -jar agegate-gateway.jar --demo} in its own process on a free
 * loopback port, configured by system properties, its output in {@code <log>}. Killed with
 * {@link Process#destroyForcibly} (SIGKILL: no shutdown hook runs, as in a crash).
 */
final class GatewayProcess implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  final String name;
  final int port;
  /** The admin listener's port ({@code /health}, {@code /metrics}): never the public one. */
  final int adminPort;
  final Path log;
  private final Process process;

  private GatewayProcess(String name, int port, int adminPort, Path log, Process process) {
    this.name = name;
    this.port = port;
    this.adminPort = adminPort;
    this.log = log;
    this.process = process;
  }

  /** The gateway could not bind its port: another process took it after {@link #freePort} found it free. */
  static final class PortTaken extends RuntimeException {
    private static final long serialVersionUID = 1L;

    PortTaken(String message) {
      super(message);
    }
  }

  /** A gateway's settings, which name its port (its public URL). */
  interface PropsForPort {
    Map<String, String> apply(int port) throws Exception;
  }

  /**
   * Starts a gateway on a port found free, with the settings for that port (its URL is in the
   * settings, so the gateway cannot bind port 0 and tell it afterwards). A port found free can
   * be taken by another process before the gateway binds it: a start that fails for that reason
   * is tried again on another port, up to three times.
   */
  static GatewayProcess startOnFreePort(String name, PropsForPort props, Path workDir) throws Exception {
    for (int attempt = 1; ; attempt++) {
      int port = freePort();
      try {
        return start(name, port, props.apply(port), workDir);
      } catch (PortTaken e) {
        if (attempt == 3) {
          throw e;
        }
      }
    }
  }

  /** Starts a gateway and waits (at most 60 s) until {@code /health} answers on its admin port. */
  static GatewayProcess start(String name, int port, Map<String, String> props, Path workDir) throws Exception {
    Path jar = distribution(workDir);
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "--enable-native-access=ALL-UNNAMED"));
    props.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
    cmd.add("-Dserver.port=" + port);
    cmd.add("-Dserver.host=127.0.0.1");
    int adminPort = freePort();
    cmd.add("-Dserver.sockets.admin.port=" + adminPort);
    cmd.addAll(List.of("-jar", jar.toString(), "--demo"));
    Path log = workDir.resolve(name + ".log");
    Files.createDirectories(workDir);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    GatewayProcess g = new GatewayProcess(name, port, adminPort, log, p);
    g.awaitHealthy(Duration.ofSeconds(60));
    return g;
  }

  private static Path dist;

  /**
   * A private copy of the gateway jar and its libs/ (taken once per JVM), so a rebuild of the
   * gateway module while these tests run cannot pull classes from under a running node.
   */
  static synchronized Path distribution(Path workDir) throws IOException {
    if (dist != null) {
      return dist;
    }
    Path jar = Path.of(System.getProperty("agegate.gateway.jar", "../gateway/target/agegate-gateway.jar")).toAbsolutePath();
    Path libs = jar.resolveSibling("libs");
    if (!Files.isRegularFile(jar) || !Files.isDirectory(libs)) {
      fail("no gateway jar at " + jar + " (with libs/): build it with mvn -pl gateway -am package -DskipTests");
    }
    Path to = workDir.resolve("gateway-dist-" + ProcessHandle.current().pid());
    Files.createDirectories(to.resolve("libs"));
    try (var files = Files.list(libs)) {
      for (Path l : files.toList()) {
        Files.copy(l, to.resolve("libs").resolve(l.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }
    Files.copy(jar, to.resolve("agegate-gateway.jar"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    dist = to.resolve("agegate-gateway.jar");
    return dist;
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  String url() {
    return "http://127.0.0.1:" + port;
  }

  String adminUrl() {
    return "http://127.0.0.1:" + adminPort;
  }

  long pid() {
    return process.pid();
  }

  boolean alive() {
    return process.isAlive();
  }

  void awaitHealthy(Duration max) throws Exception {
    long until = System.nanoTime() + max.toNanos();
    while (System.nanoTime() < until) {
      if (!process.isAlive()) {
        String tail = tail();
        if (tail.contains("Address already in use") || tail.contains("BindException")) {
          throw new PortTaken("gateway " + name + " could not bind port " + port + ": " + tail);
        }
        fail("gateway " + name + " exited with " + process.exitValue() + ": " + tail);
      }
      try {
        HttpResponse<Void> r = HTTP.send(HttpRequest.newBuilder(URI.create(adminUrl() + "/health"))
            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() / 100 == 2 && process.isAlive()) {
          return; // (alive: not another process's server answering on a port this one failed to bind)
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    fail("gateway " + name + " not healthy within " + max + ": " + tail());
  }

  /** SIGKILL, as a crash: nothing is flushed or closed. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(20, TimeUnit.SECONDS);
  }

  /** Resident set size of the process in KiB, from /proc/PID/status. */
  long rssKib() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    throw new IOException("no VmRSS for " + process.pid());
  }

  String tail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(no log)";
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      kill();
    }
  }
}
