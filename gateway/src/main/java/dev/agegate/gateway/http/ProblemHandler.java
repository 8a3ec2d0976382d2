package dev.agegate.gateway.http;

import static dev.agegate.gateway.http.JsonSupport.JSON;

import io.helidon.http.HeaderNames;
import io.helidon.http.HttpException;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.JsonObjectBuilder;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Writes every error as {@code application/problem+json}: {@code type}
 * ({@code urn:agegate:problem:<reason>}), {@code title}, {@code status}, {@code detail},
 * {@code reason}. Unexpected exceptions become 500 {@code internal_error} and are logged
 * without the request's content (no personal data in any log).
 */
public final class ProblemHandler {
  private static final Logger LOG = Logger.getLogger(ProblemHandler.class.getName());

  private ProblemHandler() {}

  /** Answers a {@link Problem}. */
  public static void problem(ServerRequest req, ServerResponse res, Problem p) {
    if (p.retryAfterSeconds() > 0) {
      res.header(HeaderNames.RETRY_AFTER, Long.toString(p.retryAfterSeconds()));
    }
    send(res, p.reason(), p.detail());
  }

  /** Answers Helidon's own HTTP errors (unknown path, wrong method, payload too large...). */
  public static void http(ServerRequest req, ServerResponse res, HttpException e) {
    Status s = e.status();
    if (s.code() < 400) {
      // not an error: e.g. the static-content handler's 304 Not Modified for a cached file
      if (!res.isSent()) {
        res.status(s).send();
      }
      return;
    }
    Reason r = switch (s.code()) {
      case 404 -> Reason.NOT_FOUND;
      case 405 -> Reason.METHOD_NOT_ALLOWED;
      case 413 -> Reason.BODY_TOO_LARGE;
      case 400, 411, 415 -> Reason.MALFORMED_REQUEST;
      default -> s.code() >= 500 ? Reason.INTERNAL_ERROR : Reason.MALFORMED_REQUEST;
    };
    send(res, r, s.code() == 404 ? "no such resource" : s.reasonPhrase());
  }

  /**
   * Answers anything else as 500, logging the method, the path with its ids replaced
   * ({@link #redacted}) and the exception's stack.
   */
  public static void unexpected(ServerRequest req, ServerResponse res, Throwable t) {
    // absolute(): inside a service, path() is only the part below the service's prefix
    LOG.log(Level.WARNING, "unexpected failure on " + req.prologue().method().text() + " "
        + redacted(req.path().absolute().path()), t);
    send(res, Reason.INTERNAL_ERROR, "unexpected failure");
  }

  /**
   * {@code path} with the segment after {@code /v1/checks/}, {@code /v1/requests/} and
   * {@code /v1/responses/} replaced by {@code {id}}: a transaction or request id in a log would
   * let whoever reads it fetch that check's request object or answer it.
   */
  static String redacted(String path) {
    return path.replaceAll("/v1/(checks|requests|responses)/[^/?]+", "/v1/$1/{id}");
  }

  /** Writes a problem document with the reason's status. */
  public static void send(ServerResponse res, Reason reason, String detail) {
    if (res.isSent()) {
      return;
    }
    JsonObjectBuilder b = JSON.createObjectBuilder()
        .add("type", "urn:agegate:problem:" + reason.code())
        .add("title", reason.title())
        .add("status", reason.status().code())
        .add("reason", reason.code());
    if (detail != null && !detail.isBlank()) {
      b.add("detail", detail);
    }
    res.status(reason.status());
    res.header(HeaderNames.CONTENT_TYPE, "application/problem+json");
    res.header(HeaderNames.CACHE_CONTROL, "no-store");
    res.send(b.build().toString());
  }
}
