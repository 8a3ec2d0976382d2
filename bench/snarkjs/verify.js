// Verifies an agegate proof with snarkjs (an independent Groth16 verifier) and times it.
// Usage: node verify.js DIR [N]   DIR holds verification_key.json, proof.json, public.json
// (agezk verify --export-snarkjs DIR). Prints one JSON line:
// {"valid":true,"tampered_valid":false,"n":N,"median_us":…,"p90_us":…,"mean_us":…}
// Exits 1 when the proof does not verify or a tampered public input does.
"use strict";
const fs = require("fs");
const path = require("path");
const snarkjs = require("snarkjs");

async function main() {
  const dir = process.argv[2];
  const n = Number(process.argv[3] || 50);
  if (!dir || !(n > 0)) {
    console.error("usage: node verify.js DIR [N]");
    process.exit(2);
  }
  const read = (f) => JSON.parse(fs.readFileSync(path.join(dir, f), "utf8"));
  const vk = read("verification_key.json");
  const proof = read("proof.json");
  const pub = read("public.json");
  const quiet = { info() {}, debug() {}, warn() {}, error: console.error };

  const valid = await snarkjs.groth16.verify(vk, pub, proof, quiet);
  // Soundness spot check: change the nullifier (last public input) and expect a refusal.
  const tampered = pub.slice();
  tampered[tampered.length - 1] = (BigInt(tampered[tampered.length - 1]) + 1n).toString();
  const tamperedValid = await snarkjs.groth16.verify(vk, tampered, proof, quiet);

  for (let i = 0; i < 3; i++) await snarkjs.groth16.verify(vk, pub, proof, quiet); // warm-up
  const us = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    const ok = await snarkjs.groth16.verify(vk, pub, proof, quiet);
    us.push(Number(process.hrtime.bigint() - t0) / 1000);
    if (!ok) throw new Error("verification failed on run " + i);
  }
  us.sort((a, b) => a - b);
  const pick = (q) => us[Math.min(us.length - 1, Math.round(q * (us.length - 1)))];
  const out = {
    valid, tampered_valid: tamperedValid, n,
    median_us: Math.round(pick(0.5)), p90_us: Math.round(pick(0.9)),
    mean_us: Math.round(us.reduce((a, b) => a + b, 0) / us.length),
    snarkjs: JSON.parse(fs.readFileSync(path.join(__dirname, "node_modules/snarkjs/package.json"), "utf8")).version,
  };
  console.log(JSON.stringify(out));
  if (globalThis.curve_bn128) await globalThis.curve_bn128.terminate();
  process.exit(valid && !tamperedValid ? 0 : 1);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
