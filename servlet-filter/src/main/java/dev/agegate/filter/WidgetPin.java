package dev.agegate.filter;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Pins the widget script the gate page loads. The SRI value comes from {@code widget-integrity}
 * or, when that is not set, from the gateway's published {@code age-gate.js.sri} at start-up
 * (fetched once and then held: trust on first use). The script itself is fetched at start-up
 * and re-checked every {@code jwks-refresh}; while it does not match the pin, the gate is
 * refused (503) instead of serving a page whose script the browser would refuse, or, without
 * SRI, would run whatever the gateway now serves. Thread-safe.
 */
final class WidgetPin {

  static final int MAX_SCRIPT_BYTES = 1024 * 1024;
  static final int MAX_SRI_BYTES = 1024;
  static final String SRI = "(sha256|sha384|sha512)-[A-Za-z0-9+/]+={0,2}( (sha256|sha384|sha512)-[A-Za-z0-9+/]+={0,2})*";

  private static final System.Logger LOG = System.getLogger(AgeGateFilter.class.getName());

  /** What the gate page may do now. */
  enum Verdict {
    /** The script matches the pin: serve the page with {@code integrity}. */
    MATCH,
    /** The script was fetched and does not match: refuse the gate. */
    MISMATCH,
    /** Not known yet (gateway unreachable): serve only if the pin came from config. */
    UNKNOWN
  }

  /** The pin and the last verdict; {@code integrity} null until known. */
  record State(String integrity, Verdict verdict, Instant checkedAt, Instant attemptedAt) {
  }

  private final Settings s;
  private final GatewayClient client;
  private final ReentrantLock lock = new ReentrantLock();
  private final ExecutorService background = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "agegate-widget-pin");
    t.setDaemon(true);
    return t;
  });
  private volatile State state;
  /** Checks finished, for tests that wait on one (monitor: this). */
  private long checksDone;

  WidgetPin(Settings settings, GatewayClient client) {
    this.s = settings;
    this.client = client;
    this.state = new State(settings.widgetIntegrity(), Verdict.UNKNOWN, null, null);
  }

  /** Checks the script in the background (start-up). */
  void start() {
    background.execute(() -> {
      if (state.attemptedAt() == null) { // a request may have checked first
        checkIfDue();
      }
    });
  }

  void stop() {
    background.shutdownNow();
  }

  /**
   * @return the state to serve the gate page with. Never blocks longer than one fetch: while
   *     nothing is known yet it checks now (at most once per {@code jwks-min-refetch}); a pin
   *     older than {@code jwks-refresh} is re-checked in the background.
   */
  State current() {
    State st = state;
    Instant now = s.clock().instant();
    if (st.checkedAt() == null) {
      if (st.attemptedAt() == null || !now.isBefore(st.attemptedAt().plus(s.jwksMinRefetch()))) {
        checkIfDue();
      }
      return state;
    }
    if (!now.isBefore(st.checkedAt().plus(s.jwksRefresh()))
        && (st.attemptedAt() == null || !now.isBefore(st.attemptedAt().plus(s.jwksMinRefetch())))) {
      try {
        background.execute(this::checkIfDue);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        // stopped: keep the last verdict
      }
    }
    return st;
  }

  /** One check at a time; a caller that finds one running waits for it and uses its result. */
  private void checkIfDue() {
    if (lock.isHeldByCurrentThread()) {
      return;
    }
    State before = state;
    lock.lock();
    try {
      if (state != before) {
        return; // another thread just checked
      }
      state = check(before);
      synchronized (this) {
        checksDone++;
        notifyAll();
      }
    } finally {
      lock.unlock();
    }
  }

  /** @return how many checks have finished */
  synchronized long checksDone() {
    return checksDone;
  }

  /** Waits until {@code n} checks have finished, at most {@code max}; for tests. */
  synchronized void awaitChecks(long n, java.time.Duration max) throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    while (checksDone < n) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new IllegalStateException("no widget check within " + max);
      }
      java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(this, left);
    }
  }

  private State check(State before) {
    Instant now = s.clock().instant();
    String integrity = before.integrity();
    if (integrity == null) {
      try {
        GatewayClient.Answer a = client.get(URI.create(s.widgetSriUrl()), MAX_SRI_BYTES);
        String v = new String(a.body(), StandardCharsets.US_ASCII).strip();
        if (a.status() != 200 || !v.matches(SRI)) {
          LOG.log(Level.WARNING, "agegate: {0} answered HTTP {1} without an SRI value; the gate page is refused"
              + " until it does (or set widget-integrity)", s.widgetSriUrl(), a.status());
          return new State(null, Verdict.UNKNOWN, null, now);
        }
        integrity = v;
        LOG.log(Level.INFO, "agegate: pinned the widget to {0} (from {1})", integrity, s.widgetSriUrl());
      } catch (IOException e) {
        LOG.log(Level.WARNING, "agegate: widget SRI value unavailable: {0}", e.getMessage());
        return new State(null, Verdict.UNKNOWN, null, now);
      }
    }
    try {
      GatewayClient.Answer a = client.get(URI.create(s.widgetUrl()), MAX_SCRIPT_BYTES);
      if (a.status() != 200) {
        throw new IOException(s.widgetUrl() + " answered HTTP " + a.status());
      }
      boolean match = matches(integrity, a.body());
      if (!match) {
        LOG.log(Level.ERROR, "agegate: the widget at {0} no longer matches {1}: the gate page is refused (503)"
            + " until it does; if the gateway was upgraded, set widget-integrity to its new value and restart",
            s.widgetUrl(), integrity);
      } else if (before.verdict() == Verdict.MISMATCH) {
        LOG.log(Level.INFO, "agegate: the widget at {0} matches its pin again", s.widgetUrl());
      }
      return new State(integrity, match ? Verdict.MATCH : Verdict.MISMATCH, now, now);
    } catch (IOException e) {
      LOG.log(Level.WARNING, "agegate: widget script unavailable: {0}", e.getMessage());
      return new State(integrity, before.verdict(), before.checkedAt(), now);
    }
  }

  /**
   * SRI matching (W3C SRI §3.3.4/§3.3.5): only the strongest algorithm named counts, and the
   * script matches if any digest of that algorithm equals its own.
   */
  static boolean matches(String integrity, byte[] script) {
    List<String> tokens = List.of(integrity.split(" "));
    String strongest = tokens.stream().map(t -> t.substring(0, t.indexOf('-')))
        .max(java.util.Comparator.comparingInt(WidgetPin::strength)).orElseThrow();
    byte[] mine = digest(strongest, script);
    boolean match = false;
    for (String t : tokens) {
      if (t.startsWith(strongest + "-")) {
        byte[] theirs;
        try {
          theirs = Base64.getDecoder().decode(t.substring(strongest.length() + 1));
        } catch (IllegalArgumentException e) {
          continue;
        }
        match |= MessageDigest.isEqual(mine, theirs);
      }
    }
    return match;
  }

  private static int strength(String alg) {
    return switch (alg) {
      case "sha512" -> 3;
      case "sha384" -> 2;
      default -> 1;
    };
  }

  static byte[] digest(String alg, byte[] data) {
    try {
      return MessageDigest.getInstance(switch (alg) {
        case "sha512" -> "SHA-512";
        case "sha384" -> "SHA-384";
        default -> "SHA-256";
      }).digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-2 is required of every Java platform", e);
    }
  }

  /** @return {@code sha384-<base64>} of {@code data} */
  static String sri(byte[] data) {
    return "sha384-" + Base64.getEncoder().encodeToString(digest("sha384", data));
  }
}
