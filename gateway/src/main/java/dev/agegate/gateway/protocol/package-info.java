/** The wallet's side of OpenID4VP: signed request objects, the direct_post response, presentations. */
package dev.agegate.gateway.protocol;
