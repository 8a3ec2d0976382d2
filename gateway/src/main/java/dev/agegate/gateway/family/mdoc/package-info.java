/**
 * Verification of ISO/IEC 18013-5 mdoc age attestations ({@code eu.europa.ec.av.1}, mDL): a
 * {@code DeviceResponse} is checked against this check's session transcript, minimum age,
 * accepted doctypes, IACA trust anchors and clock, and yields an {@link
 * dev.agegate.gateway.family.mdoc.MdocResult}. CBOR decoding is PeterO's library; every mdoc, COSE and
 * X.509 rule is an explicit check here ({@link dev.agegate.gateway.family.mdoc.MdocVerifier} lists them).
 * Nothing in this package logs or keeps any part of a presentation.
 */
package dev.agegate.gateway.family.mdoc;
