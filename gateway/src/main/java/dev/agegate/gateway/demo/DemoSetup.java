package dev.agegate.gateway.demo;

import dev.agegate.gateway.config.Settings;
import dev.agegate.gateway.config.Site;
import dev.agegate.zk.Issuers;
import dev.agegate.zk.TrustLists;
import dev.agegate.zk.ZkException;
import io.helidon.config.Config;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

/**
 * Demo mode's files, made once in {@code <data-dir>/demo/} and reused: a demo issuer key
 * (assurance level 3), a trust list holding only it, and a demo IACA ({@link DemoIaca}) as the
 * mdoc trust anchor, so that a demo site may list {@code mso_mdoc}. The dev circuit keys come from
 * {@code agegate.circuit.dev-keys} (demo.yaml). Everything here is a stand-in: a real gateway
 * lists real issuers and pins ceremony keys.
 */
public final class DemoSetup {
  private DemoSetup() {}

  /** The demo issuer's key file. */
  public static Path issuerKey(Path dataDir) {
    return dataDir.resolve("demo").resolve("issuer.json");
  }

  /**
   * Makes the demo issuer and trust list if missing.
   *
   * @return config defaults to layer under the operator's settings ({@code agegate.trust.file},
   *     and {@code agegate.mdoc.iaca-dir}: the demo IACA's folder)
   */
  public static Map<String, String> prepare(Config config) {
    Path data = Path.of(config.get("agegate.data-dir").asString().orElse(".agegate"));
    Path dir = data.resolve("demo");
    Path issuer = issuerKey(data);
    Path trust = dir.resolve("trust-list.json");
    try {
      Files.createDirectories(dir);
      if (!Files.exists(issuer)) {
        byte[] key = Issuers.newIssuer(3);
        Files.write(issuer, key);
        try {
          Files.setPosixFilePermissions(issuer, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException ignored) {
          // not a POSIX file system
        }
        Files.deleteIfExists(trust);
      }
      if (!Files.exists(trust) || !current(trust)) {
        // Missing, or made by an older build (a circuit v1 list): the demo rebuilds it.
        Files.write(trust, TrustLists.build(List.of(Issuers.publicPart(Files.readAllBytes(issuer)))));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("demo: cannot write " + dir, e);
    }
    Path iaca = DemoIaca.ensure(data, java.time.Clock.systemUTC());
    return Map.of("agegate.trust.file", trust.toString(), "agegate.mdoc.iaca-dir", iaca.toString());
  }

  /** Whether the demo trust list is one this build reads (same format and circuit version). */
  private static boolean current(Path trust) throws IOException {
    try {
      TrustLists.root(Files.readAllBytes(trust));
      return true;
    } catch (ZkException e) {
      return false;
    }
  }

  /**
   * Prints what a newcomer opens and runs.
   *
   * @param admin the admin listener's URL (health, metrics, OpenAPI)
   */
  public static void printWelcome(Settings s, String fingerprint, boolean developmentKeys, int port, String admin) {
    String u = s.publicUrl();
    StringBuilder b = new StringBuilder();
    b.append(developmentKeys
        ? "\n=== agegate DEMO (dev circuit keys, demo issuer: not for production) ===\n"
        : "\n=== agegate DEMO (ceremony circuit keys, demo issuer: not for production) ===\n");
    b.append("gateway            ").append(u).append("   (listening on port ").append(port).append(")\n");
    b.append("demo issuer page   ").append(u).append("/demo/issuer\n");
    b.append("issue credential   POST ").append(u).append("/demo/issuer/credentials {holder_commitment, birth_date}\n");
    b.append("widget             ").append(u).append("/widget/v1/age-gate.js  (SRI: ").append(u).append("/widget/v1/age-gate.js.sri)\n");
    b.append("web wallet         ").append(u).append("/wallet/  (when the wallet module is on the class path)\n");
    b.append("JWKS               ").append(u).append("/.well-known/jwks.json\n");
    b.append("trust list         ").append(u).append("/v1/trust-list\n");
    b.append("proving key        ").append(u).append("/v1/circuits/").append(fingerprint).append("/proving-key\n");
    b.append("circuit keys       ").append(u).append("/v1/circuits/").append(fingerprint)
        .append(developmentKeys ? "  (development keys)\n" : "  (ceremony keys: who contributed, the beacons)\n");
    b.append("health, metrics    ").append(admin).append("/health  ").append(admin).append("/metrics  (admin port)\n");
    b.append("OpenAPI            ").append(admin).append("/openapi\n");
    s.mdoc().ifPresent(m -> b.append("mdoc IACA folder   ").append(m.iacaDir().toAbsolutePath())
        .append(m.iacaDir().toAbsolutePath().normalize().equals(DemoIaca.folder(s.dataDir()).toAbsolutePath().normalize()) ? "  (the DEMO IACA: not for production)\n" : "\n"));
    for (Site site : s.sites().values()) {
      b.append("site               ").append(site.id()).append(" (origins ").append(String.join(", ", site.origins()))
          .append(", min age ").append(site.minAge()).append(", families ").append(String.join(", ", site.families()))
          .append(")\n");
    }
    b.append("data folder        ").append(s.dataDir().toAbsolutePath()).append('\n');
    b.append("wallet (CLI)       circuits/target/agezk holder --out holder.json; take the commitment to the issuer page;\n")
        .append("                   circuits/target/agezk wallet --credential cred.json --holder holder.json '<wallet_link of a check>'\n");
    System.out.println(b);
  }
}
