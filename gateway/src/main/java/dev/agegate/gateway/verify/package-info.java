/** Proof verification: the seam over the native binding and the bounded platform-thread pool it runs on. */
package dev.agegate.gateway.verify;
