package dev.agegate.gateway.tokens;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Private key files: written owner-only from the first byte, atomically and durably, and read
 * only when group and others have no access.
 *
 * <p>A write creates a temporary file with a random name in the target's own folder, already
 * mode 0600 ({@code O_CREAT|O_EXCL} with the mode, so no planted or leftover file is reused and
 * the umask can only narrow it), writes every byte, forces it to disk, renames it over the target
 * ({@code ATOMIC_MOVE}) and forces the folder, so after a crash the target is either the old
 * file or the whole new one. On a file system without POSIX permissions the checks are skipped.
 */
final class KeyFiles {
  /** rw-------. */
  static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> OWNER_ONLY_DIR = PosixFilePermissions.fromString("rwx------");
  private static final Set<PosixFilePermission> GROUP_OR_OTHERS = EnumSet.of(
      PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
      PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE);

  /** Called with each temporary file right after it is created, before anything is written: a test seam. */
  static volatile Consumer<Path> tempCreated = p -> { };

  private KeyFiles() {}

  /** Whether {@code dir}'s file system has POSIX permissions. */
  static boolean posix(Path dir) {
    return dir.getFileSystem().supportedFileAttributeViews().contains("posix");
  }

  /** Creates {@code dir} (and parents) if missing; a folder this creates itself is mode 0700. */
  static void createPrivateDirectory(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    Files.createDirectories(dir.toAbsolutePath().getParent());
    try {
      if (posix(dir.toAbsolutePath().getParent())) {
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIR));
      } else {
        Files.createDirectory(dir);
      }
    } catch (java.nio.file.FileAlreadyExistsException raced) {
      // another process made it first
    }
  }

  /**
   * Replaces {@code dir/name} with {@code content}, owner-only from creation (see the class).
   *
   * @throws IOException if any step fails; the temporary file is then removed
   */
  static void writePrivate(Path dir, String name, byte[] content) throws IOException {
    write(dir, name, content, true);
  }

  /**
   * Creates {@code dir/name} with {@code content} as {@link #writePrivate} does, unless it
   * exists: then it is left as it is, even if another process created it a moment ago (the
   * temporary file is hard-linked to the name, which fails if the name is taken, where a rename
   * would replace it).
   *
   * @return whether this call created it
   */
  static boolean createPrivate(Path dir, String name, byte[] content) throws IOException {
    return write(dir, name, content, false);
  }

  private static boolean write(Path dir, String name, byte[] content, boolean replace) throws IOException {
    FileAttribute<?>[] attrs = posix(dir)
        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)}
        : new FileAttribute<?>[0];
    Path tmp = Files.createTempFile(dir, "." + name + ".", ".tmp", attrs);
    boolean created = true;
    try {
      tempCreated.accept(tmp);
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ByteBuffer b = ByteBuffer.wrap(content);
        while (b.hasRemaining()) {
          ch.write(b);
        }
        ch.force(true);
      }
      if (replace) {
        Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
      } else {
        try {
          Files.createLink(dir.resolve(name), tmp);
        } catch (java.nio.file.FileAlreadyExistsException taken) {
          created = false;
        } catch (UnsupportedOperationException noHardLinks) {
          Files.move(tmp, dir.resolve(name)); // refuses an existing name, though not atomically
        }
        Files.deleteIfExists(tmp);
      }
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    forceDirectory(dir);
    return created;
  }

  /** In-JVM locks by lock file: a second channel on a locked file must not be opened here (closing it could drop the lock). */
  private static final java.util.concurrent.ConcurrentHashMap<Path, java.util.concurrent.locks.ReentrantLock> FOLDER_LOCKS =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** A held {@link #lockFolder} lock. */
  interface FolderLock extends AutoCloseable {
    @Override
    void close() throws IOException;
  }

  /**
   * Waits for and takes the exclusive lock of folder {@code dir} ({@code dir/.lock}): across
   * processes an OS file lock, within this JVM a lock per folder. Whoever reads the folder,
   * decides from what it found and writes (a new key) holds it, so two gateways starting on one
   * data folder do not each generate a key the other does not publish.
   */
  static FolderLock lockFolder(Path dir) throws IOException {
    Path file = dir.toRealPath().resolve(".lock");
    java.util.concurrent.locks.ReentrantLock local =
        FOLDER_LOCKS.computeIfAbsent(file, f -> new java.util.concurrent.locks.ReentrantLock());
    local.lock();
    if (local.getHoldCount() > 1) {
      return local::unlock; // this thread holds the file lock already
    }
    FileChannel ch;
    try {
      ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      try {
        ch.lock();
      } catch (IOException | RuntimeException e) {
        ch.close();
        throw e;
      }
    } catch (IOException | RuntimeException e) {
      local.unlock();
      throw e;
    }
    return () -> {
      try {
        ch.close(); // releases the file lock
      } finally {
        local.unlock();
      }
    };
  }

  /** Forces a folder's entries (a rename into it) to disk; a no-op where folders cannot be opened. */
  static void forceDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (AccessDeniedException | UnsupportedOperationException e) {
      // Windows cannot open a folder as a channel; its renames are durable on their own
    }
  }

  /**
   * Reads a private key file after checking that group and others can neither read nor write it.
   *
   * @throws IllegalStateException naming the file, its mode and the fix, if they can
   */
  static byte[] readPrivate(Path f) throws IOException {
    requireOwnerOnly(f);
    return Files.readAllBytes(f);
  }

  /** See {@link #readPrivate}. */
  static void requireOwnerOnly(Path f) throws IOException {
    if (!posix(f)) {
      return;
    }
    Set<PosixFilePermission> perms = Files.getPosixFilePermissions(f);
    if (perms.stream().anyMatch(GROUP_OR_OTHERS::contains)) {
      throw new IllegalStateException("private key file " + f + " has mode " + PosixFilePermissions.toString(perms)
          + ": group or others may read or replace it; make it owner-only (chmod 600 " + f
          + ", or a Kubernetes secret's defaultMode 0400) and consider the key exposed");
    }
  }
}
