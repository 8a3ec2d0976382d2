/** The gateway's settings, read and checked once at start. */
package dev.agegate.gateway.config;
