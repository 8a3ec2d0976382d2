package dev.agegate.zk;

/** A native call that did not succeed, with its {@link ZkStatus}. */
public class ZkException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final transient ZkStatus status;

  public ZkException(ZkStatus status, String message) {
    super(message + " (" + status + ")");
    this.status = status;
  }

  ZkException(String message, Throwable cause) {
    super(message, cause);
    this.status = ZkStatus.INTERNAL;
  }

  /** Why the call failed. */
  public ZkStatus status() {
    return status;
  }

  static void check(ZkStatus status, String what) {
    if (status != ZkStatus.OK) {
      throw new ZkException(status, what);
    }
  }
}
