package dev.agegate.gateway.store;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Everything the gateway remembers between requests: checks (by transaction id and by request
 * id), consumed nonces, rate-limit counters, and the fan-out of check changes to SSE listeners.
 * One implementation per backend ({@code agegate.store}: {@code caffeine} in one process;
 * {@code redis} shared by several gateways). Every entry is bounded in number and expires;
 * nothing stored is personal data.
 *
 * <p>Implementations are thread-safe, and every method that decides something
 * ({@link #replace}, {@link #consumeNonce}, {@link #tryAcquire}) is atomic across every
 * gateway sharing the store. A call that cannot complete (the store is unreachable or refuses
 * the command) throws a 503 {@code overloaded} {@link dev.agegate.gateway.http.Problem}; a
 * decision that was applied is reported as applied even when the store's first reply was lost.
 */
public interface StateStore extends AutoCloseable {

  /**
   * Stores a new check, findable by both ids until {@code retainUntil} at least (and then
   * forgotten, possibly earlier only under memory pressure beyond the configured maximum).
   */
  void create(Check check, Instant retainUntil);

  /** The check with this transaction id, if known. */
  Optional<Check> byTransaction(String transactionId);

  /** The check with this request id, if known. */
  Optional<Check> byRequest(String requestId);

  /**
   * Replaces {@code expected} by {@code updated} if and only if the stored check still has
   * {@code expected.version()}; on success, listeners of the check receive {@code updated}.
   *
   * @return whether the replacement happened
   */
  boolean replace(Check expected, Check updated);

  /**
   * Marks a nonce used. Exactly one call per nonce returns true, however many gateways and
   * threads race; the mark lasts until {@code until} at least.
   */
  boolean consumeNonce(String nonce, Instant until);

  /**
   * Announces that the trust list with root {@code rootHex} (document {@code json}) is accepted
   * until {@code acceptedUntil} at least, for every gateway sharing the store; an earlier end
   * announced by a lagging gateway never shortens a later one.
   */
  void shareTrustList(String rootHex, byte[] json, Instant acceptedUntil);

  /** The trust list document with this root if some gateway announced it accepted now. */
  Optional<SharedTrustList> sharedTrustList(String rootHex);

  /**
   * A trust list document some gateway announced, and until when (the longest announcement;
   * an entry without an end reads as {@link Instant#MAX}).
   */
  record SharedTrustList(byte[] json, Instant acceptedUntil) {}

  /**
   * Takes one permit from the fixed-window bucket {@code key}, which holds {@code permits} per
   * {@code window}.
   *
   * @return the seconds until the bucket refills when no permit is left, or 0 when one was taken
   */
  long tryAcquire(String key, int permits, Duration window);

  /**
   * {@link #tryAcquire} and, only when the permit was taken, {@link #byRequest}: one step where
   * each would be a round trip (a request object's fetch is counted, then its check looked up).
   * The count still comes first, and a refused call reads nothing.
   */
  default Counted tryAcquireThenByRequest(String key, int permits, Duration window, String requestId) {
    long wait = tryAcquire(key, permits, window);
    return new Counted(wait, wait > 0 ? Optional.empty() : byRequest(requestId));
  }

  /**
   * What {@link #tryAcquireThenByRequest} found.
   *
   * @param waitSeconds as {@link #tryAcquire}: 0 when the permit was taken
   * @param check the check, when the permit was taken and the request id is known
   */
  record Counted(long waitSeconds, Optional<Check> check) {}

  /**
   * Calls {@code listener} with every later successful {@link #replace} of the check, from any
   * gateway sharing the store, until the returned subscription is closed. Listeners must not
   * block.
   */
  Subscription subscribe(String transactionId, Consumer<Check> listener);

  /** A registration of a listener; closing it is idempotent. */
  interface Subscription extends AutoCloseable {
    @Override
    void close();
  }

  @Override
  void close();
}
