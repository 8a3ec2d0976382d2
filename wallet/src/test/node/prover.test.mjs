// Tests of the WebAssembly prover's API (circuits/wasm) in Node, on the built prover.wasm:
//   node --test wallet/src/test/node/prover.test.mjs   (after mvn -pl wallet process-resources)
// The proof itself is exercised in Chromium by examples/demo-site's BrowserJourneyTest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createSign, generateKeyPairSync } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const out = join(dirname(fileURLToPath(import.meta.url)), '../../../target/classes/META-INF/resources/wallet');
await import(join(out, 'wasm_exec.js'));
const go = new globalThis.Go();
const { instance } = await WebAssembly.instantiate(readFileSync(join(out, 'prover.wasm')), go.importObject);
go.run(instance);
const api = globalThis.agegate;

const b64u = (b) => Buffer.from(b).toString('base64url');
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'k1', use: 'sig', alg: 'ES256' };
const jwks = JSON.stringify({ keys: [jwk] });
function jwt(header, claims, key = privateKey) {
  const input = b64u(JSON.stringify(header)) + '.' + b64u(JSON.stringify(claims));
  const sig = createSign('SHA256').update(input).sign({ key, dsaEncoding: 'ieee-p1363' });
  return input + '.' + b64u(sig);
}
const header = { alg: 'ES256', kid: 'k1', typ: 'oauth-authz-req+jwt' };
const claims = { client_id: 'http://localhost:8090', nonce: 'n', agegate: { site: 'demo-shop', min_age: 18 } };
const code = (v) => (v instanceof Error ? v.message.split(':')[0] : 'ok');

test('newHolder_commitment_is64HexAndStable', () => {
  const h = api.newHolder();
  assert.equal(JSON.parse(h).type, 'agegate-holder');
  const c = api.commitment(h);
  assert.match(c, /^[0-9a-f]{64}$/);
  assert.equal(api.commitment(h), c);
  assert.notEqual(api.commitment(api.newHolder()), c);
});

test('commitment_notAHolder_badInput', () => {
  assert.equal(code(api.commitment('{"type":"agegate-holder","version":1,"secret":"00"}')), 'bad_input');
  assert.equal(code(api.commitment(42)), 'bad_input');
});

test('verifyRequest_signedByTheJwksKey_returnsClaims', () => {
  assert.deepEqual(JSON.parse(api.verifyRequest(jwt(header, claims), jwks)), claims);
});

test('verifyRequest_tamperedPayload_refused', () => {
  const [h, , s] = jwt(header, claims).split('.');
  const forged = h + '.' + b64u(JSON.stringify({ ...claims, agegate: { site: 'demo-shop', min_age: 1 } })) + '.' + s;
  assert.equal(code(api.verifyRequest(forged, jwks)), 'request_signature');
});

// Each forged token carries a valid signature by the JWKS key over its own header, so only the
// check under test can refuse it (an unsigned alg none token would fail on its empty signature
// even with the alg pin removed): the message names the reason.
const refusal = (v) => (v instanceof Error ? v.message : 'accepted');
test('verifyRequest_otherKeyWrongTypOrAlgNone_refused', () => {
  const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  assert.match(refusal(api.verifyRequest(jwt(header, claims, other), jwks)), /^request_signature: .*signature does not verify/);
  assert.match(refusal(api.verifyRequest(jwt({ ...header, typ: 'JWT' }, claims), jwks)), /^request_signature: typ "JWT"/);
  for (const alg of ['none', 'ES384', 'HS256']) {
    assert.match(refusal(api.verifyRequest(jwt({ ...header, alg }, claims), jwks)), new RegExp(`^request_signature: alg "${alg}" refused`), alg);
  }
  assert.match(refusal(api.verifyRequest(jwt({ ...header, kid: 'unknown' }, claims), jwks)), /^request_signature: .*signature does not verify/);
});

test('prove_withoutKey_noProvingKey', async () => {
  await assert.rejects(api.prove(null, '{}', api.newHolder(), '{}', '{}'), (e) => code(e) === 'no_proving_key');
});

test('prove_wrongArgumentTypes_badInput', async () => {
  await assert.rejects(api.prove(null, 1, 2, 3, 4), (e) => code(e) === 'bad_input');
});
