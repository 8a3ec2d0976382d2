package dev.agegate.scaleout;

import dev.agegate.zk.DevKeys;
import dev.agegate.zk.Holders;
import dev.agegate.zk.Issuers;
import dev.agegate.zk.Prover;
import dev.agegate.zk.TrustLists;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.time.LocalDate;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What every gateway of a test cluster shares, made once per JVM under
 * {@code target/scaleout}: dev circuit keys (a shared keys folder), a trusted issuer and its
 * trust list file, one token signing key as PEM (so tokens from any node verify against any
 * node's JWKS), one pseudonym secret copied into each node's data folder (so {@code psn} is the
 * same whichever node issues the token), a holder with a credential born 2000-01-01, and a
 * prover for the test's wallet.
 */
final class Fixture {
  static final String SITE = "demo-shop";
  static final String ORIGIN = "http://localhost:8080";

  private static Fixture instance;

  final Path work;
  final Path keys;
  final Path trustFile;
  final Path signingKey;
  final byte[] pseudonymSecret;
  final byte[] trustList;
  final byte[] holder;
  final byte[] credential;
  final Prover prover;

  private Fixture() throws Exception {
    work = Path.of(System.getProperty("agegate.scaleout.work", "target/scaleout")).toAbsolutePath();
    keys = work.resolve("circuit-keys");
    DevKeys.ensure(keys);
    byte[] issuer = Issuers.newIssuer(3);
    trustList = TrustLists.build(List.of(Issuers.publicPart(issuer)));
    trustFile = work.resolve("trust-list.json");
    Files.write(trustFile, trustList);
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    byte[] pkcs8 = g.generateKeyPair().getPrivate().getEncoded();
    signingKey = work.resolve("token-key.pem");
    Files.writeString(signingKey, "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(pkcs8) + "\n-----END PRIVATE KEY-----\n");
    // the gateway refuses private key files that group or others may read
    Files.setPosixFilePermissions(signingKey, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    pseudonymSecret = new byte[32];
    new SecureRandom().nextBytes(pseudonymSecret);
    LocalDate today = LocalDate.now();
    holder = Holders.newHolder();
    credential = Issuers.issue(issuer, Holders.commitment(holder), LocalDate.of(2000, 1, 1), today.minusDays(2), today.plusYears(1));
    prover = Prover.load(keys.resolve(DevKeys.PROVING_KEY));
  }

  static synchronized Fixture get() {
    if (instance == null) {
      try {
        instance = new Fixture();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
    return instance;
  }

  /**
   * The system properties of one Redis-backed node: its own data folder (audit log) holding the
   * shared pseudonym secret, the shared keys, trust list and signing key, one public URL for the
   * whole cluster (it is the proofs' audience, so it must be the same on every node), and rate
   * limits out of the way of the tests' single loopback address.
   */
  Map<String, String> node(String name, String redisUri, String prefix, String publicUrl) throws IOException {
    Path data = work.resolve("nodes").resolve(prefix.replace(':', '_') + name);
    Files.createDirectories(data);
    Files.write(data.resolve("pseudonym.key"), pseudonymSecret);
    Files.setPosixFilePermissions(data.resolve("pseudonym.key"), java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    Map<String, String> p = new LinkedHashMap<>();
    p.put("agegate.store", "redis");
    p.put("agegate.redis.uri", redisUri);
    p.put("agegate.redis.prefix", prefix);
    p.put("agegate.public-url", publicUrl);
    p.put("agegate.data-dir", data.toString());
    p.put("agegate.circuit.keys-dir", keys.toString());
    p.put("agegate.trust.file", trustFile.toString());
    p.put("agegate.tokens.signing-keys", signingKey.toString());
    p.put("agegate.limits.per-ip.permits", "1000000");
    p.put("agegate.limits.per-site.permits", "1000000");
    for (String family : new String[] {"poll", "events", "proving-key", "static"}) {
      p.put("agegate.limits.endpoints." + family + ".permits", "1000000");
    }
    return p;
  }
}
