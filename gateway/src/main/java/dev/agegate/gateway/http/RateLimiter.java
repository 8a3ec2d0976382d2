package dev.agegate.gateway.http;

import dev.agegate.gateway.config.RateLimit;
import dev.agegate.gateway.store.StateStore;
import io.helidon.webserver.http.ServerRequest;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * Per-address and per-site fixed-window limits, counted in the {@link StateStore} (so shared by
 * every gateway on one store). Exceeding one is {@link Reason#RATE_LIMITED} (429 with
 * {@code Retry-After}).
 */
public final class RateLimiter {
  private final StateStore store;
  private final RateLimit perIp;
  private final RateLimit perSite;

  public RateLimiter(StateStore store, RateLimit perIp, RateLimit perSite) {
    this.store = store;
    this.perIp = perIp;
    this.perSite = perSite;
  }

  /** Counts one request of {@code kind} from the request's peer address. */
  public void perAddress(ServerRequest req, String kind) {
    take("ip:" + kind + ":" + address(req), perIp, "too many requests from this address");
  }

  /** Counts one request of {@code kind} for a site. */
  public void perSite(String siteId, String kind) {
    take("site:" + kind + ":" + siteId, perSite, "too many requests for this site");
  }

  private void take(String key, RateLimit limit, String message) {
    if (limit.disabled()) {
      return;
    }
    long wait = store.tryAcquire(key, limit.permits(), limit.window());
    if (wait > 0) {
      throw new Problem(Reason.RATE_LIMITED, message, wait);
    }
  }

  /** The peer's IP address (never logged). */
  static String address(ServerRequest req) {
    SocketAddress a = req.remotePeer().address();
    if (a instanceof InetSocketAddress i) {
      return i.getAddress() == null ? i.getHostString() : i.getAddress().getHostAddress();
    }
    return String.valueOf(a);
  }
}
