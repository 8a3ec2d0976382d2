package dev.agegate.gateway.http;

import dev.agegate.gateway.config.EdgeLimits;
import dev.agegate.gateway.config.RateLimit;
import dev.agegate.gateway.store.StateStore;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.ServerRequestHeaders;
import io.helidon.webserver.http.ServerRequest;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;

/**
 * Per-address and per-site fixed-window limits, counted in the {@link StateStore} (so shared by
 * every gateway on one store). Every public request is counted once, in the bucket of its
 * endpoint family ({@link EdgeLimits#FAMILIES}) and client address ({@link ClientAddress}):
 * {@link #limit} counts the families the routing filter sees, the services count check
 * creation, redemption, request objects and responses themselves with {@link #perAddress}.
 * Exceeding one is {@link Reason#RATE_LIMITED} (429 with {@code Retry-After}).
 */
public final class RateLimiter {
  private final StateStore store;
  private final EdgeLimits edge;
  private final RateLimit perSite;
  private final ClientAddress clients;
  private final StreamCaps streams;

  public RateLimiter(StateStore store, EdgeLimits edge, RateLimit perSite) {
    this.store = store;
    this.edge = edge;
    this.perSite = perSite;
    this.clients = new ClientAddress(edge.trustedProxies(), edge.forwardedHeader());
    this.streams = new StreamCaps(edge.streamsPerCheck(), edge.streamsPerAddress(), edge.streamsTotal());
  }

  /** The caps on this node's open event streams. */
  public StreamCaps streams() {
    return streams;
  }

  /** Every family at {@code perIp}, no trusted proxy. */
  public RateLimiter(StateStore store, RateLimit perIp, RateLimit perSite) {
    this(store, EdgeLimits.uniform(perIp), perSite);
  }

  /** Counts one request of family {@code kind} from the request's client address. */
  public void perAddress(ServerRequest req, String kind) {
    take("ip:" + kind + ":" + address(req), edge.budget(kind), "too many requests from this address");
  }

  /**
   * {@link #perAddress}, then the check of {@code requestId}, in one store step
   * ({@link StateStore#tryAcquireThenByRequest}): a request object's fetch pays one Redis round
   * trip, not two. The count comes first as in {@link #perAddress}; a refused call reads nothing.
   *
   * @throws Problem 429 rate_limited
   */
  public java.util.Optional<dev.agegate.gateway.store.Check> perAddressThenByRequest(ServerRequest req, String kind,
      String requestId) {
    RateLimit limit = edge.budget(kind);
    if (limit.disabled()) {
      return store.byRequest(requestId);
    }
    StateStore.Counted r = store.tryAcquireThenByRequest("ip:" + kind + ":" + address(req), limit.permits(),
        limit.window(), requestId);
    if (r.waitSeconds() > 0) {
      throw new Problem(Reason.RATE_LIMITED, "too many requests from this address", r.waitSeconds());
    }
    return r.check();
  }

  /** Counts one request of {@code kind} for a site. */
  public void perSite(String siteId, String kind) {
    take("site:" + kind + ":" + siteId, perSite, "too many requests for this site");
  }

  /**
   * The routing filter's count: one request in its family's bucket, unless a service counts it
   * ({@link #family} is null).
   */
  public void limit(ServerRequest req) {
    String family = family(req.prologue().method(), req.path().path());
    if (family != null) {
      perAddress(req, family);
    }
  }

  /**
   * The family of a request, or null for the four a service counts itself (POST
   * {@code /v1/checks}, POST {@code /v1/checks/{tx}/token}, GET {@code /v1/requests/{id}},
   * POST {@code /v1/responses/{id}}): each is counted once, first thing in its handler, before
   * its body is read.
   */
  static String family(Method method, String path) {
    String[] p = path.split("/", -1);
    boolean get = method == Method.GET || method == Method.HEAD;
    boolean post = method == Method.POST;
    if (path.equals("/v1/checks") && post) {
      return null;
    }
    if (p.length == 4 && path.startsWith("/v1/checks/") && !p[3].isEmpty() && get) {
      return "poll";
    }
    if (p.length == 5 && path.startsWith("/v1/checks/") && !p[3].isEmpty()) {
      if ((p[4].equals("token") || p[4].equals("dc-response")) && post) {
        return null;
      }
      if (p[4].equals("events") && get) {
        return "events";
      }
      if (p[4].equals("qr.svg") && get) {
        return "qr";
      }
    }
    if (p.length == 4 && path.startsWith("/v1/requests/") && !p[3].isEmpty() && method == Method.GET) {
      return null;
    }
    if (p.length == 4 && path.startsWith("/v1/responses/") && !p[3].isEmpty() && post) {
      return null;
    }
    if (get && path.equals("/v1/trust-list")) {
      return "trust-list";
    }
    if (get && p.length == 5 && path.startsWith("/v1/circuits/") && p[4].equals("proving-key")) {
      return "proving-key";
    }
    if (get && p.length == 4 && path.startsWith("/v1/circuits/")) {
      return "circuits";
    }
    if (get && path.equals("/.well-known/jwks.json")) {
      return "jwks";
    }
    if (get && (path.equals("/widget") || path.startsWith("/widget/") || path.equals("/wallet") || path.startsWith("/wallet/"))) {
      return "static";
    }
    if (path.equals("/demo/issuer") || path.startsWith("/demo/issuer/")) {
      return "demo";
    }
    return "other";
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

  /** The bucket key of the request's client (never logged). */
  public String address(ServerRequest req) {
    InetAddress peer = peer(req);
    if (peer == null) {
      return String.valueOf(req.remotePeer().address());
    }
    HeaderName h = edge.forwardedHeader() == EdgeLimits.ForwardedHeader.FORWARDED ? HeaderNames.FORWARDED : HeaderNames.X_FORWARDED_FOR;
    ServerRequestHeaders headers = req.headers();
    List<String> values = headers.contains(h) ? headers.get(h).allValues() : List.of();
    return ClientAddress.bucket(clients.resolve(peer, values));
  }

  private static InetAddress peer(ServerRequest req) {
    SocketAddress a = req.remotePeer().address();
    if (a instanceof InetSocketAddress i && i.getAddress() != null) {
      return i.getAddress();
    }
    return null;
  }
}
