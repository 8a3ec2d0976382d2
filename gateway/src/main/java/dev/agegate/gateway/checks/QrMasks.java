package dev.agegate.gateway.checks;

import com.google.zxing.qrcode.decoder.ErrorCorrectionLevel;
import com.google.zxing.qrcode.encoder.ByteMatrix;
import com.google.zxing.qrcode.encoder.QRCode;

/**
 * The mask ZXing would choose for a QR code (ISO/IEC 18004 §7.8: the data masked by each of the
 * eight patterns, the one with the lowest penalty, the first of equals), found from one
 * encoding instead of eight.
 *
 * <p>ZXing's {@code Encoder} builds the whole grid once per mask and scores each; that was about
 * nine tenths of a check's QR encoding (JMH {@code FlowPiecesBenchmark}: 0.78 ms with the
 * choice, 0.07 ms with a fixed mask). Every grid differs from the grid of mask 0 only in its data
 * modules (masked by another pattern) and its format information (which names the mask), so
 * {@link #choose} derives the other seven from mask 0's and scores them with ZXing 3.5's penalty
 * rules, unchanged. The caller then has ZXing encode with the chosen mask: the grid served is
 * always ZXing's own for a mask, and QrTest checks over many texts and versions that it is the
 * grid {@code QRCodeWriter} makes. Stateless, thread-safe.
 */
final class QrMasks {
  private static final int N1 = 3;
  private static final int N2 = 3;
  private static final int N3 = 40;
  private static final int N4 = 10;
  private static final int TYPE_INFO_POLY = 0x537;
  private static final int TYPE_INFO_MASK = 0x5412;
  /** Where the 15 format bits go next to the top-left finder, least significant first (x, y). */
  private static final int[][] TYPE_INFO = {
      {8, 0}, {8, 1}, {8, 2}, {8, 3}, {8, 4}, {8, 5}, {8, 7}, {8, 8}, {7, 8}, {5, 8}, {4, 8}, {3, 8}, {2, 8}, {1, 8}, {0, 8}};
  /** The alignment pattern centres of versions 2–40 (ISO/IEC 18004 Annex E). */
  private static final int[][] ALIGNMENT = {
      {}, {6, 18}, {6, 22}, {6, 26}, {6, 30}, {6, 34}, {6, 22, 38}, {6, 24, 42}, {6, 26, 46}, {6, 28, 50},
      {6, 30, 54}, {6, 32, 58}, {6, 34, 62}, {6, 26, 46, 66}, {6, 26, 48, 70}, {6, 26, 50, 74}, {6, 30, 54, 78},
      {6, 30, 56, 82}, {6, 30, 58, 86}, {6, 34, 62, 90}, {6, 28, 50, 72, 94}, {6, 26, 50, 74, 98},
      {6, 30, 54, 78, 102}, {6, 28, 54, 80, 106}, {6, 32, 58, 84, 110}, {6, 30, 58, 86, 114}, {6, 34, 62, 90, 118},
      {6, 26, 50, 74, 98, 122}, {6, 30, 54, 78, 102, 126}, {6, 26, 52, 78, 104, 130}, {6, 30, 56, 82, 108, 134},
      {6, 34, 60, 86, 112, 138}, {6, 30, 58, 86, 114, 142}, {6, 34, 62, 90, 118, 146},
      {6, 30, 54, 78, 102, 126, 150}, {6, 24, 50, 76, 102, 128, 154}, {6, 28, 54, 80, 106, 132, 158},
      {6, 32, 58, 84, 110, 136, 162}, {6, 26, 54, 82, 110, 138, 166}, {6, 30, 58, 86, 114, 142, 170}};
  /** Per version, which modules carry data (row-major): the only ones a mask changes. */
  private static final boolean[][] DATA = new boolean[41][];
  /** Per version, {@link #flips}. */
  private static final long[][][] FLIPS = new long[41][][];

  private QrMasks() {}

  /**
   * The mask ZXing's {@code Encoder} chooses for the text that {@code mask0} encodes.
   *
   * @param mask0 ZXing's encoding of the text with mask pattern 0
   * @throws IllegalArgumentException if {@code mask0} is not a mask-0 QR code
   */
  static int choose(QRCode mask0) {
    int version = mask0.getVersion().getVersionNumber();
    int size = 17 + 4 * version;
    byte[] raw = unmasked(mask0);
    int[] penalties = penaltiesByWords(raw, version, mask0.getECLevel());
    int best = 0;
    for (int mask = 1; mask < penalties.length; mask++) {
      if (penalties[mask] < penalties[best]) { // the first of equals, as ZXing
        best = mask;
      }
    }
    return best;
  }

  /**
   * The penalty of each mask's grid, one module per byte: the rules as ZXing writes them, the
   * reference QrTest holds {@link #penaltiesByWords} (what {@link #choose} uses) to.
   */
  static int[] penaltiesByBytes(byte[] raw, int version, ErrorCorrectionLevel ec) {
    int size = 17 + 4 * version;
    boolean[] data = data(version);
    byte[] grid = new byte[size * size];
    byte[] columns = new byte[size * size];
    int[] out = new int[QRCode.NUM_MASK_PATTERNS];
    for (int mask = 0; mask < out.length; mask++) {
      grid(raw, data, size, mask, ec, grid);
      out[mask] = penalty(grid, columns, size);
    }
    return out;
  }

  /**
   * The penalty of each mask's grid with every row and every column held as 64-bit words (bit
   * {@code x % 64} of word {@code x / 64}): the same rules as {@link #penalty}, 64 modules at a time.
   */
  static int[] penaltiesByWords(byte[] raw, int version, ErrorCorrectionLevel ec) {
    int size = 17 + 4 * version;
    int words = (size + 63) / 64;
    long[][] flips = flips(version);
    long[] unmasked = new long[2 * size * words]; // rows, then columns
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        if (raw[y * size + x] == 1) {
          unmasked[y * words + (x >>> 6)] |= 1L << x;
          unmasked[(size + x) * words + (y >>> 6)] |= 1L << y;
        }
      }
    }
    long[] w = new long[unmasked.length];
    long[] scratch = new long[4 * words];
    int[] out = new int[QRCode.NUM_MASK_PATTERNS];
    for (int mask = 0; mask < out.length; mask++) {
      for (int i = 0; i < w.length; i++) {
        w[i] = unmasked[i] ^ flips[mask][i];
      }
      int bits = formatBits(ec, mask);
      for (int i = 0; i < 15; i++) {
        boolean dark = ((bits >>> i) & 1) == 1;
        put(w, size, words, TYPE_INFO[i][0], TYPE_INFO[i][1], dark);
        if (i < 8) {
          put(w, size, words, size - 1 - i, 8, dark);
        } else {
          put(w, size, words, 8, size - 7 + i - 8, dark);
        }
      }
      out[mask] = wordPenalty(w, size, words, scratch);
    }
    return out;
  }

  private static void put(long[] w, int size, int words, int x, int y, boolean dark) {
    int row = y * words + (x >>> 6);
    int column = (size + x) * words + (y >>> 6);
    if (dark) {
      w[row] |= 1L << x;
      w[column] |= 1L << y;
    } else {
      w[row] &= ~(1L << x);
      w[column] &= ~(1L << y);
    }
  }

  /** Bits {@code 64j + k …} of the line at {@code off}: word {@code j} of the line shifted down by {@code k} (1–63). */
  private static long down(long[] v, int off, int words, int j, int k) {
    return (v[off + j] >>> k) | (j + 1 < words ? v[off + j + 1] << (64 - k) : 0);
  }

  /** Word {@code j} of the line at {@code off} shifted up by {@code k} (1–63). */
  private static long up(long[] v, int off, int j, int k) {
    return (v[off + j] << k) | (j > 0 ? v[off + j - 1] >>> (64 - k) : 0);
  }

  /** The bits of word {@code j} below {@code n} (the modules {@code x < n}). */
  private static long below(int n, int j) {
    int bits = n - 64 * j;
    return bits >= 64 ? -1L : bits <= 0 ? 0 : (1L << bits) - 1;
  }

  /**
   * {@link #penalty} of a grid held as {@code size} row lines then {@code size} column lines of
   * {@code words} words. Rule 1: {@code e} marks where five equal modules start, so a run of
   * {@code L ≥ 5} has {@code L − 4} marks and one start, and its penalty {@code 3 + (L − 5)} is
   * their count plus two per start. Rule 3: a 1011101 start with four light modules (inside the
   * grid) four before it or seven after it. {@code scratch} holds four lines.
   */
  private static int wordPenalty(long[] w, int size, int words, long[] scratch) {
    int e1 = 0;
    int e = words;
    int z = 2 * words;
    int light = 3 * words;
    int rule1 = 0;
    int rule3 = 0;
    for (int line = 0; line < 2 * size; line++) {
      int off = line * words;
      for (int j = 0; j < words; j++) {
        scratch[e1 + j] = ~(w[off + j] ^ down(w, off, words, j, 1)) & below(size - 1, j);
        scratch[z + j] = ~w[off + j] & below(size, j);
      }
      for (int j = 0; j < words; j++) {
        scratch[e + j] = scratch[e1 + j] & down(scratch, e1, words, j, 1) & down(scratch, e1, words, j, 2)
            & down(scratch, e1, words, j, 3);
        scratch[light + j] = scratch[z + j] & down(scratch, z, words, j, 1) & down(scratch, z, words, j, 2)
            & down(scratch, z, words, j, 3);
      }
      for (int j = 0; j < words; j++) {
        long starts = scratch[e + j] & ~up(scratch, e, j, 1);
        rule1 += Long.bitCount(scratch[e + j]) + 2 * Long.bitCount(starts);
        long finder = w[off + j] & ~down(w, off, words, j, 1) & down(w, off, words, j, 2) & down(w, off, words, j, 3)
            & down(w, off, words, j, 4) & ~down(w, off, words, j, 5) & down(w, off, words, j, 6);
        rule3 += Long.bitCount(finder & (up(scratch, light, j, 4) | down(scratch, light, words, j, 7)));
      }
    }
    int blocks = 0;
    int dark = 0;
    for (int y = 0; y < size; y++) {
      int a = y * words;
      int b = a + words;
      for (int j = 0; j < words; j++) {
        dark += Long.bitCount(w[a + j]);
        if (y + 1 < size) {
          long sameA = ~(w[a + j] ^ down(w, a, words, j, 1));
          long sameB = ~(w[b + j] ^ down(w, b, words, j, 1));
          blocks += Long.bitCount(sameA & sameB & ~(w[a + j] ^ w[b + j]) & below(size - 1, j));
        }
      }
    }
    int total = size * size;
    return rule1 + N2 * blocks + N3 * rule3 + Math.abs(dark * 2 - total) * 10 / total * N4;
  }

  /** Per mask, the data modules it flips, laid out as {@link #penaltiesByWords} holds a grid. */
  private static synchronized long[][] flips(int version) {
    if (FLIPS[version] != null) {
      return FLIPS[version];
    }
    int size = 17 + 4 * version;
    int words = (size + 63) / 64;
    boolean[] data = data(version);
    long[][] f = new long[QRCode.NUM_MASK_PATTERNS][2 * size * words];
    for (int mask = 0; mask < f.length; mask++) {
      for (int y = 0; y < size; y++) {
        for (int x = 0; x < size; x++) {
          if (data[y * size + x] && masked(mask, x, y)) {
            f[mask][y * words + (x >>> 6)] |= 1L << x;
            f[mask][(size + x) * words + (y >>> 6)] |= 1L << y;
          }
        }
      }
    }
    FLIPS[version] = f;
    return f;
  }

  /** The 15 format information bits of {@code ec} and {@code mask}, BCH-coded and masked (ISO/IEC 18004 §7.9). */
  private static int formatBits(ErrorCorrectionLevel ec, int mask) {
    int info = (ec.getBits() << 3) | mask;
    return ((info << 10) | bch(info)) ^ TYPE_INFO_MASK;
  }

  /**
   * The grid of {@code mask0} (row-major, 1 dark) with mask 0 undone on its data modules.
   *
   * @throws IllegalArgumentException if {@code mask0} is not a mask-0 QR code of its version's size
   */
  static byte[] unmasked(QRCode mask0) {
    if (mask0.getMaskPattern() != 0) {
      throw new IllegalArgumentException("the grid to derive from must have mask 0, not " + mask0.getMaskPattern());
    }
    int version = mask0.getVersion().getVersionNumber();
    int size = 17 + 4 * version;
    ByteMatrix m = mask0.getMatrix();
    if (m.getWidth() != size || m.getHeight() != size) {
      throw new IllegalArgumentException("a version " + version + " grid is " + size + " modules wide, not " + m.getWidth());
    }
    boolean[] data = data(version);
    byte[] raw = new byte[size * size];
    for (int y = 0; y < size; y++) {
      byte[] row = m.getArray()[y];
      for (int x = 0; x < size; x++) {
        int i = y * size + x;
        raw[i] = (byte) (data[i] && masked(0, x, y) ? row[x] ^ 1 : row[x]);
      }
    }
    return raw;
  }

  /** The grid of {@code mask} (row-major, 1 dark) from the unmasked one, into {@code out}. */
  static void grid(byte[] raw, boolean[] data, int size, int mask, ErrorCorrectionLevel ec, byte[] out) {
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        int i = y * size + x;
        out[i] = (byte) (data[i] && masked(mask, x, y) ? raw[i] ^ 1 : raw[i]);
      }
    }
    int bits = formatBits(ec, mask);
    for (int i = 0; i < 15; i++) {
      byte bit = (byte) ((bits >>> i) & 1);
      out[TYPE_INFO[i][1] * size + TYPE_INFO[i][0]] = bit;
      if (i < 8) {
        out[8 * size + size - 1 - i] = bit; // beside the top-right finder
      } else {
        out[(size - 7 + i - 8) * size + 8] = bit; // beside the bottom-left finder
      }
    }
  }

  /** The remainder of {@code info · x^10} divided by the format information's BCH polynomial. */
  private static int bch(int info) {
    int v = info << 10;
    for (int bit = 14; bit >= 10; bit--) {
      if ((v & (1 << bit)) != 0) {
        v ^= TYPE_INFO_POLY << (bit - 10);
      }
    }
    return v;
  }

  /** Whether mask pattern {@code mask} flips the module at column {@code x}, row {@code y} (ISO/IEC 18004 Table 10). */
  static boolean masked(int mask, int x, int y) {
    return switch (mask) {
      case 0 -> ((y + x) & 1) == 0;
      case 1 -> (y & 1) == 0;
      case 2 -> x % 3 == 0;
      case 3 -> (y + x) % 3 == 0;
      case 4 -> (((y / 2) + (x / 3)) & 1) == 0;
      case 5 -> ((y * x) & 1) + (y * x) % 3 == 0;
      case 6 -> ((((y * x) & 1) + (y * x) % 3) & 1) == 0;
      case 7 -> ((((y * x) % 3) + ((y + x) & 1)) & 1) == 0;
      default -> throw new IllegalArgumentException("no mask pattern " + mask);
    };
  }

  /**
   * Which modules of a version's grid carry data: all but the finder patterns with their
   * separators and format information, the timing patterns, the alignment patterns (those not
   * overlapping a finder), the dark module and, from version 7, the version information.
   */
  static synchronized boolean[] data(int version) {
    if (version < 1 || version > 40) {
      throw new IllegalArgumentException("no QR version " + version);
    }
    if (DATA[version] != null) {
      return DATA[version];
    }
    int size = 17 + 4 * version;
    boolean[] function = new boolean[size * size];
    fill(function, size, 0, 0, 9, 9); // finder, separator, format information (and the timing crossing)
    fill(function, size, size - 8, 0, 8, 9);
    fill(function, size, 0, size - 8, 9, 8); // includes the dark module (8, size - 8)
    fill(function, size, 6, 0, 1, size); // timing
    fill(function, size, 0, 6, size, 1);
    int[] centres = ALIGNMENT[version - 1];
    for (int cy : centres) {
      for (int cx : centres) {
        boolean onFinder = (cx < 9 && cy < 9) || (cx >= size - 8 && cy < 9) || (cx < 9 && cy >= size - 8);
        if (!onFinder) {
          fill(function, size, cx - 2, cy - 2, 5, 5);
        }
      }
    }
    if (version >= 7) {
      fill(function, size, 0, size - 11, 6, 3);
      fill(function, size, size - 11, 0, 3, 6);
    }
    boolean[] data = new boolean[size * size];
    for (int i = 0; i < data.length; i++) {
      data[i] = !function[i];
    }
    DATA[version] = data;
    return data;
  }

  private static void fill(boolean[] f, int size, int x0, int y0, int w, int h) {
    for (int y = y0; y < y0 + h; y++) {
      for (int x = x0; x < x0 + w; x++) {
        f[y * size + x] = true;
      }
    }
  }

  /**
   * ZXing 3.5's mask penalty of a grid (row-major, 1 dark): rule 1 (runs of five or more),
   * rule 2 (2×2 blocks), rule 3 (1:1:3:1:1 with four light modules inside the grid on one side),
   * rule 4 (dark share away from half). {@code columns} is scratch of the same size.
   */
  static int penalty(byte[] grid, byte[] columns, int size) {
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        columns[x * size + y] = grid[y * size + x];
      }
    }
    return runs(grid, size) + runs(columns, size) + blocks(grid, size)
        + N3 * (finderLike(grid, size) + finderLike(columns, size)) + balance(grid, size);
  }

  /** Rule 1 along the rows of {@code g}. */
  private static int runs(byte[] g, int size) {
    int penalty = 0;
    for (int y = 0; y < size; y++) {
      int at = y * size;
      int run = 1;
      for (int x = 1; x < size; x++) {
        if (g[at + x] == g[at + x - 1]) {
          run++;
        } else {
          if (run >= 5) {
            penalty += N1 + run - 5;
          }
          run = 1;
        }
      }
      if (run >= 5) {
        penalty += N1 + run - 5;
      }
    }
    return penalty;
  }

  /** Rule 2. */
  private static int blocks(byte[] g, int size) {
    int count = 0;
    for (int y = 0; y < size - 1; y++) {
      int a = y * size;
      int b = a + size;
      for (int x = 0; x < size - 1; x++) {
        byte v = g[a + x];
        if (v == g[a + x + 1] && v == g[b + x] && v == g[b + x + 1]) {
          count++;
        }
      }
    }
    return N2 * count;
  }

  /** Rule 3 along the rows of {@code g}: how many 1011101 have four light modules, all inside the grid, before or after. */
  private static int finderLike(byte[] g, int size) {
    int count = 0;
    for (int y = 0; y < size; y++) {
      int at = y * size;
      for (int x = 0; x + 6 < size; x++) {
        int i = at + x;
        if (g[i] == 1 && g[i + 1] == 0 && g[i + 2] == 1 && g[i + 3] == 1 && g[i + 4] == 1 && g[i + 5] == 0
            && g[i + 6] == 1 && (light(g, at, x - 4, x, size) || light(g, at, x + 7, x + 11, size))) {
          count++;
        }
      }
    }
    return count;
  }

  /** Whether columns {@code from} (inclusive) to {@code to} of the row at {@code at} are inside the grid and light. */
  private static boolean light(byte[] g, int at, int from, int to, int size) {
    if (from < 0 || to > size) {
      return false;
    }
    for (int x = from; x < to; x++) {
      if (g[at + x] == 1) {
        return false;
      }
    }
    return true;
  }

  /** Rule 4. */
  private static int balance(byte[] g, int size) {
    int dark = 0;
    for (byte b : g) {
      dark += b;
    }
    int total = size * size;
    return Math.abs(dark * 2 - total) * 10 / total * N4;
  }
}
