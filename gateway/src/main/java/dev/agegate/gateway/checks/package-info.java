/** Age checks: their life (create, scan, verify, redeem), the widget's HTTP resource, QR codes and links. */
package dev.agegate.gateway.checks;
