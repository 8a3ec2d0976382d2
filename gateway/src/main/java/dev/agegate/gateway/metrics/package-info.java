/** Operations: Prometheus meters (checks by outcome and reason, verification latency) and the health endpoint. */
package dev.agegate.gateway.metrics;
