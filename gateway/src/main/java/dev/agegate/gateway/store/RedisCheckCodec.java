package dev.agegate.gateway.store;

import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;
import java.io.StringReader;
import java.time.Instant;
import java.time.LocalDate;

/**
 * A {@link Check} as the JSON text kept in Redis and sent on the change channel. Every field
 * is written; null fields are JSON null. Instants are ISO-8601, dates {@code YYYY-MM-DD}. The
 * field names are this class's own: a change here must keep reading what older gateways of a
 * mixed-version cluster wrote (add fields, never rename).
 */
final class RedisCheckCodec {
  // Json.createReader looks the provider up through ServiceLoader on every call: once is enough.
  private static final JsonProvider JSON = JsonProvider.provider();

  private RedisCheckCodec() {}

  static String encode(Check c) {
    JsonObjectBuilder b = JSON.createObjectBuilder()
        .add("tx", c.transactionId())
        .add("req", c.requestId())
        .add("nonce", c.nonce())
        .add("state", c.state());
    str(b, "site", c.siteId());
    b.add("min_age", c.minAge()).add("min_assurance", c.minAssurance());
    str(b, "code_challenge", c.codeChallenge());
    str(b, "binding", c.binding());
    str(b, "today", c.today() == null ? null : c.today().toString());
    str(b, "issuer_root", c.issuerRoot());
    str(b, "created_at", c.createdAt() == null ? null : c.createdAt().toString());
    str(b, "expires_at", c.expiresAt() == null ? null : c.expiresAt().toString());
    b.add("status", c.status().name());
    str(b, "reason", c.reason());
    str(b, "nullifier", c.nullifier());
    str(b, "verified_at", c.verifiedAt() == null ? null : c.verifiedAt().toString());
    b.add("redeemed", c.redeemed()).add("version", c.version());
    // Added later: absent in what older gateways wrote, which reads as "no claim".
    if (c.claim() != null) {
      b.add("claim", c.claim());
    }
    if (c.claimUntil() != null) {
      b.add("claim_until", c.claimUntil().toString());
    }
    if (c.method() != null) {
      b.add("method", c.method());
    }
    if (c.assurance() != null) {
      b.add("assurance", c.assurance());
    }
    return b.build().toString();
  }

  /**
   * @throws IllegalStateException when the text is not a check this codec wrote (a foreign
   *     value under our key prefix)
   */
  static Check decode(String json) {
    JsonObject o;
    try (JsonReader r = JSON.createReader(new StringReader(json))) {
      o = r.readObject();
    } catch (RuntimeException e) {
      throw new IllegalStateException("a stored check is not JSON", e);
    }
    try {
      String today = opt(o, "today");
      String created = opt(o, "created_at");
      String expires = opt(o, "expires_at");
      String verified = opt(o, "verified_at");
      String claimUntil = opt(o, "claim_until");
      return new Check(o.getString("tx"), o.getString("req"), o.getString("nonce"), o.getString("state"),
          opt(o, "site"), o.getInt("min_age"), o.getInt("min_assurance"), opt(o, "code_challenge"),
          opt(o, "binding"), today == null ? null : LocalDate.parse(today), opt(o, "issuer_root"),
          created == null ? null : Instant.parse(created), expires == null ? null : Instant.parse(expires),
          CheckStatus.valueOf(o.getString("status")), opt(o, "reason"), opt(o, "nullifier"),
          verified == null ? null : Instant.parse(verified), o.getBoolean("redeemed"),
          o.getJsonNumber("version").longValueExact(), opt(o, "claim"),
          claimUntil == null ? null : Instant.parse(claimUntil), opt(o, "method"),
          o.containsKey("assurance") && o.get("assurance").getValueType() == JsonValue.ValueType.NUMBER
              ? o.getInt("assurance") : null);
    } catch (RuntimeException e) {
      throw new IllegalStateException("a stored check does not decode: " + e.getClass().getSimpleName(), e);
    }
  }

  private static void str(JsonObjectBuilder b, String key, String value) {
    if (value == null) {
      b.addNull(key);
    } else {
      b.add(key, value);
    }
  }

  private static String opt(JsonObject o, String key) {
    JsonValue v = o.get(key);
    return v == null || v.getValueType() == JsonValue.ValueType.NULL ? null : o.getString(key);
  }
}
