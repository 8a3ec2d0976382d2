/** The agegate gateway (Helidon SE): {@link dev.agegate.gateway.Main} starts it, {@link dev.agegate.gateway.Gateway} wires it. */
package dev.agegate.gateway;
