/** HTTP plumbing shared by every resource: problem+json errors, reason codes, bounded bodies, CORS and security headers, rate limits. */
package dev.agegate.gateway.http;
