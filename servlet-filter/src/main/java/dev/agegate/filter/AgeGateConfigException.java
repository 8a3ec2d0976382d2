package dev.agegate.filter;

/**
 * A setting of the filter is missing or wrong. Thrown at start-up, never while serving: the
 * message names the setting's key (the web.xml init-param name, also used for the builder's
 * settings) and the value that was refused.
 */
public final class AgeGateConfigException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final String key;

  AgeGateConfigException(String key, String message) {
    super("agegate: " + key + ": " + message);
    this.key = key;
  }

  /** @return the init-param name of the setting at fault, e.g. {@code clock-skew} */
  public String key() {
    return key;
  }
}
