package dev.agegate.gateway.family.mdoc;

import com.upokecenter.cbor.CBORObject;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;

/**
 * The ISO 18013-5 SessionTranscript ({@code [DeviceEngagementBytes, EReaderKeyBytes, Handover]},
 * §9.1.5.1) for OpenID4VP 1.0 presentations of mdocs, CBOR-encoded: the bytes a device signs
 * over inside DeviceAuthentication. Both engagement fields are null in OpenID4VP.
 */
public final class SessionTranscripts {
  private SessionTranscripts() {
  }

  /**
   * Cross-device (redirect) OpenID4VP, Appendix B.2.6.1:
   * {@code Handover = ["OpenID4VPHandover", SHA-256(CBOR [client_id, nonce, jwkThumbprint, response_uri])]}.
   *
   * @param jwkThumbprint the RFC 7638 SHA-256 thumbprint of the verifier's response encryption
   *     JWK when the response is encrypted ({@code direct_post.jwt}), else null
   */
  public static byte[] openId4Vp(String clientId, String nonce, byte[] jwkThumbprint, String responseUri) {
    Objects.requireNonNull(clientId, "clientId");
    Objects.requireNonNull(nonce, "nonce");
    Objects.requireNonNull(responseUri, "responseUri");
    CBORObject info = CBORObject.NewArray()
        .Add(CBORObject.FromObject(clientId))
        .Add(CBORObject.FromObject(nonce))
        .Add(thumbprint(jwkThumbprint))
        .Add(CBORObject.FromObject(responseUri));
    return transcript("OpenID4VPHandover", info);
  }

  /**
   * OpenID4VP over the Digital Credentials API, Appendix B.2.6.2:
   * {@code Handover = ["OpenID4VPDCAPIHandover", SHA-256(CBOR [origin, nonce, jwkThumbprint])]}.
   *
   * @param origin the calling page's origin as the browser gave it (e.g. {@code https://shop.example})
   * @param jwkThumbprint as in {@link #openId4Vp}, null for an unencrypted response
   */
  public static byte[] openId4VpDcApi(String origin, String nonce, byte[] jwkThumbprint) {
    Objects.requireNonNull(origin, "origin");
    Objects.requireNonNull(nonce, "nonce");
    CBORObject info = CBORObject.NewArray()
        .Add(CBORObject.FromObject(origin))
        .Add(CBORObject.FromObject(nonce))
        .Add(thumbprint(jwkThumbprint));
    return transcript("OpenID4VPDCAPIHandover", info);
  }

  private static CBORObject thumbprint(byte[] jwkThumbprint) {
    if (jwkThumbprint == null) {
      return CBORObject.Null;
    }
    if (jwkThumbprint.length != 32) {
      throw new IllegalArgumentException("a SHA-256 JWK thumbprint has 32 bytes, not " + jwkThumbprint.length);
    }
    return CBORObject.FromObject(jwkThumbprint);
  }

  private static byte[] transcript(String handoverName, CBORObject info) {
    byte[] hash;
    try {
      hash = MessageDigest.getInstance("SHA-256").digest(info.EncodeToBytes());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    CBORObject handover = CBORObject.NewArray()
        .Add(CBORObject.FromObject(handoverName))
        .Add(CBORObject.FromObject(hash));
    return CBORObject.NewArray().Add(CBORObject.Null).Add(CBORObject.Null).Add(handover).EncodeToBytes();
  }
}
