package dev.agegate.gateway.audit;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Verifies an {@link AuditLog} folder: every segment present from 1 on, each beginning with its
 * header, every record's {@code seq} one more than the last and its {@code prev} the SHA-256 of
 * the line before (across segments), every torn tail recorded by the next segment's header,
 * every checkpoint's ES256 signature by a known key over exactly the head it follows, and
 * (unless the log is {@code live}) a last record that is {@code audit.closed}. The first
 * problem found is reported with its position. Stateless; thread-safe.
 */
public final class AuditVerifier {
  private AuditVerifier() {}

  /**
   * Where and why verification failed.
   *
   * @param file the segment's file name
   * @param line 1-based line in that file
   * @param index 0-based position among all lines of all segments
   * @param seq the record's {@code seq}, or -1 if it has none
   */
  public record Problem(String file, long line, long index, long seq, String message) {
    /** {@code audit-000002.jsonl line 7 (seq 1043)}. */
    public String position() {
      return file + " line " + line + (seq >= 0 ? " (seq " + seq + ")" : "");
    }
  }

  /** A record known from elsewhere (the process log's copy of a checkpoint): seq and line hash. */
  public record Anchor(long seq, String hash) {
    /** Parses {@code SEQ:SHA256HEX}. */
    public static Anchor parse(String s) {
      int colon = s.indexOf(':');
      try {
        long seq = Long.parseLong(s.substring(0, colon));
        String h = s.substring(colon + 1).toLowerCase(java.util.Locale.ROOT);
        if (seq < 0 || !h.matches("[0-9a-f]{64}")) {
          throw new IllegalArgumentException();
        }
        return new Anchor(seq, h);
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("--anchor: '" + s + "' is not SEQ:SHA256 (64 hex digits)");
      }
    }
  }

  /**
   * The outcome.
   *
   * @param problem the first problem, or null if the log is valid
   * @param records complete records read
   * @param checkpoints checkpoints (and closing records) read
   * @param lastSignedSeq the seq of the last checkpoint whose signature verified, or -1
   * @param notes what is valid but worth saying (recovered torn tails, an open tail)
   */
  public record Result(Problem problem, long records, int segments, int checkpoints, long lastSignedSeq,
                       List<String> notes) {
    /** Whether no problem was found. */
    public boolean valid() {
      return problem == null;
    }
  }

  /**
   * Verifies the log in {@code dir}.
   *
   * @param keys public keys by {@code kid} for checkpoint signatures; null to skip signature checks
   * @param live the log belongs to a running gateway: it may end without {@code audit.closed},
   *     and in a torn record being written
   * @param anchors records that must be present with exactly these hashes
   * @throws IOException if a segment cannot be read
   */
  public static Result verify(Path dir, Map<String, ECKey> keys, boolean live, List<Anchor> anchors) throws IOException {
    return new Run(keys, live, anchors).run(dir);
  }

  private static final class Run {
    final Map<String, ECKey> keys;
    final boolean live;
    final List<Anchor> anchors;
    final List<String> notes = new ArrayList<>();
    String prev = AuditLog.GENESIS;
    long expectedSeq;
    long index;
    int checkpoints;
    long lastSignedSeq = -1;
    String lastEvent;
    Problem lastPosition;

    Run(Map<String, ECKey> keys, boolean live, List<Anchor> anchors) {
      this.keys = keys;
      this.live = live;
      this.anchors = anchors;
    }

    Result run(Path dir) throws IOException {
      if (!Files.isDirectory(dir)) {
        return fail(new Problem(dir.toString(), 0, 0, -1, "not a folder"));
      }
      List<Map.Entry<Integer, Path>> segs = AuditLog.segments(dir);
      if (segs.isEmpty()) {
        return fail(new Problem(dir.toString(), 0, 0, -1, "no audit segments (audit-NNNNNN.jsonl) in the folder"));
      }
      byte[] pendingTorn = null;
      Problem pendingTornAt = null;
      for (int i = 0; i < segs.size(); i++) {
        int n = segs.get(i).getKey();
        Path file = segs.get(i).getValue();
        String name = file.getFileName().toString();
        if (n != i + 1) {
          return fail(new Problem(name, 1, index, -1, "segment " + (i + 1) + " (" + AuditLog.segmentName(i + 1)
              + ") is missing"));
        }
        byte[] bytes = Files.readAllBytes(file);
        int start = 0;
        long line = 0;
        while (true) {
          int nl = indexOf(bytes, (byte) '\n', start);
          if (nl < 0) {
            break;
          }
          line++;
          String text = new String(bytes, start, nl - start, StandardCharsets.UTF_8);
          Problem at = new Problem(name, line, index, -1, "");
          Problem p = record(text, at, n, line == 1, pendingTorn, pendingTornAt);
          if (p != null) {
            return fail(p);
          }
          pendingTorn = null;
          pendingTornAt = null;
          start = nl + 1;
          index++;
        }
        if (line == 0) {
          return fail(new Problem(name, 1, index, -1, "the segment holds no complete record"));
        }
        if (start < bytes.length) {
          pendingTorn = java.util.Arrays.copyOfRange(bytes, start, bytes.length);
          pendingTornAt = new Problem(name, line + 1, index, -1, "");
        }
      }
      if (pendingTorn != null) {
        if (!live) {
          return fail(with(pendingTornAt, "an unfinished record (" + pendingTorn.length + " bytes without a line end):"
              + " a crash mid-write or a cut file; the gateway records the break when it next starts"));
        }
        notes.add("the newest segment ends in " + pendingTorn.length + " bytes of a record being written");
      }
      for (Anchor a : anchors) {
        if (!anchorsSeen.contains(a)) {
          return fail(new Problem(lastPosition.file(), lastPosition.line(), lastPosition.index(), a.seq(),
              "anchor " + a.seq() + ":" + a.hash() + (a.seq() >= expectedSeq
                  ? " is past the end of the log (seq " + (expectedSeq - 1) + "): the log was cut"
                  : " does not match record " + a.seq() + ": the log was rewritten")));
        }
      }
      if (!AuditLog.CLOSED.equals(lastEvent)) {
        long tail = expectedSeq - 1 - lastSignedSeq;
        if (!live) {
          return fail(with(lastPosition, "the log ends without " + AuditLog.CLOSED + " (" + tail
              + " records after the last signed checkpoint): it was cut, or its gateway is running or stopped"
              + " without closing it (for a running gateway's log, pass --live)"));
        }
        notes.add(tail + " records after the last signed checkpoint (seq " + lastSignedSeq + ") are chained but not yet signed");
      }
      return new Result(null, expectedSeq, segs.size(), checkpoints, lastSignedSeq, List.copyOf(notes));
    }

    final java.util.Set<Anchor> anchorsSeen = new java.util.HashSet<>();

    private Problem record(String text, Problem at, int segment, boolean first, byte[] torn, Problem tornAt) {
      lastPosition = at;
      JsonObject o = AuditLog.parse(text);
      if (o == null) {
        return with(at, "not a JSON record");
      }
      long seq = number(o, "seq");
      at = new Problem(at.file(), at.line(), at.index(), seq, "");
      lastPosition = at;
      if (seq != expectedSeq) {
        return with(at, seq < 0 ? "no seq" : "seq " + seq + " where " + expectedSeq + " was due: records were removed or inserted");
      }
      if (!prev.equals(o.getString("prev", ""))) {
        return with(at, "prev does not match the SHA-256 of the record before: that record was changed, or one was"
            + " removed in between");
      }
      String event = o.getString("event", "");
      if (first) {
        if (!AuditLog.SEGMENT.equals(event) || number(o, "segment") != segment) {
          return with(at, "segment " + segment + " does not begin with its " + AuditLog.SEGMENT + " header");
        }
        String reason = o.getString("reason", "");
        if (torn != null) {
          String sha = HexFormat.of().formatHex(AuditLog.digest(torn));
          if (!"recovered".equals(reason) || number(o, "torn_segment") != segment - 1
              || number(o, "torn_bytes") != torn.length || !sha.equals(o.getString("torn_sha256", ""))) {
            return with(tornAt, "an unfinished record (" + torn.length + " bytes) that the next segment's header"
                + " does not record: the segment was cut or changed");
          }
          notes.add("segment " + (segment - 1) + " ends in an unfinished record of " + torn.length
              + " bytes, recorded at " + at.position());
        } else if ("recovered".equals(reason)) {
          return with(at, "the header records an unfinished record that segment " + (segment - 1) + " does not end in");
        } else if (!(segment == 1 ? "new" : "rotated").equals(reason)) {
          return with(at, "segment header reason '" + reason + "' is not " + (segment == 1 ? "new" : "rotated or recovered"));
        }
      } else if (AuditLog.SEGMENT.equals(event)) {
        return with(at, "a segment header inside a segment");
      }
      if (AuditLog.CHECKPOINT.equals(event) || AuditLog.CLOSED.equals(event)) {
        checkpoints++;
        Problem p = checkpoint(o, at, seq);
        if (p != null) {
          return p;
        }
      }
      String hash = AuditLog.sha256(text);
      for (Anchor a : anchors) {
        if (a.seq() == seq && a.hash().equals(hash)) {
          anchorsSeen.add(a);
        }
      }
      prev = hash;
      expectedSeq++;
      lastEvent = event;
      return null;
    }

    private Problem checkpoint(JsonObject o, Problem at, long seq) {
      if (number(o, "covers") != seq - 1) {
        return with(at, "a checkpoint whose covers is not the record before it");
      }
      String jws = o.getString("jws", null);
      if (jws == null) {
        return keys == null ? null : with(at, "a checkpoint without a signature");
      }
      SignedJWT jwt;
      JWTClaimsSet claims;
      try {
        jwt = SignedJWT.parse(jws);
        claims = jwt.getJWTClaimsSet();
      } catch (ParseException e) {
        return with(at, "the checkpoint's jws does not parse: " + e.getMessage());
      }
      Object s = claims.getClaim("audit_seq");
      if (!(s instanceof Number n) || n.longValue() != seq - 1 || !prev.equals(claims.getClaim("audit_head"))) {
        return with(at, "the checkpoint signs another head than the records before it: records up to here were rewritten");
      }
      if (keys == null) {
        return null;
      }
      if (!JWSAlgorithm.ES256.equals(jwt.getHeader().getAlgorithm())
          || !AuditLog.CHECKPOINT_TYPE.equals(jwt.getHeader().getType())) {
        return with(at, "the checkpoint's JWS is not an ES256 " + AuditLog.CHECKPOINT_TYPE);
      }
      String kid = jwt.getHeader().getKeyID();
      ECKey key = kid == null ? null : keys.get(kid);
      if (key == null) {
        return with(at, "the checkpoint is signed by key " + kid + ", which is not among the keys given");
      }
      try {
        if (!jwt.verify(new ECDSAVerifier(key))) {
          return with(at, "the checkpoint's signature does not verify with key " + kid);
        }
      } catch (JOSEException e) {
        return with(at, "the checkpoint's signature cannot be checked with key " + kid + ": " + e.getMessage());
      }
      lastSignedSeq = seq;
      return null;
    }

    private Result fail(Problem p) {
      return new Result(p, expectedSeq, 0, checkpoints, lastSignedSeq, List.copyOf(notes));
    }
  }

  private static Problem with(Problem at, String message) {
    return new Problem(at.file(), at.line(), at.index(), at.seq(), message);
  }

  private static long number(JsonObject o, String key) {
    JsonValue v = o.get(key);
    if (v instanceof JsonNumber n && n.isIntegral()) {
      try {
        return n.longValueExact();
      } catch (ArithmeticException e) {
        return -1;
      }
    }
    return -1;
  }

  private static int indexOf(byte[] b, byte v, int from) {
    for (int i = from; i < b.length; i++) {
      if (b[i] == v) {
        return i;
      }
    }
    return -1;
  }
}
