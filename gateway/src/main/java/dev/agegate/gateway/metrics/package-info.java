/** Prometheus meters: checks by outcome and reason, verification latency. */
package dev.agegate.gateway.metrics;
