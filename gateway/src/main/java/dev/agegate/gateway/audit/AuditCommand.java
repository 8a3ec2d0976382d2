package dev.agegate.gateway.audit;

import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import dev.agegate.gateway.tokens.SigningKeys;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code agegate-gateway audit verify DIR [--keys KEYDIR]... [--jwks FILE|URL]... [--live]
 * [--anchor SEQ:SHA256]...}: verifies an audit log folder ({@link AuditVerifier}) and its
 * checkpoints' signatures against the gateway's public keys, from a {@code signing-keys}
 * folder (its {@code public/} archive and PEM files) or JWK sets (a file, or the gateway's
 * {@code /.well-known/jwks.json} URL: that holds only keys of the last hours, so older
 * checkpoints need the folder). Without either, {@code DIR/../signing-keys} is used when it
 * exists (the default layout). Exit status: 0 valid, 1 the log is broken (the first broken
 * record's position is printed), 2 bad usage or unreadable files.
 */
public final class AuditCommand {
  /** The exit status of a valid log. */
  public static final int VALID = 0;
  /** The exit status of a broken log. */
  public static final int BROKEN = 1;
  /** The exit status of bad usage or unreadable input. */
  public static final int USAGE = 2;

  static final String USAGE_TEXT = "usage: agegate-gateway audit verify DIR [--keys SIGNING_KEYS_DIR]... [--jwks FILE|URL]..."
      + " [--live] [--anchor SEQ:SHA256]...";

  private AuditCommand() {}

  /** Runs {@code args} (after {@code audit}); returns the exit status. */
  public static int run(List<String> args, PrintStream out, PrintStream err) {
    if (args.size() < 2 || !args.get(0).equals("verify")) {
      err.println(USAGE_TEXT);
      return USAGE;
    }
    Path dir = Path.of(args.get(1));
    List<Path> keyDirs = new ArrayList<>();
    List<String> jwks = new ArrayList<>();
    List<AuditVerifier.Anchor> anchors = new ArrayList<>();
    boolean live = false;
    try {
      for (int i = 2; i < args.size(); i++) {
        String a = args.get(i);
        switch (a) {
          case "--live" -> live = true;
          case "--keys" -> keyDirs.add(Path.of(value(args, ++i, a)));
          case "--jwks" -> jwks.add(value(args, ++i, a));
          case "--anchor" -> anchors.add(AuditVerifier.Anchor.parse(value(args, ++i, a)));
          default -> throw new IllegalArgumentException("unknown option '" + a + "'");
        }
      }
    } catch (IllegalArgumentException e) {
      err.println(e.getMessage());
      err.println(USAGE_TEXT);
      return USAGE;
    }
    if (keyDirs.isEmpty() && jwks.isEmpty()) {
      Path dflt = dir.toAbsolutePath().normalize().resolveSibling("signing-keys");
      if (!Files.isDirectory(dflt)) {
        err.println("no keys to check checkpoint signatures against: pass --keys <data-dir>/signing-keys or --jwks FILE");
        err.println(USAGE_TEXT);
        return USAGE;
      }
      keyDirs.add(dflt);
    }
    Map<String, ECKey> keys = new LinkedHashMap<>();
    try {
      for (Path d : keyDirs) {
        for (ECKey k : SigningKeys.publicKeysIn(d)) {
          keys.put(k.getKeyID(), k);
        }
      }
      for (String f : jwks) {
        JWKSet set = f.startsWith("https://") || f.startsWith("http://")
            ? JWKSet.load(java.net.URI.create(f).toURL(), 5000, 5000, 1 << 20)
            : JWKSet.load(Path.of(f).toFile());
        for (JWK k : set.getKeys()) {
          if (k instanceof ECKey ec && k.getKeyID() != null) {
            keys.put(k.getKeyID(), ec.toPublicJWK());
          }
        }
      }
    } catch (IOException | java.text.ParseException | RuntimeException e) {
      err.println("cannot read the keys: " + e.getMessage());
      return USAGE;
    }
    AuditVerifier.Result r;
    try {
      r = AuditVerifier.verify(dir, keys, live, anchors);
    } catch (IOException e) {
      err.println("cannot read " + dir + ": " + e);
      return USAGE;
    }
    r.notes().forEach(n -> out.println("note: " + n));
    if (!r.valid()) {
      out.println("BROKEN at " + r.problem().position() + ": " + r.problem().message());
      return BROKEN;
    }
    out.println("valid: " + r.records() + " records in " + r.segments() + " segments, " + r.checkpoints()
        + " checkpoints, signed up to seq " + r.lastSignedSeq() + " (" + keys.size() + " keys)");
    return VALID;
  }

  private static String value(List<String> args, int i, String option) {
    if (i >= args.size()) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args.get(i);
  }
}
