/** The trust list in force, its root, and the previous root's grace period. */
package dev.agegate.gateway.trust;
