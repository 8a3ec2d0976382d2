package dev.agegate.gateway.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A TCP proxy in front of Redis that, once armed with a marker, lets the next command whose
 * bytes contain the marker reach Redis (which applies it) and then drops the connection instead
 * of passing the reply on: the client sees its connection lost after the write, as on a network
 * failure. One-shot: disarmed after one drop.
 */
public final class ReplyDroppingProxy implements AutoCloseable {
  private final ServerSocket listener;
  private final int targetPort;
  private final AtomicReference<String> armed = new AtomicReference<>();
  private final Semaphore dropped = new Semaphore(0);
  private final CopyOnWriteArrayList<Socket> sockets = new CopyOnWriteArrayList<>();

  public ReplyDroppingProxy(int targetPort) throws IOException {
    this.targetPort = targetPort;
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread.ofPlatform().daemon().name("redis-proxy").start(this::accept);
  }

  public String uri() {
    return "redis://127.0.0.1:" + listener.getLocalPort();
  }

  /** Drops the reply to the next command containing {@code marker}. */
  public void arm(String marker) {
    armed.set(marker);
  }

  /** Waits until a reply was dropped. */
  public boolean awaitDrop(long seconds) throws InterruptedException {
    return dropped.tryAcquire(seconds, TimeUnit.SECONDS);
  }

  private void accept() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        Socket server = new Socket();
        server.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 2000);
        sockets.add(client);
        sockets.add(server);
        boolean[] dropNextReply = new boolean[1];
        Thread.ofPlatform().daemon().start(() -> pump(client, server, dropNextReply, true));
        Thread.ofPlatform().daemon().start(() -> pump(server, client, dropNextReply, false));
      } catch (IOException e) {
        // closed
      }
    }
  }

  private void pump(Socket from, Socket to, boolean[] dropNextReply, boolean toServer) {
    byte[] buf = new byte[65536];
    try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
      int n;
      while ((n = in.read(buf)) > 0) {
        if (toServer) {
          String marker = armed.get();
          if (marker != null && new String(buf, 0, n, StandardCharsets.ISO_8859_1).contains(marker)
              && armed.compareAndSet(marker, null)) {
            synchronized (dropNextReply) {
              dropNextReply[0] = true;
            }
          }
        } else {
          synchronized (dropNextReply) {
            if (dropNextReply[0]) {
              from.close();
              to.close();
              dropped.release();
              return;
            }
          }
        }
        out.write(buf, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // one side went away: the other follows
    } finally {
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // closing
    }
  }

  @Override
  public void close() throws IOException {
    listener.close();
    sockets.forEach(ReplyDroppingProxy::closeQuietly);
  }
}
