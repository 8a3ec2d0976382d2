package dev.agegate.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.helidon.webclient.http1.Http1Client;
import io.helidon.webserver.WebServer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * An unexpected failure is logged without the id in its path: a transaction or request id
 * in a log lets whoever reads it fetch that check's request object or answer it.
 */
class ProblemHandlerTest {
  /**
   * The failure happens inside a service mounted under {@code /v1/requests}, as the gateway's
   * are, where Helidon's {@code req.path().path()} is only {@code /<id>}: the redaction must
   * read the absolute path (it did not, and logged every id).
   */
  @Test
  void unexpected_insideAService_logsThePathWithoutItsId() {
    List<String> lines = new CopyOnWriteArrayList<>();
    Handler h = new Handler() {
      @Override
      public void publish(LogRecord r) {
        lines.add(r.getMessage());
      }

      @Override
      public void flush() {
      }

      @Override
      public void close() {
      }
    };
    WebServer server = WebServer.builder().port(0)
        .routing(r -> r
            .register("/v1/requests", rules -> rules.get("/{id}", (req, res) -> {
              throw new IllegalStateException("boom");
            }))
            .error(Throwable.class, ProblemHandler::unexpected))
        .build().start();
    // after the start: Helidon (re)reads the logging configuration as it starts
    Logger log = Logger.getLogger(ProblemHandler.class.getName());
    log.addHandler(h);
    try {
      String id = "GZ5xqdgDucmFVdy47L2DtA";
      var res = Http1Client.builder().baseUri("http://localhost:" + server.port()).build()
          .get("/v1/requests/" + id).request();
      assertThat(res.status().code()).isEqualTo(500);
      res.close();
      assertThat(lines).anySatisfy(l -> assertThat(l).isEqualTo("unexpected failure on GET /v1/requests/{id}"));
      assertThat(String.join("\n", lines)).doesNotContain(id);
    } finally {
      server.stop();
      log.removeHandler(h);
    }
  }

  @Test
  void redacted_everyIdBearingPath() {
    assertThat(ProblemHandler.redacted("/v1/checks/tx1/dc-response")).isEqualTo("/v1/checks/{id}/dc-response");
    assertThat(ProblemHandler.redacted("/v1/responses/abc")).isEqualTo("/v1/responses/{id}");
    assertThat(ProblemHandler.redacted("/v1/requests/abc?x=1")).isEqualTo("/v1/requests/{id}?x=1");
    assertThat(ProblemHandler.redacted("/v1/checks")).isEqualTo("/v1/checks");
  }
}
