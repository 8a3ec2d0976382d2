package dev.agegate.gateway.family.mdoc;

import com.nimbusds.jose.util.JSONObjectUtils;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the independent test wallet ({@code src/test/node/mdoc/wallet.mjs}, @auth0/mdl) once for
 * a batch of cases and returns each case's DeviceResponse bytes. Its node_modules come from
 * {@code npm ci}, which the gateway's Maven build runs before the tests.
 */
public final class NodeWallet {
  static final Path DIR = Path.of("src/test/node/mdoc").toAbsolutePath();

  private NodeWallet() {
  }

  public static Map<String, byte[]> build(List<Map<String, Object>> cases) throws IOException, InterruptedException {
    Map<String, byte[]> result = new LinkedHashMap<>();
    run(cases).forEach((k, v) -> result.put(k, HexFormat.of().parseHex(v)));
    return result;
  }

  /**
   * ISO 18013-7 Annex C cases (transcript kind {@code annexc}: origin, deviceRequest,
   * encryptionInfo as the gateway sent them): each case's EncryptedResponse, base64url, sealed
   * with {@code @hpke/core}.
   */
  public static Map<String, String> annexC(List<Map<String, Object>> cases) throws IOException, InterruptedException {
    return run(cases);
  }

  /**
   * OpenID4VP over the Digital Credentials API cases (a member {@code openid4vp}: the gateway's
   * request JWT, the page's origin and the test's knobs, see {@code dcApi} in wallet.mjs): each
   * case's DigitalCredential data as JSON, {@code {"response": "<JWE>"}}, sealed with {@code jose}.
   */
  public static Map<String, String> dcApi(List<Map<String, Object>> cases) throws IOException, InterruptedException {
    return run(cases);
  }

  private static Map<String, String> run(List<Map<String, Object>> cases) throws IOException, InterruptedException {
    if (!Files.isDirectory(DIR.resolve("node_modules/@auth0/mdl"))) {
      throw new IllegalStateException("run `npm ci` in " + DIR + " (the Maven build does) first");
    }
    Path in = Files.createTempFile("mdoc-cases", ".json");
    Path out = Files.createTempFile("mdoc-out", ".json");
    Path err = Files.createTempFile("mdoc-err", ".txt");
    try {
      Files.writeString(in, JSONObjectUtils.toJSONString(Map.of("cases", cases)), StandardCharsets.UTF_8);
      Process p = new ProcessBuilder("node", "wallet.mjs", in.toString()).directory(DIR.toFile())
          .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("the node test wallet did not finish in 120 s");
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException("the node test wallet failed: " + Files.readString(err));
      }
      String printed = Files.readString(out);
      Map<String, Object> json;
      try {
        json = JSONObjectUtils.parse(printed);
      } catch (java.text.ParseException e) {
        throw new IOException("the node test wallet printed no JSON: "
            + printed.substring(0, Math.min(printed.length(), 300)), e);
      }
      Map<String, String> result = new LinkedHashMap<>();
      for (Map.Entry<String, Object> e : json.entrySet()) {
        result.put(e.getKey(), (String) e.getValue());
      }
      return result;
    } finally {
      Files.deleteIfExists(in);
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }
}
