/**
 * Presentation families: what a person can present to pass a check, each in a package of its
 * own behind {@link dev.agegate.gateway.family.PresentationFamily}: {@code zk} (agegate's
 * zero-knowledge age proof) and {@code mdoc} (ISO/IEC 18013-5 age attestations). The protocol
 * code (OpenID4VP, the Digital Credentials API) asks each family of a site what to request,
 * hands it what came back, and commits the {@link dev.agegate.gateway.family.Verdict}; it never
 * branches on which family it is. A new family (Longfellow proofs over mdoc) is a third package
 * and one line where {@code Gateway} lists them.
 */
package dev.agegate.gateway.family;
