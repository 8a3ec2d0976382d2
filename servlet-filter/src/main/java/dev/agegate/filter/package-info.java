/**
 * The age gate a site adds: {@link dev.agegate.filter.AgeGateFilter}, configured from
 * web.xml init-params or with {@link dev.agegate.filter.AgeGateFilter#builder()}.
 *
 * <p>The filter never sees personal data: it receives the gateway's signed age token at its
 * callback, checks it with {@link dev.agegate.filter.token.AgeTokenVerifier}, and keeps it in
 * a cookie. Everything else here is package-private: path rules, the gate page, problem
 * responses, cookies and the return-path check.
 */
package dev.agegate.filter;
