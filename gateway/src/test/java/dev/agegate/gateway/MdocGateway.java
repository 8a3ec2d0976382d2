package dev.agegate.gateway;

import dev.agegate.gateway.config.Settings;
import dev.agegate.gateway.family.mdoc.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * A test gateway with the mdoc family on: a test IACA (its PEM in the gateway's
 * {@code agegate.mdoc.iaca-dir}), a document signer under it and a device key for the Node
 * wallet; site {@code shop} accepts both families, {@code other-shop} only agegate-zk, {@code eu-shop}
 * only mso_mdoc with unsigned requests by value.
 *
 * @param ds the document signer the test issues with
 * @param deviceKey the holder's device key (a private JWK)
 */
record MdocGateway(Gateway gateway, TestPki.Issued ds, Map<String, Object> deviceKey) {

  /** Certificates named after {@code name}, valid around {@code now}. */
  static MdocGateway create(String name, Instant now) throws Exception {
    TestPki.Issued iaca = TestPki.iaca(name + " IACA", now.minus(Duration.ofDays(30)), now.plus(Duration.ofDays(3650)));
    TestPki.Issued ds = TestPki.documentSigner(iaca, name + " DS", now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(90)), true);
    Map<String, Object> deviceKey = TestPki.jwk(TestPki.ecKeyPair("secp256r1"));
    Path dataDir = TestGateways.freshDataDir();
    Path iacaDir = dataDir.resolveSibling(dataDir.getFileName() + "-iaca");
    Files.createDirectories(iacaDir);
    Files.writeString(iacaDir.resolve("iaca.pem"), iaca.pem());
    String yaml = TestGateways.yaml(dataDir, "  mdoc:\n    iaca-dir: " + iacaDir.toAbsolutePath() + "\n");
    String withFamilies = yaml.replaceFirst("      pseudonym: true\n", "      pseudonym: true\n      families: [agegate-zk, mso_mdoc]\n");
    if (withFamilies.equals(yaml)) {
      throw new IllegalStateException("TestGateways.yaml has no 'pseudonym: true' line for shop");
    }
    // eu-shop: the EU age verification profile's unsigned request by value (request-style unsigned)
    withFamilies = withFamilies.replaceFirst("      time-zone: Pacific/Kiritimati\n", "      time-zone: Pacific/Kiritimati\n"
        + "    - id: eu-shop\n      origins: [\"" + TestGateways.SHOP_ORIGIN + "\"]\n      families: [mso_mdoc]\n"
        + "      request-style: unsigned\n");
    Gateway g = Gateway.create(Settings.from(TestGateways.config(withFamilies)), java.time.Clock.systemUTC(), v -> v);
    return new MdocGateway(g, ds, deviceKey);
  }
}
