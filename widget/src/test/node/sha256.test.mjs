// The widget's built-in SHA-256 (used for PKCE where crypto.subtle is absent, e.g. a phone on a
// plain-http LAN demo) against Node's: node --test widget/src/test/node/sha256.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const src = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '../../main/js/age-gate.js'), 'utf8');
const start = src.indexOf('  function sha256(msg) {');
const sha256 = new Function(src.slice(start, src.indexOf('\n  }\n', start) + 4) + '; return sha256;')();

test('sha256_everyPaddingBoundary_equalsNodeCrypto', () => {
  assert.ok(start > 0, 'age-gate.js has function sha256');
  for (let n = 0; n <= 130; n++) {
    const m = randomBytes(n);
    assert.equal(Buffer.from(sha256(new Uint8Array(m))).toString('hex'), createHash('sha256').update(m).digest('hex'), 'length ' + n);
  }
});

test('sha256_pkceVerifier_equalsNodeCrypto', () => {
  const verifier = new TextEncoder().encode(randomBytes(32).toString('base64url'));
  assert.equal(Buffer.from(sha256(verifier)).toString('base64url'), createHash('sha256').update(verifier).digest('base64url'));
});
