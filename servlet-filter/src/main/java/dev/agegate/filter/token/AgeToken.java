package dev.agegate.filter.token;

import java.time.Instant;

/**
 * The claims of an age token that passed every check of {@link AgeTokenVerifier}.
 *
 * @param ageOver   the minimum age the holder proved, at least 1
 * @param assurance the assurance level of that proof, 1..4 (ITU-T X.1254)
 * @param issuedAt  {@code iat}
 * @param expiresAt {@code exp}; the verifier refuses the token once {@code expiresAt + skew} has passed
 * @param id        {@code jti}, never blank
 * @param binding   {@code bnd}, the browser binding given when the check was made, or {@code null}
 * @param pseudonym {@code psn}, the per-site pseudonym for sites that opt in, or {@code null}
 * @param method    {@code method}, the family of proof: {@code agegate-zk} or {@code mso_mdoc};
 *     {@code agegate-zk} for a token of an older gateway, which wrote no {@code method} and proved
 *     ages only that way
 */
public record AgeToken(int ageOver, int assurance, Instant issuedAt, Instant expiresAt, String id,
                       String binding, String pseudonym, String method) {
}
