package dev.agegate.gateway.http;

/** Opens {@link WalletWasm#acceptsGzip} to the tests of other packages. */
public final class WalletWasmAccess {
  private WalletWasmAccess() {}

  public static boolean acceptsGzip(String acceptEncoding) {
    return WalletWasm.acceptsGzip(acceptEncoding);
  }
}
