/*! agegate widget v1 — <age-gate> custom element. Apache-2.0. No third-party requests:
 * it talks only to the gateway named in its `gateway` attribute and posts the token to
 * the site's own callback. Works under a strict CSP (no inline script or style needed). */
(() => {
  'use strict';
  if (!window.customElements || customElements.get('age-gate')) return;

  // ---- words (en, fr, de, es): every string a person sees -------------------------------
  const T = {
    en: {
      title: 'Age check', lead: 'This page is for people aged {age} or older.',
      how: 'Scan the code with your wallet. Your wallet proves your age without sharing your birth date or name.',
      qr: 'QR code to scan with your wallet', open: 'Open in wallet app', web: 'Use the web wallet',
      starting: 'Preparing the age check…', pending: 'Waiting for your wallet. Code valid for {time}.',
      scanned: 'Your wallet has the request. Confirm in your wallet.',
      verified: 'Age confirmed. Opening the page…', redeeming: 'Age confirmed. Opening the page…',
      expired: 'This code has expired. You can get a new one.',
      retry: 'Try again', offline: 'The age check service cannot be reached right now. Please try again in a moment.',
      proof_invalid: 'The answer from your wallet was not accepted. This happens when the credential does not show the required age, has expired, or comes from an issuer this site does not accept. Your wallet can tell you which.',
      proof_malformed: 'Your wallet sent an answer this service cannot read. Updating the wallet may help.',
      nonce_replayed: 'This code was already used. Please get a new one.',
      generic: 'The age check could not be completed. Please try again.',
      code: 'Code to compare in your wallet: {code}', declined: 'Your wallet did not share a proof of age. You can start again.',
      time: '{m} min {s} s'
    },
    fr: {
      title: 'Vérification de l’âge', lead: 'Cette page est réservée aux personnes de {age} ans ou plus.',
      how: 'Scannez le code avec votre portefeuille. Il prouve votre âge sans communiquer votre date de naissance ni votre nom.',
      qr: 'Code QR à scanner avec votre portefeuille', open: 'Ouvrir dans l’application portefeuille', web: 'Utiliser le portefeuille web',
      starting: 'Préparation de la vérification…', pending: 'En attente de votre portefeuille. Code valable {time}.',
      scanned: 'Votre portefeuille a reçu la demande. Confirmez dans votre portefeuille.',
      verified: 'Âge confirmé. Ouverture de la page…', redeeming: 'Âge confirmé. Ouverture de la page…',
      expired: 'Ce code a expiré. Vous pouvez en obtenir un nouveau.',
      retry: 'Réessayer', offline: 'Le service de vérification est injoignable pour le moment. Réessayez dans un instant.',
      proof_invalid: 'La réponse de votre portefeuille n’a pas été acceptée. Cela arrive quand l’attestation ne montre pas l’âge requis, a expiré ou vient d’un émetteur que ce site n’accepte pas. Votre portefeuille peut vous dire lequel.',
      proof_malformed: 'Votre portefeuille a envoyé une réponse illisible pour ce service. Une mise à jour du portefeuille peut aider.',
      nonce_replayed: 'Ce code a déjà été utilisé. Veuillez en obtenir un nouveau.',
      generic: 'La vérification n’a pas pu aboutir. Veuillez réessayer.',
      code: 'Code à comparer dans votre portefeuille : {code}', declined: 'Votre portefeuille n’a pas partagé de preuve d’âge. Vous pouvez recommencer.',
      time: '{m} min {s} s'
    },
    de: {
      title: 'Altersprüfung', lead: 'Diese Seite ist für Personen ab {age} Jahren.',
      how: 'Scannen Sie den Code mit Ihrer Wallet. Sie weist Ihr Alter nach, ohne Geburtsdatum oder Namen zu teilen.',
      qr: 'QR-Code zum Scannen mit Ihrer Wallet', open: 'In der Wallet-App öffnen', web: 'Web-Wallet verwenden',
      starting: 'Altersprüfung wird vorbereitet…', pending: 'Warte auf Ihre Wallet. Code gültig für {time}.',
      scanned: 'Ihre Wallet hat die Anfrage. Bestätigen Sie in Ihrer Wallet.',
      verified: 'Alter bestätigt. Die Seite wird geöffnet…', redeeming: 'Alter bestätigt. Die Seite wird geöffnet…',
      expired: 'Dieser Code ist abgelaufen. Sie können einen neuen anfordern.',
      retry: 'Erneut versuchen', offline: 'Der Prüfdienst ist gerade nicht erreichbar. Bitte versuchen Sie es gleich noch einmal.',
      proof_invalid: 'Die Antwort Ihrer Wallet wurde nicht angenommen. Das passiert, wenn der Nachweis das verlangte Alter nicht zeigt, abgelaufen ist oder von einem Aussteller stammt, den diese Seite nicht akzeptiert. Ihre Wallet kann Ihnen sagen, was zutrifft.',
      proof_malformed: 'Ihre Wallet hat eine Antwort gesendet, die dieser Dienst nicht lesen kann. Ein Update der Wallet kann helfen.',
      nonce_replayed: 'Dieser Code wurde schon verwendet. Bitte fordern Sie einen neuen an.',
      generic: 'Die Altersprüfung konnte nicht abgeschlossen werden. Bitte versuchen Sie es erneut.',
      code: 'Code zum Vergleich in Ihrer Wallet: {code}', declined: 'Ihre Wallet hat keinen Altersnachweis geteilt. Sie können neu beginnen.',
      time: '{m} Min. {s} s'
    },
    es: {
      title: 'Verificación de edad', lead: 'Esta página es para personas de {age} años o más.',
      how: 'Escanee el código con su monedero. Demuestra su edad sin compartir su fecha de nacimiento ni su nombre.',
      qr: 'Código QR para escanear con su monedero', open: 'Abrir en la app del monedero', web: 'Usar el monedero web',
      starting: 'Preparando la verificación…', pending: 'Esperando a su monedero. Código válido durante {time}.',
      scanned: 'Su monedero tiene la solicitud. Confirme en su monedero.',
      verified: 'Edad confirmada. Abriendo la página…', redeeming: 'Edad confirmada. Abriendo la página…',
      expired: 'Este código ha caducado. Puede obtener uno nuevo.',
      retry: 'Intentar de nuevo', offline: 'El servicio de verificación no está disponible ahora. Inténtelo de nuevo en un momento.',
      proof_invalid: 'La respuesta de su monedero no fue aceptada. Ocurre cuando la credencial no muestra la edad requerida, ha caducado o procede de un emisor que este sitio no acepta. Su monedero puede indicarle cuál.',
      proof_malformed: 'Su monedero envió una respuesta que este servicio no puede leer. Actualizar el monedero puede ayudar.',
      nonce_replayed: 'Este código ya se usó. Obtenga uno nuevo.',
      generic: 'No se pudo completar la verificación. Inténtelo de nuevo.',
      code: 'Código para comparar en su monedero: {code}', declined: 'Su monedero no compartió una prueba de edad. Puede empezar de nuevo.',
      time: '{m} min {s} s'
    }
  };

  const CSS = `
:host{display:block;font:var(--age-gate-font,inherit);color:var(--age-gate-fg,#1b1b1f);
  --_accent:var(--age-gate-accent,#0b57d0);--_bg:var(--age-gate-bg,#fff);--_radius:var(--age-gate-radius,12px)}
.box{background:var(--_bg);border:1px solid var(--age-gate-border,#c4c7c5);border-radius:var(--_radius);
  padding:1.25rem;max-width:28rem;margin:0 auto;box-sizing:border-box}
h2{font-size:1.25em;margin:0 0 .5rem}p{margin:.5rem 0;line-height:1.45}
.qr{display:block;width:min(16rem,100%);margin:1rem auto;aspect-ratio:1;background:#fff;padding:.5rem;box-sizing:border-box;border-radius:8px}
.qr svg{display:block;width:100%;height:100%}
.status{font-weight:600;min-height:1.5em}
.status[data-kind=error]{color:var(--age-gate-error,#b3261e)}
.timer{font-variant-numeric:tabular-nums;margin:0}
.code{margin:0 0 .5rem;text-align:center}
.status[data-kind=ok]{color:var(--age-gate-ok,#146c2e)}
.actions{display:flex;flex-wrap:wrap;gap:.5rem;margin-top:.75rem}
a.btn,button{font:inherit;font-size:1em;display:inline-block;padding:.6rem 1rem;border-radius:999px;min-height:44px;box-sizing:border-box;
  border:2px solid var(--_accent);cursor:pointer;text-decoration:none;text-align:center}
.primary{background:var(--_accent);color:var(--age-gate-on-accent,#fff)}
.secondary{background:transparent;color:var(--_accent)}
a.btn:focus-visible,button:focus-visible{outline:3px solid var(--age-gate-focus,#000);outline-offset:3px;box-shadow:0 0 0 6px #fff}
[hidden]{display:none!important}
@media (prefers-reduced-motion:no-preference){.box{transition:opacity .2s}}
@media (forced-colors:active){.status[data-kind]{color:CanvasText}}`;

  const b64url = (bytes) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

  // SHA-256 for PKCE where crypto.subtle is absent (pages served over plain http to a phone).
  function sha256(msg) {
    const K = [], H = [];
    let n = 2;
    for (let c = 0; c < 64; n++) {
      let p = true;
      for (let d = 2; d * d <= n; d++) if (n % d === 0) { p = false; break; }
      if (p) { if (c < 8) H[c] = (Math.pow(n, 1 / 2) * 2 ** 32) | 0; K[c++] = (Math.pow(n, 1 / 3) * 2 ** 32) | 0; }
    }
    const l = msg.length, words = new Array(((l + 8) >> 6 << 4) + 16).fill(0);
    for (let i = 0; i < l; i++) words[i >> 2] |= msg[i] << (24 - (i % 4) * 8);
    words[l >> 2] |= 0x80 << (24 - (l % 4) * 8);
    words[words.length - 1] = l * 8;
    const r = (x, k) => (x >>> k) | (x << (32 - k)), w = new Array(64);
    for (let j = 0; j < words.length; j += 16) {
      let [a, b, c, d, e, f, g, h] = H;
      for (let i = 0; i < 64; i++) {
        w[i] = i < 16 ? words[j + i] : (r(w[i - 2], 17) ^ r(w[i - 2], 19) ^ (w[i - 2] >>> 10)) + w[i - 7] + (r(w[i - 15], 7) ^ r(w[i - 15], 18) ^ (w[i - 15] >>> 3)) + w[i - 16] | 0;
        const t1 = h + (r(e, 6) ^ r(e, 11) ^ r(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i] | 0;
        const t2 = (r(a, 2) ^ r(a, 13) ^ r(a, 22)) + ((a & b) ^ (a & c) ^ (b & c)) | 0;
        h = g; g = f; f = e; e = d + t1 | 0; d = c; c = b; b = a; a = t1 + t2 | 0;
      }
      [a, b, c, d, e, f, g, h].forEach((v, i) => { H[i] = H[i] + v | 0; });
    }
    return new Uint8Array(H.flatMap((v) => [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255]));
  }
  async function challengeOf(verifier) {
    const data = new TextEncoder().encode(verifier);
    const d = window.crypto.subtle ? new Uint8Array(await crypto.subtle.digest('SHA-256', data)) : sha256(data);
    return b64url(d);
  }

  class AgeGate extends HTMLElement {
    constructor() {
      super();
      this._root = this.attachShadow({ mode: 'open' });
      this._gen = 0;
    }

    connectedCallback() {
      if (this._box) return;
      const lang = ((this.closest('[lang]') || document.documentElement).lang || navigator.language || 'en').slice(0, 2).toLowerCase();
      this._t = T[lang] || T.en;
      this.lang ||= T[lang] ? lang : 'en';
      const sheet = new CSSStyleSheet(); // a constructed sheet is CSSOM: no style-src needed
      sheet.replaceSync(CSS);
      this._root.adoptedStyleSheets = [sheet];
      const el = (tag, attrs = {}, text) => {
        const e = document.createElement(tag);
        for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
        if (text) e.textContent = text;
        return e;
      };
      const t = this._t;
      const box = this._box = el('section', { class: 'box', 'aria-labelledby': 'h' });
      box.append(el('h2', { id: 'h' }, t.title), el('p', {}, t.lead.replace('{age}', this.minAge)), el('p', {}, t.how));
      this._qr = el('div', { class: 'qr', role: 'img', 'aria-label': t.qr, hidden: '' });
      this._code = el('p', { class: 'code', hidden: '', 'data-part': 'code' }); // the QR relay's check (issue 10)
      this._status = el('p', { class: 'status', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true' });
      this._timer = el('p', { 'aria-hidden': 'true', class: 'timer', 'data-part': 'timer' });
      const actions = el('div', { class: 'actions' });
      this._open = el('a', { class: 'btn primary', hidden: '', 'data-part': 'open' }, t.open);
      this._web = el('a', { class: 'btn secondary', hidden: '', target: '_blank', rel: 'noopener', 'data-part': 'web-wallet' }, t.web);
      this._retry = el('button', { type: 'button', class: 'primary', hidden: '', 'data-part': 'retry' }, t.retry);
      this._retry.addEventListener('click', () => this.start());
      actions.append(this._open, this._web, this._retry);
      box.append(this._qr, this._code, this._status, this._timer, actions);
      this._root.append(box);
      this.start();
    }

    disconnectedCallback() { this._stop(); }

    get gateway() { return (this.getAttribute('gateway') || '').replace(/\/+$/, ''); }
    get minAge() { return parseInt(this.getAttribute('min-age') || '18', 10); }

    _say(key, kind, vars = {}) {
      let s = this._t[key] || this._t.generic;
      for (const [k, v] of Object.entries(vars)) s = s.replace('{' + k + '}', v);
      this._status.textContent = s;
      if (kind) this._status.dataset.kind = kind; else delete this._status.dataset.kind;
      this.setAttribute('state', key);
      this.dispatchEvent(new CustomEvent('age-gate-status', { detail: { state: key }, bubbles: true, composed: true }));
    }

    _stop() {
      this._gen++;
      if (this._es) { this._es.close(); this._es = null; }
      clearInterval(this._tick); clearTimeout(this._poll);
    }

    async _fetch(path, body) {
      const init = body ? { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) } : {};
      const res = await fetch(this.gateway + path, { ...init, mode: 'cors', credentials: 'omit', cache: 'no-store', referrerPolicy: 'no-referrer' });
      const json = await res.json().catch(() => ({}));
      if (!res.ok) throw Object.assign(new Error(json.reason || 'http_' + res.status), { reason: json.reason });
      return json;
    }

    async start() {
      this._stop();
      const gen = this._gen;
      this._final = false;
      this._state = null;
      this._retry.hidden = this._open.hidden = this._web.hidden = true;
      this._qr.hidden = this._code.hidden = true;
      this._timer.textContent = '';
      this._say('starting');
      const bytes = crypto.getRandomValues(new Uint8Array(32));
      const verifier = b64url(bytes); // PKCE: kept only in this closure's memory
      try {
        const body = { site: this.getAttribute('site'), min_age: this.minAge, code_challenge: await challengeOf(verifier), code_challenge_method: 'S256' };
        const binding = this.getAttribute('binding');
        if (binding) body.binding = binding;
        const pre = this._precreated();
        if (pre === 'reload') return;
        const check = pre ? pre.check : await this._fetch('/v1/checks', body);
        if (gen !== this._gen) return;
        this._check = check;
        this._verifier = pre ? pre.verifier : verifier;
        this._showQr(check.qr_svg);
        const code = /^[0-9A-Z]{4}$/.test(check.confirmation_code || '') ? check.confirmation_code : null;
        this._code.textContent = code ? this._t.code.replace('{code}', code) : '';
        this._code.hidden = !code;
        this._open.href = check.wallet_link;
        this._web.href = check.web_wallet_link || '';
        this._open.hidden = !matchMedia('(pointer:coarse)').matches;
        this._web.hidden = !check.web_wallet_link;
        this._expires = Date.parse(check.expires_at);
        this._onStatus({ status: 'pending' });
        this._tick = setInterval(() => this._countdown(), 1000);
        this._follow(gen);
      } catch (e) {
        if (gen !== this._gen) return;
        this._fail(e.reason === 'rate_limited' || !e.reason ? 'offline' : 'generic');
      }
    }

    // A check the site's backend created with its site secret (servlet filter `site-secret`):
    // its answer in `check`, its PKCE verifier in `code-verifier`. Used once; the next attempt
    // reloads the page, so the backend creates the next check (the site may refuse Origin-only).
    _precreated() {
      const json = this.getAttribute('check');
      if (json === null) return null;
      if (this._preUsed) { location.reload(); return 'reload'; }
      this._preUsed = true;
      try { return { check: JSON.parse(json), verifier: this.getAttribute('code-verifier') }; } catch (_) { return null; }
    }

    _showQr(svgText) {
      const doc = new DOMParser().parseFromString(svgText, 'image/svg+xml');
      const svg = doc.documentElement;
      this._qr.replaceChildren();
      if (svg && svg.localName === 'svg' && !doc.querySelector('parsererror')) {
        svg.querySelectorAll('script,foreignObject').forEach((n) => n.remove());
        svg.setAttribute('aria-hidden', 'true');
        this._qr.append(document.importNode(svg, true));
        this._qr.hidden = false;
      }
    }

    _countdown() {
      const left = Math.max(0, Math.round((this._expires - Date.now()) / 1000));
      const time = this._t.time.replace('{m}', Math.floor(left / 60)).replace('{s}', left % 60);
      this._timer.textContent = time; // visual only: the live region is not re-announced every second
      if (left === 0 && (this._state === 'pending' || this._state === 'scanned')) this._onStatus({ status: 'expired', reason: 'check_expired' });
    }

    _follow(gen) {
      const path = '/v1/checks/' + encodeURIComponent(this._check.transaction_id);
      const poll = async () => {
        if (gen !== this._gen) return;
        try { this._onStatus(await this._fetch(path)); } catch (e) { if (e.reason === 'check_not_found') return this._onStatus({ status: 'expired' }); }
        if (gen === this._gen && !this._final) this._poll = setTimeout(poll, 2000);
      };
      if (!window.EventSource) return poll();
      const es = this._es = new EventSource(this.gateway + path + '/events');
      es.addEventListener('status', (ev) => { try { this._onStatus(JSON.parse(ev.data)); } catch (_) { /* ignore a bad event */ } });
      es.onerror = () => { // fall back to polling; the stream also ends this way after a final status
        es.close();
        if (this._es === es) this._es = null;
        if (gen === this._gen && !this._final) this._poll = setTimeout(poll, 1000);
      };
    }

    _onStatus(s) {
      if (this._final || !s || s.status === this._state) return;
      this._state = s.status;
      switch (s.status) {
        case 'pending': {
          const min = Math.max(1, Math.round((this._expires - Date.now()) / 60000));
          this._say('pending', null, { time: this._t.time.replace('{m}', min).replace(/ ?\{s\}.*$/, '') });
          this._countdown();
          break;
        }
        case 'scanned': this._say('scanned'); break;
        case 'verified': this._final = true; this._redeem(); break;
        case 'expired': this._final = true; this._fail('expired'); break;
        case 'rejected': this._final = true; this._fail(this._t[s.reason] ? s.reason : 'generic'); break;
        default: break;
      }
    }

    _fail(key) {
      this._stop();
      this._qr.hidden = this._code.hidden = this._open.hidden = this._web.hidden = true;
      this._timer.textContent = '';
      this._say(key, key === 'expired' ? null : 'error');
      this._retry.hidden = false;
      this._final = false;
      this._state = null;
    }

    async _redeem() {
      const gen = this._gen;
      this._stop();
      this._qr.hidden = this._code.hidden = this._open.hidden = this._web.hidden = true;
      this._say('verified', 'ok');
      let token;
      try {
        token = (await this._fetch('/v1/checks/' + encodeURIComponent(this._check.transaction_id) + '/token', { code_verifier: this._verifier })).token;
      } catch (e) {
        this._final = false;
        return this._fail(e.reason === 'check_expired' ? 'expired' : 'generic');
      } finally { this._verifier = null; }
      if (gen + 1 !== this._gen) return;
      // A real navigation (form POST), so no script on the site's page is needed: the
      // site's filter verifies the token, sets its cookie and answers 303 to `return`.
      const form = document.createElement('form');
      form.method = 'POST';
      form.action = this.getAttribute('callback') || '/agegate/callback';
      form.hidden = true;
      for (const [name, value] of [['token', token], ['return', this.getAttribute('return') || location.pathname + location.search]]) {
        const input = document.createElement('input');
        input.type = 'hidden'; input.name = name; input.value = value;
        form.append(input);
      }
      document.body.append(form);
      form.submit();
    }
  }
  customElements.define('age-gate', AgeGate);
})();
