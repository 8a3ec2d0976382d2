/** Token signing: ES256 keys (generated or PEM, rotated), the JWKS, age tokens and per-site pseudonyms. */
package dev.agegate.gateway.tokens;
