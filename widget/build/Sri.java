import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;

/**
 * Build step (run as a single-file program by exec-maven-plugin): writes the Subresource
 * Integrity value {@code sha384-<base64>} of a file to another file.
 * Usage: {@code java Sri.java <input> <output>}.
 */
public final class Sri {
  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      throw new IllegalArgumentException("usage: java Sri.java <input> <output>");
    }
    byte[] digest = MessageDigest.getInstance("SHA-384").digest(Files.readAllBytes(Path.of(args[0])));
    String sri = "sha384-" + Base64.getEncoder().encodeToString(digest);
    Files.createDirectories(Path.of(args[1]).toAbsolutePath().getParent());
    Files.writeString(Path.of(args[1]), sri + "\n");
    System.out.println(args[0] + " " + sri);
  }
}
