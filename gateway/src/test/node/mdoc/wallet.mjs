// Test-only wallet and issuer: builds ISO/IEC 18013-5 DeviceResponses with @auth0/mdl, an mdoc
// implementation that no one here wrote, so that the gateway's verifier (dev.agegate.gateway.family.mdoc)
// is tested against an independent encoder of IssuerSignedItems, MSOs, COSE_Sign1 and
// DeviceAuthentication.
//
// Usage: node wallet.mjs <file holding {"cases": [...]}>   (prints {"<case name>": "<DeviceResponse hex>", ...};
// for a transcript of kind "annexc" {origin, deviceRequest, encryptionInfo}: the base64url EncryptedResponse;
// for a case with `openid4vp` {request, origin, ...}: the DigitalCredential's data as JSON, see `dcApi` below)
// Each case (all keys but name optional, see `build` below for defaults) names the issuer's key
// and chain (PEM, made by the Java test with BouncyCastle), the document, what is disclosed, the
// MSO validity, the device key and the session transcript's inputs, from which this script
// computes the OpenID4VP 1.0 handover itself (Appendix B.2.6.1 / B.2.6.2), independently of the
// gateway's SessionTranscripts.
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { Document, MDoc, DeviceResponse, DataItem } from '@auth0/mdl';
import { CipherSuite, DhkemP256HkdfSha256, HkdfSha256, Aes128Gcm } from '@hpke/core';
import { CompactEncrypt, calculateJwkThumbprint, compactVerify, decodeProtectedHeader, importJWK } from 'jose';

const require = createRequire(import.meta.url);
const { cborEncode, cborDecode } = require('@auth0/mdl/lib/cbor/index.js');

const sha256 = (bytes) => createHash('sha256').update(bytes).digest();
const hexOrNull = (h) => (h == null ? null : Buffer.from(h, 'hex'));

/** The Handover of ISO 18013-7 Annex C: ["dcapi", SHA-256(CBOR [EncryptionInfo as base64url, origin])]. */
const annexCHandover = (t) => ['dcapi', sha256(cborEncode([t.encryptionInfo, t.origin]))];

/** SessionTranscript = [null, null, Handover], CBOR-encoded, per OpenID4VP 1.0 Appendix B.2.6 (or ISO 18013-7 Annex C). */
function sessionTranscript(t) {
  let handover;
  if (t.kind === 'annexc') {
    handover = annexCHandover(t);
  } else if (t.kind === 'openid4vp') {
    const info = cborEncode([t.clientId, t.nonce, hexOrNull(t.jwkThumbprint), t.responseUri]);
    handover = ['OpenID4VPHandover', sha256(info)];
  } else if (t.kind === 'dcapi') {
    const info = cborEncode([t.origin, t.nonce, hexOrNull(t.jwkThumbprint)]);
    handover = ['OpenID4VPDCAPIHandover', sha256(info)];
  } else {
    throw new Error(`unknown transcript kind ${t.kind}`);
  }
  return cborEncode(DataItem.fromData([null, null, handover]));
}

async function build(c) {
  const docType = c.docType ?? 'eu.europa.ec.av.1';
  const nameSpace = c.nameSpace ?? docType;
  const elements = c.elements ?? { age_over_18: true };
  const disclose = c.disclose ?? Object.keys(elements);
  const devicePublic = { ...c.deviceKey };
  delete devicePublic.d;
  const msoDeviceKey = c.msoDeviceKey ?? devicePublic;

  const issued = await new Document(c.msoDocType ?? docType)
    .addIssuerNameSpace(nameSpace, elements)
    .useDigestAlgorithm(c.digestAlgorithm ?? 'SHA-256')
    .addValidityInfo({
      signed: new Date(c.signed),
      validFrom: new Date(c.validFrom),
      validUntil: new Date(c.validUntil),
    })
    .addDeviceKeyInfo({ deviceKey: msoDeviceKey })
    .sign({
      issuerPrivateKey: c.issuerKey,
      issuerCertificate: c.issuerChain,
      alg: c.issuerAlg ?? 'ES256',
    });
  // A holder may relabel the document: the docType outside the MSO is not issuer-signed.
  issued.docType = docType;

  const presentationDefinition = {
    id: 'agegate',
    input_descriptors: [{
      id: docType,
      format: { mso_mdoc: { alg: ['ES256', 'ES384', 'ES512', 'EdDSA'] } },
      constraints: {
        limit_disclosure: 'required',
        fields: disclose.map((e) => ({ path: [`$['${nameSpace}']['${e}']`], intent_to_retain: false })),
      },
    }],
  };
  let builder = DeviceResponse.from(new MDoc([issued]))
    .usingPresentationDefinition(presentationDefinition)
    .usingSessionTranscriptBytes(sessionTranscript(c.transcript));
  for (const [ns, values] of Object.entries(c.deviceNameSpaces ?? {})) {
    builder = builder.addDeviceNameSpace(ns, values);
  }
  if (c.macReaderKey) {
    // deviceMac: HMAC under a key agreed between the device key and this reader key.
    const k = c.macReaderKey;
    const readerCoseKey = cborEncode(new Map([[1, 2], [-1, 1],
      [-2, Buffer.from(k.x, 'base64url')], [-3, Buffer.from(k.y, 'base64url')]]));
    builder = builder.authenticateWithMAC(c.deviceKey, readerCoseKey, 'HS256');
  } else {
    builder = builder.authenticateWithSignature(c.deviceKey, c.deviceAlg ?? 'ES256');
  }
  const response = await builder.sign();
  if (c.duplicate) response.documents.push(response.documents[0]);
  const encoded = Buffer.from(response.encode());
  return c.transcript.kind === 'annexc' ? seal(c, encoded) : encoded.toString('hex');
}

const get = (m, k) => (m instanceof Map ? m.get(k) : m?.[k]);

/**
 * ISO 18013-7 Annex C: the DeviceResponse sealed with HPKE (base mode, DHKEM(P-256, HKDF-SHA256),
 * HKDF-SHA256, AES-128-GCM; info = the SessionTranscript's CBOR, no aad) to the recipientPublicKey
 * of the request's EncryptionInfo (or to `c.sealTo`, a public JWK; over `c.sealOrigin`'s transcript
 * if given), as the base64url of
 * EncryptedResponse = ["dcapi", {"enc", "cipherText"}].
 */
async function seal(c, deviceResponse) {
  // `c.sealOrigin`: the HPKE info is the transcript of that origin (the device signed c.transcript's).
  const t = c.sealOrigin ? { ...c.transcript, origin: c.sealOrigin } : c.transcript;
  const info = cborDecode(Buffer.from(t.encryptionInfo, 'base64url'));
  if (!Array.isArray(info) || info[0] !== 'dcapi') throw new Error('EncryptionInfo is not ["dcapi", {...}]');
  const cose = get(info[1], 'recipientPublicKey');
  const x = c.sealTo ? Buffer.from(c.sealTo.x, 'base64url') : Buffer.from(get(cose, -2));
  const y = c.sealTo ? Buffer.from(c.sealTo.y, 'base64url') : Buffer.from(get(cose, -3));
  if (!c.sealTo && (get(cose, 1) !== 2 || get(cose, -1) !== 1)) throw new Error('recipientPublicKey is not EC2 P-256');
  const kem = new DhkemP256HkdfSha256();
  const suite = new CipherSuite({ kem, kdf: new HkdfSha256(), aead: new Aes128Gcm() });
  const bytes = (b) => Uint8Array.from(b).buffer; // an ArrayBuffer of exactly these bytes
  const recipientPublicKey = await kem.deserializePublicKey(bytes(Buffer.concat([Buffer.from([4]), x, y])));
  const sender = await suite.createSenderContext({ recipientPublicKey, info: bytes(cborEncode([null, null, annexCHandover(t)])) });
  const cipherText = Buffer.from(await sender.seal(bytes(deviceResponse)));
  const sealed = cborEncode(['dcapi', new Map([['enc', Buffer.from(sender.enc)], ['cipherText', cipherText]])]);
  return Buffer.from(sealed).toString('base64url');
}

/**
 * OpenID4VP 1.0 over the Digital Credentials API (Appendix A, `openid4vp-v1-signed`, response mode
 * `dc_api.jwt`), as a wallet does it: `c.openid4vp.request` is the request JWT the gateway sent; it
 * is checked (typ, the signature against `c.openid4vp.verifyKey`, a public JWK, when given;
 * `expected_origins` holding the browser's `origin`), then the DeviceResponse is built over the
 * OpenID4VPDCAPIHandover of that origin, the request's nonce and the RFC 7638 thumbprint (by jose)
 * of the first key of `client_metadata.jwks`, and `{"vp_token": {"<query id>": ["<base64url>"]}}`
 * is sealed (jose CompactEncrypt, ECDH-ES, the first of `encrypted_response_enc_values_supported`,
 * the key's kid) to that key. Returns the DigitalCredential's data as JSON, `{"response": "<JWE>"}`.
 * Test knobs, each breaking one thing: transcriptOrigin, nonce, thumbprintOf (another JWK in the
 * transcript), sealTo (another public JWK, its kid in the header), queryId, extraVpToken (more
 * vp_token members), extraPayload (more top-level members), duplicateVpToken, plaintext (no JWE: the
 * payload as data).
 */
async function dcApi(c) {
  const o = c.openid4vp;
  const [, payloadPart] = o.request.split('.');
  const header = decodeProtectedHeader(o.request);
  if (header.typ !== 'oauth-authz-req+jwt') throw new Error(`request typ is ${header.typ}`);
  let payloadBytes = Buffer.from(payloadPart, 'base64url');
  if (o.verifyKey) {
    const { payload } = await compactVerify(o.request, await importJWK(o.verifyKey, header.alg));
    payloadBytes = Buffer.from(payload);
  }
  const req = JSON.parse(payloadBytes.toString('utf8'));
  if (req.response_mode !== 'dc_api.jwt') throw new Error(`response_mode is ${req.response_mode}`);
  if (!Array.isArray(req.expected_origins) || !req.expected_origins.includes(o.origin)) {
    throw new Error(`origin ${o.origin} is not in expected_origins`);
  }
  const encKey = req.client_metadata.jwks.keys[0];
  const thumbprint = await calculateJwkThumbprint(o.thumbprintOf ?? encKey, 'sha256');
  const docType = c.docType ?? 'eu.europa.ec.av.1';
  const query = req.dcql_query.credentials.find((q) => q.format === 'mso_mdoc' && q.meta?.doctype_value === docType);
  if (!query) throw new Error(`the DCQL query has no mso_mdoc query for ${docType}`);
  const transcript = {
    kind: 'dcapi',
    origin: o.transcriptOrigin ?? o.origin,
    nonce: o.nonce ?? req.nonce,
    jwkThumbprint: Buffer.from(thumbprint, 'base64url').toString('hex'),
  };
  const deviceResponse = await build({ ...c, transcript });
  const vpToken = { [o.queryId ?? query.id]: [Buffer.from(deviceResponse, 'hex').toString('base64url')], ...(o.extraVpToken ?? {}) };
  const payload = { vp_token: vpToken, ...(o.extraPayload ?? {}) };
  if (o.plaintext) return JSON.stringify(payload);
  // duplicateVpToken: the same vp_token member twice (a JSON reader must refuse, not pick one)
  const text = o.duplicateVpToken
    ? `{"vp_token":${JSON.stringify(vpToken)},"vp_token":${JSON.stringify(vpToken)}}` : JSON.stringify(payload);
  const to = o.sealTo ?? encKey;
  const enc = o.enc ?? req.client_metadata.encrypted_response_enc_values_supported?.[0] ?? 'A128GCM';
  const jwe = await new CompactEncrypt(new TextEncoder().encode(text))
    .setProtectedHeader({ alg: to.alg ?? 'ECDH-ES', enc, kid: to.kid })
    .encrypt(await importJWK(to, 'ECDH-ES'));
  return JSON.stringify({ response: jwe });
}

const { cases } = JSON.parse(readFileSync(process.argv[2], "utf8"));
const out = {};
for (const c of cases) {
  try {
    out[c.name] = c.openid4vp ? await dcApi(c) : await build(c);
  } catch (e) {
    throw new Error(`case ${c.name}: ${e.stack ?? e}`);
  }
}
process.stdout.write(JSON.stringify(out));
