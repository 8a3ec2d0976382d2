package dev.agegate.gateway.family.mdoc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.ECKey;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** {@link SessionTranscripts} against the non-normative examples of OpenID4VP 1.0 Appendix B.2.6. */
class SessionTranscriptsTest {
  /** The spec's example encryption JWK. */
  static final String JWK = """
      {"kty":"EC","crv":"P-256","x":"DxiH5Q4Yx3UrukE2lWCErq8N8bqC9CHLLrAwLz5BmE0",
       "y":"XtLM4-3h5o3HUH0MHVJV0kyq0iBlrBwlh8qEDMZ4-Pc","use":"enc","alg":"ECDH-ES","kid":"1"}""";
  static final String NONCE = "exc7gBkxjx1rdc9udRrveKvSsJIq80avlXeLHhGwqtA";

  static byte[] thumbprint() throws Exception {
    byte[] t = ECKey.parse(JWK).computeThumbprint("SHA-256").decode();
    assertThat(HexFormat.of().formatHex(t))
        .isEqualTo("4283ec927ae0f208daaa2d026a814f2b22dca52cf85ffa8f3f8626c6bd669047");
    return t;
  }

  @Test
  void openId4Vp_specExample_sameBytes() throws Exception {
    byte[] t = SessionTranscripts.openId4Vp("x509_san_dns:example.com", NONCE, thumbprint(), "https://example.com/response");
    assertThat(HexFormat.of().formatHex(t)).isEqualTo(
        "83f6f682714f70656e494434565048616e646f7665725820048bc053c00442af9b8e"
            + "ed494cefdd9d95240d254b046b11b68013722aad38ac");
  }

  @Test
  void openId4VpDcApi_specExample_sameBytes() throws Exception {
    byte[] t = SessionTranscripts.openId4VpDcApi("https://example.com", NONCE, thumbprint());
    assertThat(HexFormat.of().formatHex(t)).isEqualTo(
        "83f6f682764f70656e4944345650444341504948616e646f7665725820fbece366f4"
            + "212f9762c74cfdbf83b8c69e371d5d68cea09cb4c48ca6daab761a");
  }

  @Test
  void openId4Vp_thumbprintNotSha256Length_illegalArgument() {
    assertThatThrownBy(() -> SessionTranscripts.openId4Vp("c", "n", new byte[31], "https://r"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("32 bytes");
  }
}
