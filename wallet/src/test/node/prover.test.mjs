// Tests of the WebAssembly prover's API (circuits/wasm) in Node, on the built prover.wasm:
//   node --test wallet/src/test/node/prover.test.mjs   (after mvn -pl wallet process-resources)
// The proof itself is exercised in Chromium by examples/demo-site's BrowserJourneyTest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execFileSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, createSign, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const out = join(dirname(fileURLToPath(import.meta.url)), '../../../target/classes/META-INF/resources/wallet');
await import(join(out, 'wasm_exec.js'));
const go = new globalThis.Go();
const { instance } = await WebAssembly.instantiate(readFileSync(join(out, 'prover.wasm')), go.importObject);
go.run(instance);
const api = globalThis.agegate;

const b64u = (b) => Buffer.from(b).toString('base64url');
// The request-signing key and its x5c chain (client_id x509_san_dns:gateway.test), made by the
// openssl CLI (Node has no certificate builder): a CA, and a leaf for the key naming the host.
const HOST = 'gateway.test';
const pki = mkdtempSync(join(tmpdir(), 'agegate-x5c-'));
const ossl = (...args) => execFileSync('openssl', args, { cwd: pki, stdio: ['ignore', 'pipe', 'pipe'] });
function leafFor(keyFile, dns) {
  ossl('req', '-new', '-key', keyFile, '-subj', '/CN=request signing', '-out', keyFile + '.csr');
  writeFileSync(join(pki, keyFile + '.ext'), `subjectAltName=DNS:${dns}\nkeyUsage=critical,digitalSignature\n`);
  ossl('x509', '-req', '-in', keyFile + '.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-days', '2', '-extfile', keyFile + '.ext',
    '-out', keyFile + '-' + dns + '.pem');
  return new X509Certificate(readFileSync(join(pki, keyFile + '-' + dns + '.pem'))).raw.toString('base64');
}
ossl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'ca.key');
ossl('req', '-x509', '-new', '-key', 'ca.key', '-subj', '/CN=test CA', '-days', '2', '-out', 'ca.pem',
  '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign');
ossl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'leaf.key');
const privateKey = createPrivateKey(readFileSync(join(pki, 'leaf.key')));
const publicKey = createPublicKey(privateKey);
const caDer = new X509Certificate(readFileSync(join(pki, 'ca.pem'))).raw.toString('base64');
const x5c = [leafFor('leaf.key', HOST), caDer];
const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'k1', use: 'sig', alg: 'ES256' };
const jwks = JSON.stringify({ keys: [jwk] });
function jwt(header, claims, key = privateKey) {
  const input = b64u(JSON.stringify(header)) + '.' + b64u(JSON.stringify(claims));
  const sig = createSign('SHA256').update(input).sign({ key, dsaEncoding: 'ieee-p1363' });
  return input + '.' + b64u(sig);
}
const header = { alg: 'ES256', kid: 'k1', typ: 'oauth-authz-req+jwt', x5c };
const claims = { client_id: 'x509_san_dns:' + HOST, nonce: 'n', agegate: { site: 'demo-shop', min_age: 18 } };
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
  assert.deepEqual(JSON.parse(api.verifyRequest(jwt(header, claims), jwks, HOST)), claims);
});

test('verifyRequest_tamperedPayload_refused', () => {
  const [h, , s] = jwt(header, claims).split('.');
  const forged = h + '.' + b64u(JSON.stringify({ ...claims, agegate: { site: 'demo-shop', min_age: 1 } })) + '.' + s;
  assert.equal(code(api.verifyRequest(forged, jwks, HOST)), 'request_signature');
});

// Each forged token carries a valid signature by the JWKS key over its own header, so only the
// check under test can refuse it (an unsigned alg none token would fail on its empty signature
// even with the alg pin removed): the message names the reason.
const refusal = (v) => (v instanceof Error ? v.message : 'accepted');
test('verifyRequest_otherKeyWrongTypOrAlgNone_refused', () => {
  const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  assert.match(refusal(api.verifyRequest(jwt(header, claims, other), jwks, HOST)), /^request_signature: .*signature does not verify/);
  assert.match(refusal(api.verifyRequest(jwt({ ...header, typ: 'JWT' }, claims), jwks, HOST)), /^request_signature: typ "JWT"/);
  for (const alg of ['none', 'ES384', 'HS256']) {
    assert.match(refusal(api.verifyRequest(jwt({ ...header, alg }, claims), jwks, HOST)), new RegExp(`^request_signature: alg "${alg}" refused`), alg);
  }
  assert.match(refusal(api.verifyRequest(jwt({ ...header, kid: 'unknown' }, claims), jwks, HOST)), /^request_signature: .*signature does not verify/);
});

// x509_san_dns (OpenID4VP 1.0 §5.9.3): the x5c leaf must certify the JWKS key that signed, for
// the gateway's host; each case is signed by the JWKS key, so only the x5c check can refuse it.
test('verifyRequest_x5cLeafOfAnotherKeySanOfAnotherHostOrNone_refused', () => {
  ossl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'other.key');
  const otherLeaf = [leafFor('other.key', HOST), caDer];
  assert.match(refusal(api.verifyRequest(jwt({ ...header, x5c: otherLeaf }, claims), jwks, HOST)),
    /^request_signature: .*does not verify with the x5c leaf/);
  const wrongSan = [leafFor('leaf.key', 'other.example'), caDer];
  assert.match(refusal(api.verifyRequest(jwt({ ...header, x5c: wrongSan }, claims), jwks, HOST)),
    /^request_signature: .*does not name "gateway.test" as a dNSName/);
  const { x5c: _, ...bare } = header;
  assert.match(refusal(api.verifyRequest(jwt(bare, claims), jwks, HOST)), /^request_signature: .*no x5c/);
  assert.match(refusal(api.verifyRequest(jwt(header, claims), jwks, 'other.example')), /^request_signature: .*but the request came from/);
  assert.match(refusal(api.verifyRequest(jwt(header, { ...claims, client_id: 'http://' + HOST }), jwks, HOST)),
    /^request_signature: .*has no x509_san_dns: prefix/);
  assert.equal(code(api.verifyRequest(jwt(header, claims), jwks)), 'bad_input', 'the host is required');
});

test('prove_withoutKey_noProvingKey', async () => {
  await assert.rejects(api.prove(null, '{}', api.newHolder(), '{}', '{}'), (e) => code(e) === 'no_proving_key');
});

test('prove_wrongArgumentTypes_badInput', async () => {
  await assert.rejects(api.prove(null, 1, 2, 3, 4), (e) => code(e) === 'bad_input');
});
