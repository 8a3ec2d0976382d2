package dev.agegate.gateway.http;

import static dev.agegate.gateway.http.JsonSupport.JSON;

import io.helidon.webserver.http.ServerRequest;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Reads request bodies within a byte limit: a declared or actual length above it is
 * {@link Reason#BODY_TOO_LARGE} (413) before any parsing; a wrong content type, invalid UTF-8,
 * or a body that does not parse is {@link Reason#MALFORMED_REQUEST} (400).
 */
public final class Bodies {
  private final int maxBytes;

  public Bodies(int maxBytes) {
    this.maxBytes = maxBytes;
  }

  /** The body as a JSON object; requires {@code Content-Type: application/json}. */
  public JsonObject json(ServerRequest req) {
    requireType(req, "application/json");
    byte[] b = bytes(req);
    try (JsonReader r = JSON.createReader(new ByteArrayInputStream(b))) {
      JsonValue v = r.readValue();
      if (v.getValueType() != JsonValue.ValueType.OBJECT) {
        throw new Problem(Reason.MALFORMED_REQUEST, "the body must be a JSON object");
      }
      return v.asJsonObject();
    } catch (Problem p) {
      throw p;
    } catch (RuntimeException e) {
      // JsonException, and the plain RuntimeException Parsson throws past its nesting limit
      throw new Problem(Reason.MALFORMED_REQUEST, "the body is not valid JSON");
    }
  }

  /**
   * The body as {@code application/x-www-form-urlencoded} fields. A field given twice is
   * refused (no guessing which one counts).
   */
  public Map<String, String> form(ServerRequest req) {
    requireType(req, "application/x-www-form-urlencoded");
    String text = utf8(bytes(req));
    Map<String, String> out = new HashMap<>();
    if (text.isEmpty()) {
      return out;
    }
    for (String pair : text.split("&", -1)) {
      int eq = pair.indexOf('=');
      String k;
      String v;
      try {
        k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
        v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw new Problem(Reason.MALFORMED_REQUEST, "the form is not valid urlencoded data");
      }
      if (out.put(k, v) != null) {
        throw new Problem(Reason.MALFORMED_REQUEST, "form field '" + safe(k) + "' given more than once");
      }
    }
    return out;
  }

  /** The raw body, at most the limit. */
  public byte[] bytes(ServerRequest req) {
    long declared = req.headers().contentLength().orElse(-1L);
    if (declared > maxBytes) {
      throw new Problem(Reason.BODY_TOO_LARGE, "the body is larger than " + maxBytes + " bytes");
    }
    if (!req.content().hasEntity()) {
      return new byte[0];
    }
    try (InputStream in = req.content().inputStream()) {
      byte[] b = in.readNBytes(maxBytes + 1);
      if (b.length > maxBytes) {
        throw new Problem(Reason.BODY_TOO_LARGE, "the body is larger than " + maxBytes + " bytes");
      }
      return b;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void requireType(ServerRequest req, String type) {
    String ct = req.headers().contentType().map(m -> m.mediaType().text()).orElse("");
    if (!ct.toLowerCase(Locale.ROOT).equals(type)) {
      throw new Problem(Reason.MALFORMED_REQUEST, "Content-Type must be " + type);
    }
    req.headers().contentType().flatMap(m -> m.charset()).ifPresent(cs -> {
      if (!cs.equalsIgnoreCase("utf-8")) {
        throw new Problem(Reason.MALFORMED_REQUEST, "the charset must be UTF-8");
      }
    });
  }

  private static String utf8(byte[] b) {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(b)).toString();
    } catch (CharacterCodingException e) {
      throw new Problem(Reason.MALFORMED_REQUEST, "the body is not valid UTF-8");
    }
  }

  /** A caller-supplied name, cut short and stripped to safe characters, for messages. */
  public static String safe(String s) {
    String t = s.length() > 32 ? s.substring(0, 32) : s;
    return t.replaceAll("[^A-Za-z0-9_.-]", "?");
  }
}
