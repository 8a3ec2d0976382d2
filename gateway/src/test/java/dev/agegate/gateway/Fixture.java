package dev.agegate.gateway;

import dev.agegate.zk.DevKeys;
import dev.agegate.zk.Holders;
import dev.agegate.zk.Issuers;
import dev.agegate.zk.Prover;
import dev.agegate.zk.TrustLists;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;

/**
 * Real cryptographic material shared by every test in one JVM: dev circuit keys (made once into
 * target/test-keys and reused across runs), a trusted issuer (level 3) and its trust list, a
 * holder with a credential born 2000-01-01, a holder born 16 years ago, and a loaded prover.
 */
final class Fixture {
  static final Path KEYS = Path.of("target/test-keys");
  static final Path DIR = Path.of("target/test-fixture");

  private static Fixture instance;

  final byte[] issuer;
  final byte[] trustList;
  final Path trustFile;
  final byte[] holder;
  final byte[] credential;
  final byte[] youngHolder;
  final byte[] youngCredential;
  final Prover prover;

  private Fixture() throws IOException {
    DevKeys.ensure(KEYS);
    Files.createDirectories(DIR);
    issuer = Issuers.newIssuer(3);
    trustList = TrustLists.build(List.of(Issuers.publicPart(issuer)));
    trustFile = DIR.resolve("trust-list-" + ProcessHandle.current().pid() + ".json");
    Files.write(trustFile, trustList);
    LocalDate today = LocalDate.now();
    holder = Holders.newHolder();
    credential = Issuers.issue(issuer, Holders.commitment(holder), LocalDate.of(2000, 1, 1), today.minusDays(2), today.plusYears(1));
    youngHolder = Holders.newHolder();
    youngCredential = Issuers.issue(issuer, Holders.commitment(youngHolder), today.minusYears(16), today.minusDays(2), today.plusYears(1));
    prover = Prover.load(KEYS.resolve(DevKeys.PROVING_KEY));
  }

  static synchronized Fixture get() {
    if (instance == null) {
      try {
        instance = new Fixture();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return instance;
  }
}
