/** Demo mode: dev keys, a demo issuer and its trust list, a demo mdoc IACA, and the demo issuer page. Never for production. */
package dev.agegate.gateway.demo;
