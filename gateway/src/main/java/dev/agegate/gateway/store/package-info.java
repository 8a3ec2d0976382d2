/**
 * The gateway's state behind one small interface, {@link dev.agegate.gateway.store.StateStore}:
 * checks, consumed nonces, rate-limit buckets and check-change fan-out. The Caffeine
 * implementation serves one process; a shared backend implements the same interface.
 */
package dev.agegate.gateway.store;
