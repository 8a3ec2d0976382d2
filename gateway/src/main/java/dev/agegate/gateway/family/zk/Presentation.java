package dev.agegate.gateway.family.zk;

import static dev.agegate.gateway.http.JsonSupport.JSON;

import dev.agegate.zk.FieldElement;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.util.Arrays;
import java.util.Base64;

/**
 * The wallet's presentation (docs/protocol.md step 4): {@code vp_token} is the JSON
 * {@code {"age_proof":["<b64url, no padding, of proof(256) ‖ nullifier(32)>"]}}.
 *
 * @param proof the 256-byte proof
 * @param nullifier the nullifier, a canonical field element
 */
public record Presentation(byte[] proof, FieldElement nullifier) {
  /** Bytes of a decoded presentation. */
  public static final int SIZE = 288;

  /** Thrown for any vp_token that is not exactly the format above. */
  public static final class MalformedException extends Exception {
    private static final long serialVersionUID = 1L;

    MalformedException(String message) {
      super(message, null, false, false);
    }
  }

  /** Parses a vp_token strictly: one key, one element, no padding, exactly 288 bytes, nullifier below r. */
  public static Presentation parse(String vpToken) throws MalformedException {
    JsonObject o;
    try (JsonReader r = JSON.createReader(new StringReader(vpToken))) {
      JsonValue v = r.readValue();
      if (v.getValueType() != JsonValue.ValueType.OBJECT) {
        throw new MalformedException("vp_token must be a JSON object");
      }
      o = v.asJsonObject();
    } catch (RuntimeException e) {
      throw new MalformedException("vp_token is not JSON");
    }
    if (o.size() != 1 || !o.containsKey(ZkFamily.QUERY_ID)) {
      throw new MalformedException("vp_token must be {\"age_proof\":[\"<presentation>\"]}");
    }
    return parse(o.get(ZkFamily.QUERY_ID));
  }

  /**
   * Parses the {@code age_proof} member's value strictly: an array of one string, no padding,
   * exactly 288 bytes, nullifier below r.
   */
  public static Presentation parse(JsonValue presentations) throws MalformedException {
    if (!(presentations instanceof JsonArray a) || a.size() != 1 || !(a.get(0) instanceof JsonString s)) {
      throw new MalformedException("vp_token must be {\"age_proof\":[\"<presentation>\"]}");
    }
    String text = s.getString();
    if (text.length() != 384 || !text.matches("[A-Za-z0-9_-]+")) {
      throw new MalformedException("the presentation must be 384 base64url characters (288 bytes, no padding)");
    }
    byte[] b = Base64.getUrlDecoder().decode(text);
    try {
      return new Presentation(Arrays.copyOf(b, 256), FieldElement.fromBytes(Arrays.copyOfRange(b, 256, SIZE)));
    } catch (IllegalArgumentException e) {
      throw new MalformedException("the nullifier is not a canonical field element");
    }
  }

  /** The vp_token of a proof and nullifier (for wallets written in Java, tests and benchmarks). */
  public static String vpToken(byte[] proof, FieldElement nullifier) {
    byte[] b = Arrays.copyOf(proof, SIZE);
    System.arraycopy(nullifier.toBytes(), 0, b, 256, 32);
    return "{\"age_proof\":[\"" + Base64.getUrlEncoder().withoutPadding().encodeToString(b) + "\"]}";
  }
}
