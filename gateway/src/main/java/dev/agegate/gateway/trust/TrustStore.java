package dev.agegate.gateway.trust;

import dev.agegate.gateway.store.StateStore;
import dev.agegate.zk.TrustLists;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The trust list file, re-read when it changes (looked at no more often than the reload
 * interval). After a change the previous list stays accepted for the grace period, so checks
 * made just before the change, and wallets that fetched the old list, still verify; the
 * previous list is kept in the data folder so a restart does not cut the grace short.
 *
 * <p>A file that no longer parses, or whose stated root does not match its issuers, is
 * refused and the last good list stays in force (logged).
 *
 * <p>Shared across gateways (when made with a {@link StateStore}): each gateway announces the
 * roots it accepts through the store (the list in force until two reload intervals after its
 * latest look, so the announcement outlives the next look; the previous one until its grace
 * ends), and accepts a root another gateway announced, after recomputing that document's
 * root itself, and for no longer than it would announce a root itself. So a check made on a gateway that already reloaded is answered on one that has
 * not looked at the file yet, and a wallet may fetch the check's list from either. Thread-safe.
 */
public final class TrustStore {
  private static final Logger LOG = Logger.getLogger(TrustStore.class.getName());

  private record State(TrustList current, FileTime mtime, TrustList previous, Instant previousUntil) {}

  private final Path file;
  private final Path previousFile;
  private final Duration grace;
  private final Duration reloadInterval;
  private final Clock clock;
  private final StateStore shared;
  private final ConcurrentHashMap<String, TrustList> parsedShared = new ConcurrentHashMap<>();
  private volatile State state;
  private volatile Instant nextLook;

  /**
   * Reads the trust list.
   *
   * @throws IllegalStateException naming the file if it is missing or invalid
   */
  public TrustStore(Path file, Path dataDir, Duration grace, Duration reloadInterval, Clock clock) {
    this(file, dataDir, grace, reloadInterval, clock, null);
  }

  /**
   * Reads the trust list and shares the accepted roots through {@code shared} (null: this
   * gateway alone).
   *
   * @throws IllegalStateException naming the file if it is missing or invalid
   */
  public TrustStore(Path file, Path dataDir, Duration grace, Duration reloadInterval, Clock clock, StateStore shared) {
    this.shared = shared;
    this.file = file;
    this.previousFile = dataDir.resolve("trust-list.previous.json");
    this.grace = grace;
    this.reloadInterval = reloadInterval;
    this.clock = clock;
    TrustList current;
    FileTime mtime;
    try {
      mtime = Files.getLastModifiedTime(file);
      current = parse(Files.readAllBytes(file));
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException("agegate.trust.file: cannot use " + file + ": " + e.getMessage(), e);
    }
    TrustList previous = null;
    Instant until = Instant.EPOCH;
    try {
      if (Files.exists(previousFile)) {
        until = Files.getLastModifiedTime(previousFile).toInstant().plus(grace);
        TrustList p = parse(Files.readAllBytes(previousFile));
        if (clock.instant().isBefore(until) && !p.root().equals(current.root())) {
          previous = p;
        }
      }
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.WARNING, "ignoring unreadable " + previousFile + ": " + e.getMessage());
    }
    this.state = new State(current, mtime, previous, until);
    this.nextLook = clock.instant().plus(reloadInterval);
    announce();
  }

  /** Tells the other gateways which roots this one accepts (best effort: the store may be down). */
  private void announce() {
    if (shared == null) {
      return;
    }
    State s = state;
    Instant now = clock.instant();
    try {
      shared.shareTrustList(s.current().rootHex(), s.current().json(), now.plus(reloadInterval.multipliedBy(2)));
      if (s.previous() != null && now.isBefore(s.previousUntil())) {
        shared.shareTrustList(s.previous().rootHex(), s.previous().json(), s.previousUntil());
      }
    } catch (RuntimeException e) {
      LOG.fine("cannot announce the accepted trust roots: " + e.getMessage());
    }
  }

  private static TrustList parse(byte[] json) {
    return new TrustList(json.clone(), TrustLists.root(json));
  }

  /** The list in force. */
  public TrustList current() {
    maybeReload();
    return state.current();
  }

  /** The list with this root if it is accepted now (the current one, or the previous one in its grace period). */
  public Optional<TrustList> accepted(String rootHex) {
    maybeReload();
    State s = state;
    if (s.current().rootHex().equals(rootHex)) {
      return Optional.of(s.current());
    }
    if (s.previous() != null && s.previous().rootHex().equals(rootHex) && clock.instant().isBefore(s.previousUntil())) {
      return Optional.of(s.previous());
    }
    return fromOtherGateways(rootHex);
  }

  /**
   * A root another gateway announced as accepted (its document's root recomputed here).
   *
   * @throws dev.agegate.gateway.http.Problem 503 when the shared store cannot be asked
   */
  private Optional<TrustList> fromOtherGateways(String rootHex) {
    if (shared == null || rootHex == null) {
      return Optional.empty();
    }
    Optional<StateStore.SharedTrustList> entry = shared.sharedTrustList(rootHex);
    if (entry.isEmpty()) {
      return Optional.empty();
    }
    // Believed no longer than this node would announce a root itself (its grace, or two reload
    // intervals for the list in force): a lowered grace, meant to retire a root now, is not
    // undone by what the store still holds from the old one (docs/decisions.md, "Review of
    // the response path").
    Duration longest = grace.compareTo(reloadInterval.multipliedBy(2)) > 0 ? grace : reloadInterval.multipliedBy(2);
    if (entry.get().acceptedUntil().isAfter(clock.instant().plus(longest).plusSeconds(1))) {
      LOG.warning("ignoring the shared trust root " + rootHex + ": announced until " + entry.get().acceptedUntil()
          + ", beyond this node's own grace (" + grace + ") and reload interval");
      return Optional.empty();
    }
    Optional<byte[]> json = Optional.of(entry.get().json());
    TrustList known = parsedShared.get(rootHex);
    if (known != null && Arrays.equals(known.json(), json.get())) {
      return Optional.of(known);
    }
    TrustList list;
    try {
      list = parse(json.get());
    } catch (RuntimeException e) {
      LOG.warning("ignoring a shared trust list that does not parse (announced root " + rootHex + "): " + e.getMessage());
      return Optional.empty();
    }
    if (!list.rootHex().equals(rootHex)) {
      LOG.warning("ignoring a shared trust list whose issuers do not make its announced root " + rootHex);
      return Optional.empty();
    }
    if (parsedShared.size() > 16) {
      parsedShared.clear();
    }
    parsedShared.put(rootHex, list);
    return Optional.of(list);
  }

  /** Re-reads the file now if it changed; for operators' reload hooks and tests. */
  public synchronized void reload() {
    State s = state;
    try {
      FileTime mtime = Files.getLastModifiedTime(file);
      if (mtime.equals(s.mtime())) {
        return;
      }
      TrustList fresh = parse(Files.readAllBytes(file));
      if (fresh.root().equals(s.current().root())) {
        state = new State(s.current(), mtime, s.previous(), s.previousUntil());
        return;
      }
      Instant now = clock.instant();
      Path tmp = previousFile.resolveSibling(previousFile.getFileName() + ".tmp");
      Files.createDirectories(previousFile.toAbsolutePath().getParent());
      Files.write(tmp, s.current().json());
      Files.setLastModifiedTime(tmp, FileTime.from(now));
      Files.move(tmp, previousFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      state = new State(fresh, mtime, s.current(), now.plus(grace));
      announce();
      LOG.info("trust list changed: root " + fresh.rootHex() + " in force, previous root accepted until " + now.plus(grace));
    } catch (IOException e) {
      LOG.log(Level.WARNING, "trust list " + file + " unreadable, keeping root " + s.current().rootHex() + ": " + e);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "trust list " + file + " refused, keeping root " + s.current().rootHex() + ": " + e.getMessage());
      try {
        state = new State(s.current(), Files.getLastModifiedTime(file), s.previous(), s.previousUntil());
      } catch (IOException ignored) {
        // looked at again after the interval
      }
    }
  }

  private void maybeReload() {
    Instant now = clock.instant();
    if (now.isAfter(nextLook)) {
      nextLook = now.plus(reloadInterval);
      reload();
      announce();
    }
  }
}
