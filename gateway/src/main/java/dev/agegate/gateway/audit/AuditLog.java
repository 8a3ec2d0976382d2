package dev.agegate.gateway.audit;

import static dev.agegate.gateway.http.JsonSupport.JSON;

import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonReader;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * An append-only audit log of outcomes, one JSON object per line, each line chained to the one
 * before: its {@code prev} is the lower-case hex SHA-256 of the previous line's bytes (64
 * zeros for the first line), so removing or editing a line breaks the chain at the next one
 * ({@link #verify}). Lines hold no personal data and no secrets: a timestamp, the event, the
 * site, a short hash of the transaction id, the outcome and reason. Thread-safe; survives
 * restarts (the chain continues from the file's last line).
 */
public final class AuditLog implements AutoCloseable {
  /** The {@code prev} of the first line. */
  public static final String GENESIS = "0".repeat(64);

  private final FileChannel channel;
  private final Clock clock;
  private String prev;

  private AuditLog(FileChannel channel, String prev, Clock clock) {
    this.channel = channel;
    this.prev = prev;
    this.clock = clock;
  }

  /** Opens (or creates) the log file and continues its chain. */
  public static AuditLog open(Path file, Clock clock) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      String prev = GENESIS;
      if (Files.exists(file)) {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = lines.size() - 1; i >= 0; i--) {
          if (!lines.get(i).isEmpty()) {
            prev = sha256(lines.get(i));
            break;
          }
        }
      }
      FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
      return new AuditLog(ch, prev, clock);
    } catch (IOException e) {
      throw new UncheckedIOException("agegate.data-dir: cannot open the audit log " + file, e);
    }
  }

  /**
   * Appends one event.
   *
   * @param event what happened, e.g. {@code check.verified}
   * @param fields further string or number fields (never personal data)
   */
  public synchronized void record(String event, Map<String, Object> fields) {
    JsonObjectBuilder b = JSON.createObjectBuilder()
        .add("ts", clock.instant().toString())
        .add("event", event);
    fields.forEach((k, v) -> {
      if (v instanceof Number n) {
        b.add(k, n.longValue());
      } else if (v != null) {
        b.add(k, v.toString());
      }
    });
    b.add("prev", prev);
    String line = b.build().toString();
    try {
      channel.write(ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8)));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot append to the audit log", e);
    }
    prev = sha256(line);
  }

  /** A short, non-reversible reference to a transaction id for log lines. */
  public static String ref(String transactionId) {
    return sha256(transactionId).substring(0, 16);
  }

  /**
   * Checks a whole log's chain.
   *
   * @return -1 if every line links to the one before, else the 0-based index of the first
   *     line whose {@code prev} does not match
   */
  public static int verify(Path file) throws IOException {
    String prev = GENESIS;
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      JsonObject o;
      try (JsonReader r = JSON.createReader(new StringReader(line))) {
        o = r.readObject();
      } catch (RuntimeException e) {
        return i;
      }
      if (!prev.equals(o.getString("prev", ""))) {
        return i;
      }
      prev = sha256(line);
    }
    return -1;
  }

  private static String sha256(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public synchronized void close() {
    try {
      channel.close();
    } catch (IOException ignored) {
      // closing
    }
  }
}
