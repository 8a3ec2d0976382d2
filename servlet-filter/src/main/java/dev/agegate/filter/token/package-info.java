/**
 * Verification of the gateway's age tokens: ES256 JWS checked against the gateway's JWKS,
 * with every claim the protocol defines checked and nothing fetched from a token's own
 * headers ({@code jku}, {@code x5u}, {@code jwk} and {@code x5c} are refused, never followed).
 *
 * <p>{@link dev.agegate.filter.token.AgeTokenVerifier} is the entry point. It keeps two
 * Caffeine caches: the JWKS (refreshed ahead of expiry, re-fetched at most once per interval
 * for unknown key ids, kept for a bounded time while the gateway is unreachable, then failing
 * closed) and the tokens it has already verified (keyed by SHA-256 of the token, evicted when
 * the token expires), so a repeat check is one hash and one lookup.
 */
package dev.agegate.filter.token;
