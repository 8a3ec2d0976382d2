package dev.agegate.zk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The Java side computes the verifier's public inputs exactly as Go does (shared vectors). */
class PublicInputsTest {
  static String vectors() throws IOException {
    return Files.readString(Path.of(System.getProperty("agegate.testdata", "testdata"), "vectors.json"));
  }

  @Test
  void challenge_goVectors_equal() throws IOException {
    Matcher m = Pattern.compile("\"Nonce\": \"(.*?)\",\\s*\"Audience\": \"(.*?)\",\\s*\"Hex\": \"([0-9a-f]{64})\"").matcher(vectors());
    int n = 0;
    while (m.find()) {
      assertEquals(m.group(3), PublicInputs.challenge(m.group(1), m.group(2)).toHex(), m.group(0));
      n++;
    }
    assertEquals(5, n);
  }

  @Test
  void scope_goVectors_equal() throws IOException {
    Matcher m = Pattern.compile("\"Site\": \"(.*?)\",\\s*\"Hex\": \"([0-9a-f]{64})\"").matcher(vectors());
    int n = 0;
    while (m.find()) {
      assertEquals(m.group(2), PublicInputs.scope(m.group(1)).toHex());
      n++;
    }
    assertEquals(3, n);
  }

  @Test
  void cutoffDay_goVectors_equal() throws IOException {
    Matcher m = Pattern.compile("\"Today\": \"(.*?)\",\\s*\"MinAge\": (\\d+),\\s*\"Cutoff\": \"(.*?)\",\\s*\"Day\": (\\d+)").matcher(vectors());
    int n = 0;
    while (m.find()) {
      int day = PublicInputs.cutoffDay(LocalDate.parse(m.group(1)), Integer.parseInt(m.group(2)));
      assertEquals(Integer.parseInt(m.group(4)), day, m.group(0));
      assertEquals(LocalDate.parse(m.group(3)), DayNumber.toDate(day));
      n++;
    }
    assertEquals(6, n);
  }

  @Test
  void cutoffDay_bornOn29February_adultOnFirstMarch() {
    int birth = DayNumber.of(LocalDate.of(2008, 2, 29));
    assertTrue(birth > PublicInputs.cutoffDay(LocalDate.of(2026, 2, 28), 18));
    assertTrue(birth <= PublicInputs.cutoffDay(LocalDate.of(2026, 3, 1), 18));
  }

  @Test
  void fieldElement_atOrAboveModulus_refused() {
    assertThrows(IllegalArgumentException.class, () -> FieldElement.of(FieldElement.MODULUS));
    assertThrows(IllegalArgumentException.class, () -> FieldElement.fromHex(String.format("%064x", FieldElement.MODULUS)));
    assertThrows(IllegalArgumentException.class, () -> FieldElement.fromHex("ff".repeat(32)));
    assertThrows(IllegalArgumentException.class, () -> FieldElement.fromBytes(new byte[31]));
    assertThrows(IllegalArgumentException.class, () -> FieldElement.fromHex("zz".repeat(32)));
    FieldElement max = FieldElement.of(FieldElement.MODULUS.subtract(BigInteger.ONE));
    assertEquals(max, FieldElement.fromHex(max.toHex()));
  }

  @Test
  void of_outOfRangeValues_refused() {
    FieldElement z = FieldElement.of(BigInteger.ONE);
    LocalDate today = LocalDate.of(2026, 11, 28);
    assertThrows(IllegalArgumentException.class, () -> PublicInputs.of(z, today, 18, 0, "n", "a", "s", z));
    assertThrows(IllegalArgumentException.class, () -> PublicInputs.of(z, today, 18, 5, "n", "a", "s", z));
    assertThrows(IllegalArgumentException.class, () -> PublicInputs.of(z, today, -1, 1, "n", "a", "s", z));
    assertThrows(IllegalArgumentException.class, () -> PublicInputs.of(z, LocalDate.of(1899, 12, 31), 0, 1, "n", "a", "s", z));
    assertThrows(IllegalArgumentException.class, () -> PublicInputs.of(z, LocalDate.of(2300, 1, 1), 18, 1, "n", "a", "s", z));
  }

  @Test
  void encode_layoutIsCircuitOrder() {
    FieldElement root = FieldElement.of(BigInteger.valueOf(7));
    FieldElement nul = FieldElement.of(BigInteger.valueOf(9));
    PublicInputs in = PublicInputs.of(root, LocalDate.of(2026, 11, 28), 18, 3, "n", "a", "s", nul);
    byte[] e = in.encode();
    assertEquals(224, e.length);
    assertEquals(7, e[31]);
    assertEquals(in.cutoffDay(), new BigInteger(1, java.util.Arrays.copyOfRange(e, 32, 64)).intValueExact());
    assertEquals(in.today(), new BigInteger(1, java.util.Arrays.copyOfRange(e, 64, 96)).intValueExact());
    assertEquals(3, e[127]);
    assertEquals(9, e[223]);
  }

  @Test
  void circuitVersion_matchesGo() throws IOException {
    Matcher m = Pattern.compile("\"CircuitVersion\": (\\d+)").matcher(vectors());
    assertTrue(m.find(), "vectors.json has no CircuitVersion");
    assertEquals(Integer.parseInt(m.group(1)), PublicInputs.CIRCUIT_VERSION);
  }
}
