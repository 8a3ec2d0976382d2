/* The prover's Web Worker: runs the circuits' Go prover (prover.wasm) off the page's thread.
 * Messages in: {id, op, args[, giveBack]} with op one of the agegate.* functions of circuits/wasm.
 * Messages out: {id, ok, ms[, back]} or {id, error} (error: "<code>: <message>"), and for
 * prove, before its answer, {id, phase} as the Go prover reaches each phase (circuits/wasm). */
'use strict';
importScripts('wasm_exec.js');
let booted;
function boot() {
  if (!booted) {
    booted = (async () => {
      const go = new Go();
      let result;
      try {
        result = await WebAssembly.instantiateStreaming(fetch('prover.wasm'), go.importObject);
      } catch (_) { // a server that does not label it application/wasm
        const bytes = await (await fetch('prover.wasm')).arrayBuffer();
        result = await WebAssembly.instantiate(bytes, go.importObject);
      }
      go.run(result.instance);
    })();
  }
  return booted;
}
self.onmessage = async (e) => {
  const { id, op, args, giveBack } = e.data;
  try {
    await boot();
    const started = performance.now();
    const extra = op === 'prove' ? [(phase) => self.postMessage({ id, phase })] : [];
    const out = await self.agegate[op](...(args || []), ...extra);
    if (out instanceof Error) throw out;
    // giveBack: the first argument was moved here (a proving key); the Go side copied it, so
    // move it back for the page to cache, without another copy.
    const back = giveBack ? args[0] : undefined;
    self.postMessage({ id, ok: out, ms: Math.round(performance.now() - started), back }, back ? [back.buffer] : []);
  } catch (err) {
    self.postMessage({ id, error: String((err && err.message) || err) });
  }
};
