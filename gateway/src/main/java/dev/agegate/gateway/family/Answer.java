package dev.agegate.gateway.family;

/**
 * What a wallet presented, read by its family ({@link PresentationFamily#read}) and not yet
 * verified. Each family has its own record; only that family looks inside it.
 */
public interface Answer {
  /** The id of the family that read it and verifies it ({@link PresentationFamily#id}). */
  String family();
}
