package dev.agegate.scaleout;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A TCP proxy between one gateway and Redis that can freeze a chosen command: either before
 * Redis sees it ({@link #holdCommand}: the gateway took its decision but the store never got
 * it) or after Redis applied it, holding the reply ({@link #holdReply}). A rule matches every
 * command whose bytes contain all its markers, and tells the test when it first matched
 * ({@link Rule#awaitHeld}), so a test can kill the gateway at exactly that point, however slowly
 * the kill follows. Held bytes are never delivered.
 */
final class HoldingProxy implements AutoCloseable {
  /** One frozen command. */
  static final class Rule {
    final List<String> markers;
    final boolean beforeRedis;
    private final CountDownLatch held = new CountDownLatch(1);

    Rule(List<String> markers, boolean beforeRedis) {
      this.markers = markers;
      this.beforeRedis = beforeRedis;
    }

    boolean awaitHeld(long seconds) throws InterruptedException {
      return held.await(seconds, TimeUnit.SECONDS);
    }

    /** Every matching command is held, also the gateway's own retry of it (after its 2 s reply timeout). */
    private boolean take(String chunk) {
      return markers.stream().allMatch(chunk::contains);
    }
  }

  private final ServerSocket listener;
  private final int redisPort;
  private final CopyOnWriteArrayList<Rule> rules = new CopyOnWriteArrayList<>();
  private final CopyOnWriteArrayList<Socket> sockets = new CopyOnWriteArrayList<>();

  HoldingProxy(int redisPort) throws IOException {
    this.redisPort = redisPort;
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread.ofPlatform().daemon().name("holding-proxy").start(this::accept);
  }

  String uri() {
    return "redis://127.0.0.1:" + listener.getLocalPort();
  }

  Rule holdCommand(String... markers) {
    Rule r = new Rule(List.of(markers), true);
    rules.add(r);
    return r;
  }

  Rule holdReply(String... markers) {
    Rule r = new Rule(List.of(markers), false);
    rules.add(r);
    return r;
  }

  private void accept() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        Socket server = new Socket();
        server.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), redisPort), 2000);
        sockets.add(client);
        sockets.add(server);
        Rule[] replyHeld = new Rule[1];
        Thread.ofPlatform().daemon().start(() -> toRedis(client, server, replyHeld));
        Thread.ofPlatform().daemon().start(() -> toGateway(server, client, replyHeld));
      } catch (IOException e) {
        // closed
      }
    }
  }

  private void toRedis(Socket client, Socket server, Rule[] replyHeld) {
    byte[] buf = new byte[65536];
    try (InputStream in = client.getInputStream(); OutputStream out = server.getOutputStream()) {
      int n;
      while ((n = in.read(buf)) > 0) {
        String chunk = new String(buf, 0, n, StandardCharsets.ISO_8859_1);
        for (Rule r : rules) {
          if (r.take(chunk)) {
            if (r.beforeRedis) {
              r.held.countDown();
              in.transferTo(OutputStream.nullOutputStream()); // frozen: nothing more reaches Redis
              return;
            }
            synchronized (replyHeld) {
              replyHeld[0] = r;
            }
          }
        }
        out.write(buf, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // one side went away
    }
  }

  private void toGateway(Socket server, Socket client, Rule[] replyHeld) {
    byte[] buf = new byte[65536];
    try (InputStream in = server.getInputStream(); OutputStream out = client.getOutputStream()) {
      int n;
      while ((n = in.read(buf)) > 0) {
        synchronized (replyHeld) {
          if (replyHeld[0] != null) {
            replyHeld[0].held.countDown();
            in.transferTo(OutputStream.nullOutputStream()); // the reply never arrives
            return;
          }
        }
        out.write(buf, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // one side went away
    }
  }

  @Override
  public void close() throws IOException {
    listener.close();
    for (Socket s : sockets) {
      try {
        s.close();
      } catch (IOException ignored) {
        // closing
      }
    }
  }
}
