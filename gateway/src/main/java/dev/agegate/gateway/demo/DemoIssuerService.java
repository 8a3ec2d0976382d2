package dev.agegate.gateway.demo;

import dev.agegate.gateway.http.Bodies;
import dev.agegate.gateway.http.Problem;
import dev.agegate.gateway.http.Reason;
import dev.agegate.zk.FieldElement;
import dev.agegate.zk.Issuers;
import dev.agegate.zk.ZkException;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Map;

/**
 * DEMO ONLY: a stand-in for a real issuer's identity check. It signs a credential for any
 * holder commitment and any birth date typed in, with the demo issuer's key. Mounted only with
 * {@code --demo}. {@code GET /demo/issuer} is a form; {@code POST /demo/issuer/credentials}
 * takes JSON {@code {"holder_commitment":"<64 hex>","birth_date":"YYYY-MM-DD"}} (or the same
 * fields as a form) and answers the credential in the CLI's format (circuits/README.md), valid
 * from today for one year.
 */
public final class DemoIssuerService implements HttpService {
  private static final String PAGE_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; form-action 'self'; "
      + "frame-ancestors 'none'; base-uri 'none'";

  private final Path issuerKey;
  private final Bodies bodies;

  public DemoIssuerService(Path issuerKey, Bodies bodies) {
    this.issuerKey = issuerKey;
    this.bodies = bodies;
  }

  @Override
  public void routing(HttpRules rules) {
    rules.get("/", this::page).post("/credentials", this::issue);
  }

  private void page(ServerRequest req, ServerResponse res) {
    res.header(HeaderNames.CONTENT_TYPE, "text/html; charset=UTF-8");
    res.header(HeaderNames.create("Content-Security-Policy"), PAGE_CSP);
    res.send("""
        <!doctype html><html lang="en"><head><meta charset="utf-8"><title>agegate demo issuer</title>
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <link rel="icon" href="data:,">
        <style>*{box-sizing:border-box}body{overflow-wrap:anywhere;font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}
        .demo{background:#fff3cd;border:2px solid #c90;padding:1rem;border-radius:.5rem}
        label{display:block;margin:1rem 0 .25rem}input{width:100%;padding:.5rem;font-family:monospace}
        button{margin-top:1rem;padding:.5rem 1rem}</style></head><body>
        <p class="demo"><strong>DEMO ISSUER — not a real identity check.</strong> A real issuer
        (a bank, a government ID app) checks who you are before it signs your birth date. This page
        signs whatever you type, so it only works with this demo gateway's demo trust list.</p>
        <h1>Get a demo age credential</h1>
        <form method="post" action="/demo/issuer/credentials">
        <label for="c">Holder commitment (from <code>agezk holder --out holder.json</code>)</label>
        <input id="c" name="holder_commitment" required pattern="[0-9a-fA-F]{64}" autocomplete="off">
        <label for="b">Birth date</label>
        <input id="b" name="birth_date" type="date" required>
        <button type="submit">Sign credential (downloads credential.json)</button>
        </form></body></html>
        """);
  }

  private void issue(ServerRequest req, ServerResponse res) {
    boolean form = req.headers().contentType().map(m -> m.mediaType().text().equals("application/x-www-form-urlencoded")).orElse(false);
    String commitment;
    String birth;
    if (form) {
      Map<String, String> f = bodies.form(req);
      commitment = f.get("holder_commitment");
      birth = f.get("birth_date");
    } else {
      JsonObject o = bodies.json(req);
      commitment = o.get("holder_commitment") instanceof JsonString s ? s.getString() : null;
      birth = o.get("birth_date") instanceof JsonString s ? s.getString() : null;
    }
    if (commitment == null || birth == null) {
      throw new Problem(Reason.MALFORMED_REQUEST, "holder_commitment and birth_date are required");
    }
    FieldElement c;
    LocalDate born;
    try {
      c = FieldElement.fromHex(commitment.strip());
    } catch (IllegalArgumentException e) {
      throw new Problem(Reason.MALFORMED_REQUEST, "holder_commitment must be 64 hex digits below the field modulus");
    }
    LocalDate today = LocalDate.now(ZoneOffset.UTC);
    try {
      born = LocalDate.parse(birth.strip());
    } catch (DateTimeParseException e) {
      throw new Problem(Reason.MALFORMED_REQUEST, "birth_date must be YYYY-MM-DD");
    }
    if (born.isBefore(LocalDate.of(1900, 1, 1)) || born.isAfter(today)) {
      throw new Problem(Reason.MALFORMED_REQUEST, "birth_date must be between 1900-01-01 and today");
    }
    byte[] credential;
    try {
      credential = Issuers.issue(Files.readAllBytes(issuerKey), c, born, today, today.plusYears(1));
    } catch (ZkException e) {
      throw new Problem(Reason.MALFORMED_REQUEST, "the demo issuer refused: " + e.status());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    res.header(HeaderNames.CONTENT_TYPE, "application/json");
    res.header(HeaderNames.CACHE_CONTROL, "no-store");
    res.header(HeaderNames.create("X-Agegate-Demo"), "demo issuer: not a real identity check");
    if (form) {
      res.header(HeaderNames.CONTENT_DISPOSITION, "attachment; filename=\"credential.json\"");
    }
    res.send(credential);
  }
}
