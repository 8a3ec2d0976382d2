package dev.agegate.gateway.family.zk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agegate.zk.FieldElement;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class PresentationTest {
  static String b64(byte[] b) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  @Test
  void parse_roundTrip_sameProofAndNullifier() throws Exception {
    byte[] proof = new byte[256];
    Arrays.fill(proof, (byte) 7);
    FieldElement n = FieldElement.of(BigInteger.valueOf(12345));
    Presentation p = Presentation.parse(Presentation.vpToken(proof, n));
    assertThat(p.proof()).isEqualTo(proof);
    assertThat(p.nullifier()).isEqualTo(n);
  }

  @Test
  void parse_anythingElse_malformed() {
    byte[] ok = new byte[288];
    Arrays.fill(ok, 0, 256, (byte) 0xFB); // standard base64 of these bytes has '+' and '/'
    byte[] nullifierAtModulus = new byte[288];
    byte[] r = FieldElement.MODULUS.toByteArray();
    System.arraycopy(r, r.length - 32, nullifierAtModulus, 256, 32);
    for (String vp : new String[] {
        "", "null", "[]", "{}", "{\"age_proof\":[]}", "{\"age_proof\":\"x\"}",
        "{\"age_proof\":[\"" + b64(ok) + "\",\"" + b64(ok) + "\"]}",
        "{\"age_proof\":[\"" + b64(ok) + "\"],\"extra\":1}",
        "{\"age_proof\":[\"" + b64(new byte[287]) + "\"]}",
        "{\"age_proof\":[\"" + b64(new byte[289]) + "\"]}",
        "{\"age_proof\":[\"" + Base64.getEncoder().encodeToString(ok) + "\"]}",
        "{\"age_proof\":[\"" + b64(nullifierAtModulus) + "\"]}"}) {
      assertThatThrownBy(() -> Presentation.parse(vp)).as(vp).isInstanceOf(Presentation.MalformedException.class);
    }
  }
}
