package dev.agegate.gateway.family.mdoc;

import com.upokecenter.cbor.CBOREncodeOptions;
import com.upokecenter.cbor.CBORException;
import com.upokecenter.cbor.CBORObject;
import com.upokecenter.cbor.CBORType;
import java.util.Set;

/**
 * Typed access to decoded CBOR that refuses ({@link Reason#MALFORMED}) instead of guessing:
 * every getter checks the major type and that no tag is present unless one is asked for.
 * Decoding is PeterO's: it refuses trailing bytes, duplicate map keys and nesting deeper than
 * 500, and never allocates more than the input holds.
 */
final class Cbor {
  /** Duplicate keys refused; map order kept. */
  private static final CBOREncodeOptions DECODE = new CBOREncodeOptions("allowduplicatekeys=false;keepkeyorder=true");

  private Cbor() {
  }

  static CBORObject decode(byte[] bytes) throws Refusal {
    if (bytes == null || bytes.length == 0) {
      throw new Refusal(Reason.MALFORMED);
    }
    try {
      return CBORObject.DecodeFromBytes(bytes, DECODE);
    } catch (CBORException | IllegalArgumentException | IllegalStateException | ArithmeticException e) {
      throw new Refusal(Reason.MALFORMED);
    }
  }

  /** The content of an {@code #6.24(bstr .cbor X)}: the tag 24 and the byte string are required. */
  static byte[] embeddedBytes(CBORObject o) throws Refusal {
    if (o == null || o.getTagCount() != 1 || !o.HasOneTag(24) || o.getType() != CBORType.ByteString) {
      throw new Refusal(Reason.MALFORMED);
    }
    return o.GetByteString();
  }

  /** The encoding of {@code #6.24(bstr)} around {@code content} (preferred serialization). */
  static byte[] tag24(byte[] content) {
    return CBORObject.FromObject(content).WithTag(24).EncodeToBytes();
  }

  static CBORObject map(CBORObject o) throws Refusal {
    return untagged(o, CBORType.Map);
  }

  static CBORObject array(CBORObject o) throws Refusal {
    return untagged(o, CBORType.Array);
  }

  static CBORObject array(CBORObject o, int size) throws Refusal {
    CBORObject a = array(o);
    if (a.size() != size) {
      throw new Refusal(Reason.MALFORMED);
    }
    return a;
  }

  static String text(CBORObject o) throws Refusal {
    return untagged(o, CBORType.TextString).AsString();
  }

  static byte[] bytes(CBORObject o) throws Refusal {
    return untagged(o, CBORType.ByteString).GetByteString();
  }

  /** An unsigned or negative integer that fits a long. */
  static long integer(CBORObject o) throws Refusal {
    CBORObject i = untagged(o, CBORType.Integer);
    if (!i.CanValueFitInInt64()) {
      throw new Refusal(Reason.MALFORMED);
    }
    return i.AsInt64Value();
  }

  static boolean bool(CBORObject o) throws Refusal {
    return untagged(o, CBORType.Boolean).isTrue();
  }

  /** A required entry of a map under a text key. */
  static CBORObject get(CBORObject map, String key) throws Refusal {
    CBORObject v = map.GetOrDefault(CBORObject.FromObject(key), null);
    if (v == null) {
      throw new Refusal(Reason.MALFORMED);
    }
    return v;
  }

  /** A required entry of a map under an integer key. */
  static CBORObject get(CBORObject map, long key) throws Refusal {
    CBORObject v = map.GetOrDefault(CBORObject.FromObject(key), null);
    if (v == null) {
      throw new Refusal(Reason.MALFORMED);
    }
    return v;
  }

  /** Refuses a map holding a text key outside {@code allowed} or any non-text key. */
  static void onlyTextKeys(CBORObject map, Set<String> allowed) throws Refusal {
    for (CBORObject k : map.getKeys()) {
      if (k.isTagged() || k.getType() != CBORType.TextString || !allowed.contains(k.AsString())) {
        throw new Refusal(Reason.MALFORMED);
      }
    }
  }

  private static CBORObject untagged(CBORObject o, CBORType type) throws Refusal {
    if (o == null || o.isTagged() || o.getType() != type) {
      throw new Refusal(Reason.MALFORMED);
    }
    return o;
  }
}
