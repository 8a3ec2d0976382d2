package dev.agegate.gateway.trust;

import dev.agegate.zk.DevKeys;
import dev.agegate.zk.PublicInputs;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the gateway says about the circuit keys it verifies with: the fingerprint, whether they
 * are development keys, and the summary of the ceremony that made them when the key folder holds
 * its transcript ({@code transcript.json}, written by {@code agezk ceremony seal}; the full
 * transcript is re-verified with {@code agezk ceremony verify}, docs/ceremony.md). Served as
 * {@code GET /v1/circuits/{fingerprint}} beside the proving key, and logged at start-up.
 *
 * <p>A transcript that names another verifying key than the one loaded is refused at start-up:
 * the gateway never describes keys it does not use.
 */
public final class CircuitKeys {
  /** The transcript's file name in a key folder. */
  public static final String TRANSCRIPT = "transcript.json";

  private final String fingerprint;
  private final byte[] provingKey;
  private final String provingKeySha256;
  private final boolean development;
  private final JsonObject ceremony; // null without a transcript
  private final byte[] json;

  private CircuitKeys(String fingerprint, byte[] provingKey, boolean development, JsonObject ceremony, String provingKeyUri) {
    this.fingerprint = fingerprint;
    this.provingKey = provingKey;
    this.provingKeySha256 = sha256(provingKey);
    this.development = development;
    this.ceremony = ceremony;
    JsonObjectBuilder b = Json.createObjectBuilder()
        .add("fingerprint", fingerprint)
        .add("circuit_version", PublicInputs.CIRCUIT_VERSION)
        .add("keys", development ? "development" : ceremony != null ? "ceremony" : "pinned")
        .add("proving_key_uri", provingKeyUri)
        .add("pk_sha256", provingKeySha256);
    if (development) {
      b.add("warning", "development keys: made by one party, who can forge proofs; not for production");
    }
    b.add("ceremony", ceremony == null ? JsonValue.NULL : ceremony);
    this.json = b.build().toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Reads {@code keysDir/transcript.json} if there is one.
   *
   * @param fingerprint the loaded verifying key's fingerprint
   * @param devKeysAllowed whether {@code agegate.circuit.dev-keys} is on; keys without a ceremony
   *     transcript are then called development keys
   * @throws IllegalStateException if the transcript is unreadable or names another key
   */
  public static CircuitKeys load(Path keysDir, String fingerprint, boolean devKeysAllowed, String provingKeyUri) {
    byte[] pk = read(keysDir.resolve(DevKeys.PROVING_KEY));
    Path file = keysDir.resolve(TRANSCRIPT);
    if (!Files.exists(file)) {
      return new CircuitKeys(fingerprint, pk, devKeysAllowed, null, provingKeyUri);
    }
    JsonObject t;
    try {
      t = Json.createReader(new StringReader(Files.readString(file))).readObject();
    } catch (IOException e) {
      throw new UncheckedIOException("circuit keys: cannot read " + file, e);
    } catch (JsonException | IllegalStateException e) {
      throw new IllegalStateException("circuit keys: " + file + " is not a ceremony transcript: " + e.getMessage(), e);
    }
    try {
      if (!"agegate-ceremony-transcript".equals(t.getString("type", ""))) {
        throw new IllegalStateException("circuit keys: " + file + " is not an agegate ceremony transcript");
      }
      String named = t.getString("vk_fingerprint", "");
      if (!named.equals(fingerprint)) {
        throw new IllegalStateException("circuit keys: " + file + " is the transcript of verifying key '" + named
            + "', but " + keysDir.resolve("vk.bin") + " is " + fingerprint + ": refusing to describe keys it did not make");
      }
      JsonObject summary = Json.createObjectBuilder()
          .add("circuit_id", t.getString("circuit_id"))
          .add("domain_size", t.getJsonNumber("domain_size").longValueExact())
          .add("phase1", phase(t.getJsonObject("phase1")))
          .add("phase2", phase(t.getJsonObject("phase2")))
          .add("verify", "agezk ceremony verify --dir <ceremony folder> --keys <this key folder>")
          .build();
      return new CircuitKeys(fingerprint, pk, false, summary, provingKeyUri);
    } catch (ClassCastException | NullPointerException | ArithmeticException e) {
      throw new IllegalStateException("circuit keys: " + file + " lacks a field of a sealed transcript: " + e, e);
    }
  }

  /** A phase's contributions (name and hash, the initial file excluded) and its beacon. */
  private static JsonObject phase(JsonObject p) {
    JsonArray files = p.getJsonArray("files");
    JsonArrayBuilder contributions = Json.createArrayBuilder();
    for (int i = 1; i < files.size(); i++) {
      JsonObject f = files.getJsonObject(i);
      contributions.add(Json.createObjectBuilder().add("name", f.getString("name", "")).add("sha256", f.getString("sha256")));
    }
    return Json.createObjectBuilder().add("contributions", contributions).add("beacon", p.getString("beacon")).build();
  }

  public String fingerprint() {
    return fingerprint;
  }

  /** The hex SHA-256 of pk.bin, named in every request object ({@code agegate.pk_sha256}). */
  public String provingKeySha256() {
    return provingKeySha256;
  }

  /**
   * The proving key's bytes, read once at start: what the gateway serves is exactly what its
   * request objects name by {@link #provingKeySha256()}, even if pk.bin changes on disk later.
   */
  byte[] provingKey() {
    return provingKey;
  }

  private static byte[] read(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException("circuit keys: cannot read the proving key " + file, e);
    }
  }

  private static String sha256(byte[] b) {
    try {
      return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(b));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }


  /** Whether these are single-party development keys. */
  public boolean development() {
    return development;
  }

  /** One line for the start-up log. */
  public String summary() {
    if (ceremony == null) {
      return (development ? "DEVELOPMENT circuit keys " : "pinned circuit keys without a ceremony transcript ") + fingerprint;
    }
    return "circuit keys " + fingerprint + " from a ceremony: " + names(ceremony.getJsonObject("phase1")) + " in phase 1 (beacon "
        + ceremony.getJsonObject("phase1").getString("beacon") + "), " + names(ceremony.getJsonObject("phase2"))
        + " in phase 2 (beacon " + ceremony.getJsonObject("phase2").getString("beacon") + ")";
  }

  private static String names(JsonObject phase) {
    JsonArray c = phase.getJsonArray("contributions");
    StringBuilder b = new StringBuilder().append(c.size()).append(" contribution").append(c.size() == 1 ? "" : "s");
    if (!c.isEmpty()) {
      b.append(" (");
      for (int i = 0; i < c.size(); i++) {
        String n = c.getJsonObject(i).getString("name");
        b.append(i > 0 ? ", " : "").append(n.isEmpty() ? "anonymous" : n);
      }
      b.append(')');
    }
    return b.toString();
  }

  /** The body of {@code GET /v1/circuits/{fingerprint}}. */
  byte[] json() {
    return json.clone();
  }
}
