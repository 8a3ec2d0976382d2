package dev.agegate.zk;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;

/**
 * Shared fixtures for the binding's tests: dev keys generated once per build into {@code
 * target/test-keys} (reused while present), an issuer in a trust list, a holder, and credentials.
 */
final class TestWallet {
  static final LocalDate TODAY = LocalDate.of(2026, 11, 28);
  static final String NONCE = "nonce-0123456789";
  static final String AUDIENCE = "http://localhost:8090";
  static final String SITE = "demo-shop";

  private static Path keys;

  final byte[] issuer = Issuers.newIssuer(3);
  final byte[] other = Issuers.newIssuer(2);
  final byte[] trust = TrustLists.build(List.of(Issuers.publicPart(other), Issuers.publicPart(issuer)));
  final FieldElement root = TrustLists.root(trust);
  final byte[] holder = Holders.newHolder();

  static synchronized Path keys() {
    if (keys == null) {
      Path dir = Path.of(System.getProperty("agegate.keys", "target/test-keys"));
      DevKeys.ensure(dir);
      keys = dir;
    }
    return keys;
  }

  static byte[] read(String file) {
    try {
      return Files.readAllBytes(keys().resolve(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  byte[] credential(LocalDate birth) {
    return Issuers.issue(issuer, Holders.commitment(holder), birth, LocalDate.of(2025, 1, 1), LocalDate.of(2030, 1, 1));
  }

  Prover.ProofRequest request(int minAge) {
    return new Prover.ProofRequest(TODAY, minAge, 2, NONCE, AUDIENCE, SITE);
  }

  PublicInputs inputs(int minAge, FieldElement nullifier) {
    return PublicInputs.of(root, TODAY, minAge, 2, NONCE, AUDIENCE, SITE, nullifier);
  }
}
