/**
 * The demo shop (a public home page, {@code /adult/} for 18+ and {@code /spirits/} for 21+)
 * protected by the agegate servlet filter in embedded Jetty, and the launcher that starts it
 * together with the gateway (demo mode) and the web wallet.
 */
package dev.agegate.demo;
