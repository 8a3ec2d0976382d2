/** The hash-chained audit log of check outcomes (JSON lines, no personal data). */
package dev.agegate.gateway.audit;
