// Test-only: a page-level stand-in for the W3C Digital Credentials API (no real wallet can run in
// headless Chromium). Browsers.digitalCredentials installs it before any script of every page
// (CDP Page.addScriptToEvaluateOnNewDocument) inside a block that starts with
// `const STAND_IN = {...}`, whose `mode` is:
//   absent   no DigitalCredential in this browser (the widget must offer no button)
//   cancel   navigator.credentials.get rejects with NotAllowedError, as when the person closes it
//   none     it resolves with null (no credential matched)
//   answer   it resolves with a DigitalCredential {protocol, data: STAND_IN.data}
//   handoff  it keeps the request in window.__dcCalls and waits: the test builds the wallet's
//            answer with an independent implementation and hands it over with
//            window.__dcResolve(data) (no network: the page's CSP stays as it is)
// `allow` (optional) lists the protocols DigitalCredential.userAgentAllowsProtocol says yes to.
// Every call's argument is recorded in window.__dcCalls as JSON (signal: whether one was given).
if (STAND_IN.mode === 'absent') {
  delete window.DigitalCredential;
} else {
  class DigitalCredential {
    constructor(protocol, data) { this.type = 'digital'; this.protocol = protocol; this.data = data; }
    // ISO 18013-7 Annex C only unless `STAND_IN.allow` lists the protocols: the widget must drop the others.
    static userAgentAllowsProtocol(p) { return (STAND_IN.allow || ['org-iso-mdoc']).includes(p); }
  }
  Object.defineProperty(window, 'DigitalCredential', { value: DigitalCredential, configurable: true, writable: true });
  const calls = window.__dcCalls = [];
  const get = (options) => {
    const digital = options && options.digital;
    calls.push(JSON.stringify({ digital, mediation: options && options.mediation, signal: !!(options && options.signal instanceof AbortSignal) }));
    if (!digital) return Promise.reject(new TypeError('the stand-in answers digital requests only'));
    const request = digital.requests[0];
    switch (STAND_IN.mode) {
      case 'cancel': return Promise.reject(new DOMException('The user closed the dialog.', 'NotAllowedError'));
      case 'none': return Promise.resolve(null);
      case 'handoff': return new Promise((resolve) => {
        window.__dcResolve = (data) => resolve(new DigitalCredential(request.protocol, data));
      });
      default: return Promise.resolve(new DigitalCredential(request.protocol, STAND_IN.data));
    }
  };
  Object.defineProperty(navigator.credentials, 'get', { value: get, configurable: true, writable: true });
}
