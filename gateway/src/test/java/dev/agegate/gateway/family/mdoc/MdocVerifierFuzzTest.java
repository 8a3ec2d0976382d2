package dev.agegate.gateway.family.mdoc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.upokecenter.cbor.CBOREncodeOptions;
import com.upokecenter.cbor.CBORObject;
import com.upokecenter.cbor.CBORType;
import java.io.ByteArrayOutputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Fixed-seed mutations of one valid DeviceResponse (from the independent Node wallet): whatever
 * the bytes, {@link MdocVerifier#verify} returns a {@link MdocResult.Refused}; no exception or
 * error escapes and no mutation verifies. Mutations are applied to the whole response and, after
 * re-encoding, inside each byte string that the verifier parses before any signature is checked
 * (IssuerSignedItems, protected headers, the x5chain DER, DeviceNameSpaces), so that those
 * parsers are reached too. The seed is fixed: a failure names its case and reproduces.
 */
class MdocVerifierFuzzTest {
  static final Instant NOW = Instant.now();
  static final String CLIENT_ID = "x509_san_dns:gate.example";
  static final String NONCE = "fuzz-nonce-1";
  static final String RESPONSE_URI = "https://gate.example/v1/checks/tx1/response";
  static final byte[] TRANSCRIPT = SessionTranscripts.openId4Vp(CLIENT_ID, NONCE, null, RESPONSE_URI);
  static final int CASES_PER_MUTATOR = 400;

  static MdocVerifier verifier;
  static byte[] valid;

  @BeforeAll
  static void issue() throws Exception {
    TestPki.Issued iaca = TestPki.iaca("Fuzz IACA", NOW.minus(Duration.ofDays(10)), NOW.plus(Duration.ofDays(365)));
    TestPki.Issued ds = TestPki.documentSigner(iaca, "Fuzz DS", NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(90)), true);
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("name", "ok");
    c.put("issuerKey", ds.jwk());
    c.put("issuerChain", List.of(ds.pem(), iaca.pem()));
    c.put("deviceKey", TestPki.jwk(TestPki.ecKeyPair("secp256r1")));
    c.put("signed", NOW.minus(Duration.ofHours(1)).toString());
    c.put("validFrom", NOW.minus(Duration.ofHours(1)).toString());
    c.put("validUntil", NOW.plus(Duration.ofDays(30)).toString());
    c.put("elements", Map.of("age_over_16", true, "age_over_18", true));
    c.put("transcript", Map.of("kind", "openid4vp", "clientId", CLIENT_ID, "nonce", NONCE, "responseUri", RESPONSE_URI));
    // Unprotected header values other than the x5chain are neither signed nor read (the wallet
    // sends kid: null in the device signature's), so a mutation confined to one of them rightly
    // verifies: the seed carries none, and every byte of it is then either checked or signed.
    CBORObject top = CBORObject.DecodeFromBytes(NodeWallet.build(List.of(c)).get("ok"), new CBOREncodeOptions("keepkeyorder=true"));
    CBORObject doc = top.get("documents").get(0);
    CBORObject issuerUnprotected = doc.get("issuerSigned").get("issuerAuth").get(1);
    doc.get("issuerSigned").get("issuerAuth").set(1, CBORObject.NewMap()
        .Add(CBORObject.FromObject(33), issuerUnprotected.get(CBORObject.FromObject(33))));
    doc.get("deviceSigned").get("deviceAuth").get("deviceSignature").set(1, CBORObject.NewMap());
    valid = top.EncodeToBytes();
    verifier = new MdocVerifier(IacaTrustAnchors.of(List.of(iaca.cert())), MdocVerifier.DEFAULT_DOCTYPES,
        Clock.fixed(NOW, ZoneOffset.UTC));
  }

  @Test
  void verify_unmutated_verified() {
    // the fuzz below would be vacuous if the seed response did not verify
    assertThat(verifier.verify(valid, TRANSCRIPT, 18)).isInstanceOf(MdocResult.Verified.class);
  }

  @Test
  void verify_mutatedWholeResponse_alwaysRefused() {
    Random random = new Random(0x6d646f63L);
    for (Mutator m : Mutator.values()) {
      for (int i = 0; i < CASES_PER_MUTATOR; i++) {
        assertRefused(m.apply(valid, random), m + " #" + i);
      }
    }
  }

  @Test
  void verify_mutatedInsideParsedByteStrings_alwaysRefused() {
    Random random = new Random(0x18013L);
    for (Mutator m : Mutator.values()) {
      for (int i = 0; i < CASES_PER_MUTATOR / 8; i++) {
        for (Site site : Site.values()) {
          assertRefused(site.mutate(valid, b -> m.apply(b, random)), site + " " + m + " #" + i);
        }
      }
    }
  }

  @Test
  void verify_pathologicalShapes_refused() {
    List<byte[]> inputs = new ArrayList<>();
    for (int depth : new int[] {1, 100, 499, 500, 501, 1_000, 10_000, 60_000}) {
      inputs.add(nested(0x81, depth, new byte[] {0x00})); // [[[...0]]]
      inputs.add(nested(0xa1, depth, new byte[] {0x00, 0x00})); // {{...}: 0}: nested as keys
      inputs.add(nested(0x9f, depth, new byte[0])); // indefinite arrays, never closed
      inputs.add(nested(0xd8, depth, new byte[] {0x00}, 0x18)); // tag 24 around tag 24 ...
    }
    // huge declared lengths for every major type with a length, with 1, 2, 4 and 8 length bytes
    for (int major : new int[] {0x40, 0x60, 0x80, 0xa0}) {
      for (int extra = 0; extra < 4; extra++) {
        byte[] b = new byte[2 + (1 << extra)];
        b[0] = (byte) (major | (24 + extra));
        Arrays.fill(b, 1, b.length, (byte) 0xff);
        inputs.add(b);
      }
    }
    // a valid response whose first map announces 2^32-1 entries, and one inside an item
    byte[] hugeTop = valid.clone();
    inputs.add(concat(new byte[] {(byte) 0xba, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff}, Arrays.copyOfRange(hugeTop, 1, hugeTop.length)));
    inputs.add(Site.ITEM.mutate(valid, b -> concat(new byte[] {(byte) 0xbb, -1, -1, -1, -1, -1, -1, -1, -1}, Arrays.copyOfRange(b, 1, b.length))));
    // a response padded to exactly the size limit (trailing bytes) and one byte over
    inputs.add(Arrays.copyOf(valid, MdocVerifier.MAX_RESPONSE_BYTES));
    inputs.add(Arrays.copyOf(valid, MdocVerifier.MAX_RESPONSE_BYTES + 1));
    for (int i = 0; i < inputs.size(); i++) {
      assertRefused(inputs.get(i), "pathological #" + i);
    }
  }

  private static void assertRefused(byte[] input, String what) {
    MdocResult r;
    try {
      r = verifier.verify(input, TRANSCRIPT, 18);
    } catch (Throwable t) {
      throw new AssertionError(what + ": " + t + " escaped verify()", t);
    }
    if (!(r instanceof MdocResult.Refused)) {
      fail("%s: %s (%d bytes) verified", what, r, input == null ? 0 : input.length);
    }
  }

  /** Ways to damage bytes; each draws from the shared seeded random. */
  enum Mutator {
    BIT_FLIPS {
      byte[] apply(byte[] b, Random r) {
        // distinct bits, so that two flips never cancel into the original
        byte[] m = b.clone();
        java.util.Set<Integer> bits = new java.util.HashSet<>();
        int k = Math.min(1 + r.nextInt(4), 8 * m.length);
        while (bits.size() < k) {
          bits.add(r.nextInt(8 * m.length));
        }
        for (int bit : bits) {
          m[bit / 8] ^= (byte) (1 << (bit % 8));
        }
        return m;
      }
    },
    BYTE_INSERTION {
      byte[] apply(byte[] b, Random r) {
        int at = r.nextInt(b.length + 1);
        byte[] ins = new byte[1 + r.nextInt(4)];
        r.nextBytes(ins);
        return concat(Arrays.copyOf(b, at), ins, Arrays.copyOfRange(b, at, b.length));
      }
    },
    BYTE_DELETION {
      byte[] apply(byte[] b, Random r) {
        int at = r.nextInt(b.length);
        int n = Math.min(1 + r.nextInt(8), b.length - at);
        return concat(Arrays.copyOf(b, at), Arrays.copyOfRange(b, at + n, b.length));
      }
    },
    TRUNCATION {
      byte[] apply(byte[] b, Random r) {
        return Arrays.copyOf(b, r.nextInt(b.length));
      }
    },
    RANDOM_BYTES {
      byte[] apply(byte[] b, Random r) {
        byte[] m = new byte[r.nextInt(2048)];
        r.nextBytes(m);
        // half of them keep a valid prefix, so the decoder gets deep before the noise
        if (r.nextBoolean() && m.length > 0) {
          int keep = r.nextInt(Math.min(b.length, m.length));
          System.arraycopy(b, 0, m, 0, keep);
        }
        return m;
      }
    },
    DEEP_NESTING {
      byte[] apply(byte[] b, Random r) {
        int at = r.nextInt(b.length + 1);
        int head = new int[] {0x81, 0x9f, 0xa1, 0xc0 + 6}[r.nextInt(4)];
        return concat(Arrays.copyOf(b, at), nested(head, 1 + r.nextInt(2_000), new byte[0]), Arrays.copyOfRange(b, at, b.length));
      }
    },
    HUGE_LENGTH {
      byte[] apply(byte[] b, Random r) {
        // overwrite a byte with a major type's 8-byte length header announcing near 2^64
        byte[] m = b.clone();
        int at = r.nextInt(m.length);
        int major = new int[] {0x40, 0x60, 0x80, 0xa0}[r.nextInt(4)];
        byte[] len = new byte[8];
        r.nextBytes(len);
        len[0] |= (byte) 0x80 >>> r.nextInt(8);
        return concat(Arrays.copyOf(m, at), new byte[] {(byte) (major | 27)}, len, Arrays.copyOfRange(m, at + 1, m.length));
      }
    };

    abstract byte[] apply(byte[] b, Random r);
  }

  /** Byte strings inside the response that are decoded before any signature covers them. */
  enum Site {
    ITEM, ISSUER_PROTECTED, X5CHAIN_DER, DEVICE_NAMESPACES, DEVICE_PROTECTED;

    byte[] mutate(byte[] response, java.util.function.UnaryOperator<byte[]> f) {
      CBORObject top = CBORObject.DecodeFromBytes(response, new CBOREncodeOptions("keepkeyorder=true"));
      CBORObject doc = top.get("documents").get(0);
      CBORObject ia = doc.get("issuerSigned").get("issuerAuth");
      CBORObject ds = doc.get("deviceSigned");
      switch (this) {
        case ITEM -> {
          CBORObject items = doc.get("issuerSigned").get("nameSpaces").get("eu.europa.ec.av.1");
          items.set(0, CBORObject.FromObject(f.apply(items.get(0).GetByteString())).WithTag(24));
        }
        case ISSUER_PROTECTED -> ia.set(0, CBORObject.FromObject(f.apply(ia.get(0).GetByteString())));
        case X5CHAIN_DER -> {
          CBORObject x5 = ia.get(1).get(CBORObject.FromObject(33));
          if (x5.getType() == CBORType.ByteString) {
            ia.get(1).set(CBORObject.FromObject(33), CBORObject.FromObject(f.apply(x5.GetByteString())));
          } else {
            x5.set(0, CBORObject.FromObject(f.apply(x5.get(0).GetByteString())));
          }
        }
        case DEVICE_NAMESPACES -> ds.set("nameSpaces", CBORObject.FromObject(f.apply(ds.get("nameSpaces").GetByteString())).WithTag(24));
        case DEVICE_PROTECTED -> {
          CBORObject sig = ds.get("deviceAuth").get("deviceSignature");
          sig.set(0, CBORObject.FromObject(f.apply(sig.get(0).GetByteString())));
        }
        default -> throw new AssertionError(this);
      }
      return top.EncodeToBytes();
    }
  }

  /** {@code depth} copies of {@code head} (each followed by {@code after}), then {@code tail}. */
  static byte[] nested(int head, int depth, byte[] tail, int... after) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < depth; i++) {
      out.write(head);
      for (int a : after) {
        out.write(a);
      }
    }
    out.writeBytes(tail);
    return out.toByteArray();
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
