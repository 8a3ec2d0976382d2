"""Test-only wallet built on isomdoc (https://github.com/leecam/pymdoc, PyPI `isomdoc`), an ISO
18013-5 implementation that no one here wrote: isomdoc issues the mdoc (IssuerSignedItems, their
digests, the MSO and the issuer's COSE_Sign1); this script adds the DeviceSigned part the way
isomdoc's own examples/device_response.py does, over a session transcript it computes itself
from OpenID4VP 1.0 Appendix B.2.6.1 (OpenID4VPHandover), independently of the gateway's
SessionTranscripts.

Usage: python3 isomdoc_wallet.py CASES.json   (prints {"<name>": {"response": hex, "transcript": hex}})
Each case: name, docType, nameSpace, issuerKeyPem (PKCS#8), issuerCertPem, deviceKeyPem (PKCS#8),
elements {id: value}, signed/validFrom/validUntil (RFC 3339), and the transcript's clientId,
nonce, responseUri, jwkThumbprintHex (or null).
"""
import codecs
import json
import sys
from datetime import datetime
from hashlib import sha256

import cbor2
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from isomdoc import create_mdoc


def session_transcript(c):
    """SessionTranscript = [null, null, ["OpenID4VPHandover", SHA-256(CBOR [client_id, nonce, thumbprint, response_uri])]]."""
    thumb = bytes.fromhex(c["jwkThumbprintHex"]) if c.get("jwkThumbprintHex") else None
    info = cbor2.dumps([c["clientId"], c["nonce"], thumb, c["responseUri"]])
    return [None, None, ["OpenID4VPHandover", sha256(info).digest()]]


def device_signed(doctype, device_key, transcript):
    """DeviceSigned with a deviceSignature over DeviceAuthenticationBytes (ISO 18013-5 9.1.3)."""
    namespaces = cbor2.CBORTag(24, cbor2.dumps({}))
    auth = ["DeviceAuthentication", transcript, doctype, namespaces]
    auth_bytes = cbor2.dumps(cbor2.CBORTag(24, cbor2.dumps(auth)))
    protected = cbor2.dumps({1: -7})
    to_sign = cbor2.dumps(["Signature1", protected, b"", auth_bytes])
    r, s = decode_dss_signature(device_key.sign(to_sign, ec.ECDSA(hashes.SHA256())))
    sig = codecs.decode("{:064x}".format(r), "hex") + codecs.decode("{:064x}".format(s), "hex")
    return {"nameSpaces": namespaces, "deviceAuth": {"deviceSignature": [protected, {}, None, sig]}}


def build(c):
    issuer_key = serialization.load_pem_private_key(c["issuerKeyPem"].encode(), password=None)
    issuer_cert = x509.load_pem_x509_certificate(c["issuerCertPem"].encode())
    device_key = serialization.load_pem_private_key(c["deviceKeyPem"].encode(), password=None)
    mdoc = create_mdoc(c["docType"], [issuer_cert], issuer_key)
    for element, value in c["elements"].items():
        mdoc.add_data_item(c["nameSpace"], element, value)
    issuer_signed = mdoc.generate_credential(
        device_key.public_key(),
        signed_datetime=datetime.fromisoformat(c["signed"]),
        valid_from_datetime=datetime.fromisoformat(c["validFrom"]),
        valid_until_datetime=datetime.fromisoformat(c["validUntil"]),
    )
    transcript = session_transcript(c)
    document = {
        "docType": c["docType"],
        "issuerSigned": cbor2.loads(issuer_signed),
        "deviceSigned": device_signed(c["docType"], device_key, transcript),
    }
    response = cbor2.dumps({"version": "1.0", "documents": [document], "status": 0})
    return {"response": response.hex(), "transcript": cbor2.dumps(transcript).hex()}


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        cases = json.load(f)["cases"]
    print(json.dumps({c["name"]: build(c) for c in cases}))


if __name__ == "__main__":
    main()
