/*! agegate widget 1.2.0 — <age-gate> custom element. Apache-2.0. No third-party requests:
 * it talks only to the gateway named in its `gateway` attribute and posts the token to
 * the site's own callback. Works under a strict CSP and with Trusted Types enforced: it never
 * parses markup, and draws the QR code from a module grid it validates. */
(() => {
  'use strict';
  if (!window.customElements || customElements.get('age-gate')) return;

  // ---- words (en, fr, de, es): every string a person sees -------------------------------
  const T = {
    en: {
      title: 'Age check', lead: 'This page is for people aged {age} or older.',
      how: 'Scan the code with your wallet. Your wallet proves your age without sharing your birth date or name.',
      howTouch: 'Open the request in your wallet app. Your wallet proves your age without sharing your birth date or name.',
      noApp: 'If no app opens, this phone has no wallet app yet: use the web wallet if it is offered, or scan the code below with a wallet on another device.',
      qr: 'QR code to scan with your wallet', open: 'Open in your wallet app', web: 'Use the web wallet',
      starting: 'Preparing the age check…', pending: 'Waiting for your wallet. Code valid for {time}.',
      scanned: 'Your wallet has the request. Confirm in your wallet.',
      verified: 'Age confirmed. Opening the page…',
      tokenRetry: 'Age confirmed, but the page could not be opened yet. Trying again…',
      expired: 'This code has expired. You can get a new one.',
      retry: 'Try again', restart: 'Start again',
      offline: 'The age check service cannot be reached right now. Please try again in a moment.',
      timeout: 'The age check service did not answer in time. Please try again.',
      reconnecting: 'The connection to the age check service was lost. Trying again…',
      unsafe: 'The age check service sent a code or link this page does not accept, so nothing was shown. Please tell the site.',
      broken: 'The age check cannot run on this page: the page blocks it. Please tell the site.',
      proof_invalid: 'The answer from your wallet was not accepted. This happens when the credential does not show the required age, has expired, or comes from an issuer this site does not accept. Your wallet can tell you which.',
      proof_malformed: 'Your wallet sent an answer this service cannot read. Updating the wallet may help.',
      nonce_replayed: 'This code was already used. Please get a new one.',
      declined: 'Your wallet did not share a proof of age. You can start again.',
      wallet_error: 'Your wallet could not answer this request. You can start again.',
      generic: 'The age check could not be completed. Please try again.',
      dc: 'Use a digital ID on this device', dcWait: 'Choose your digital ID in the window your browser opened.',
      dcCancel: 'No digital ID was shared. You can try again, or scan the code with your wallet.',
      dcNone: 'This device has no digital ID that can show your age. Scan the code with a wallet instead.',
      dcFail: 'The digital ID on this device could not be used. Scan the code with your wallet instead.',
      too_young: 'Your digital ID does not show the required age.',
      mdoc_invalid: 'Your digital ID was not accepted: it may have expired, or come from an issuer this site does not accept.',
      family_not_accepted: 'This site does not accept this kind of digital ID.',
      origin_not_allowed: 'This page may not ask for a digital ID. Please tell the site.',
      response_undecryptable: 'The answer from your digital ID could not be read. Please try again.',
      code: 'Code to compare in your wallet: {code}',
      time: '{m} min {s} s'
    },
    fr: {
      title: 'Vérification de l’âge', lead: 'Cette page est réservée aux personnes de {age} ans ou plus.',
      how: 'Scannez le code avec votre portefeuille. Il prouve votre âge sans communiquer votre date de naissance ni votre nom.',
      howTouch: 'Ouvrez la demande dans votre application portefeuille. Elle prouve votre âge sans communiquer votre date de naissance ni votre nom.',
      noApp: 'Si aucune application ne s’ouvre, ce téléphone n’a pas encore de portefeuille : utilisez le portefeuille web s’il est proposé, ou scannez le code ci-dessous avec un portefeuille sur un autre appareil.',
      qr: 'Code QR à scanner avec votre portefeuille', open: 'Ouvrir dans votre application portefeuille', web: 'Utiliser le portefeuille web',
      starting: 'Préparation de la vérification…', pending: 'En attente de votre portefeuille. Code valable {time}.',
      scanned: 'Votre portefeuille a reçu la demande. Confirmez dans votre portefeuille.',
      verified: 'Âge confirmé. Ouverture de la page…',
      tokenRetry: 'Âge confirmé, mais la page n’a pas encore pu s’ouvrir. Nouvel essai…',
      expired: 'Ce code a expiré. Vous pouvez en obtenir un nouveau.',
      retry: 'Réessayer', restart: 'Recommencer',
      offline: 'Le service de vérification est injoignable pour le moment. Réessayez dans un instant.',
      timeout: 'Le service de vérification n’a pas répondu à temps. Veuillez réessayer.',
      reconnecting: 'La connexion au service de vérification a été perdue. Nouvel essai…',
      unsafe: 'Le service de vérification a envoyé un code ou un lien que cette page n’accepte pas ; rien n’a été affiché. Veuillez prévenir le site.',
      broken: 'La vérification ne peut pas fonctionner sur cette page : la page la bloque. Veuillez prévenir le site.',
      proof_invalid: 'La réponse de votre portefeuille n’a pas été acceptée. Cela arrive quand l’attestation ne montre pas l’âge requis, a expiré ou vient d’un émetteur que ce site n’accepte pas. Votre portefeuille peut vous dire lequel.',
      proof_malformed: 'Votre portefeuille a envoyé une réponse illisible pour ce service. Une mise à jour du portefeuille peut aider.',
      nonce_replayed: 'Ce code a déjà été utilisé. Veuillez en obtenir un nouveau.',
      declined: 'Votre portefeuille n’a pas partagé de preuve d’âge. Vous pouvez recommencer.',
      wallet_error: 'Votre portefeuille n’a pas pu répondre à cette demande. Vous pouvez recommencer.',
      generic: 'La vérification n’a pas pu aboutir. Veuillez réessayer.',
      dc: 'Utiliser une identité numérique de cet appareil', dcWait: 'Choisissez votre identité numérique dans la fenêtre ouverte par le navigateur.',
      dcCancel: 'Aucune identité numérique n’a été partagée. Vous pouvez réessayer, ou scanner le code avec votre portefeuille.',
      dcNone: 'Cet appareil n’a pas d’identité numérique qui montre votre âge. Scannez plutôt le code avec un portefeuille.',
      dcFail: 'L’identité numérique de cet appareil n’a pas pu servir. Scannez plutôt le code avec votre portefeuille.',
      too_young: 'Votre identité numérique ne montre pas l’âge requis.',
      mdoc_invalid: 'Votre identité numérique n’a pas été acceptée : elle a peut-être expiré, ou vient d’un émetteur que ce site n’accepte pas.',
      family_not_accepted: 'Ce site n’accepte pas ce type d’identité numérique.',
      origin_not_allowed: 'Cette page ne peut pas demander d’identité numérique. Veuillez prévenir le site.',
      response_undecryptable: 'La réponse de votre identité numérique est illisible. Veuillez réessayer.',
      code: 'Code à comparer dans votre portefeuille : {code}',
      time: '{m} min {s} s'
    },
    de: {
      title: 'Altersprüfung', lead: 'Diese Seite ist für Personen ab {age} Jahren.',
      how: 'Scannen Sie den Code mit Ihrer Wallet. Sie weist Ihr Alter nach, ohne Geburtsdatum oder Namen zu teilen.',
      howTouch: 'Öffnen Sie die Anfrage in Ihrer Wallet-App. Sie weist Ihr Alter nach, ohne Geburtsdatum oder Namen zu teilen.',
      noApp: 'Öffnet sich keine App, hat dieses Telefon noch keine Wallet-App: Nutzen Sie die Web-Wallet, falls angeboten, oder scannen Sie den Code unten mit einer Wallet auf einem anderen Gerät.',
      qr: 'QR-Code zum Scannen mit Ihrer Wallet', open: 'In Ihrer Wallet-App öffnen', web: 'Web-Wallet verwenden',
      starting: 'Altersprüfung wird vorbereitet…', pending: 'Warte auf Ihre Wallet. Code gültig für {time}.',
      scanned: 'Ihre Wallet hat die Anfrage. Bestätigen Sie in Ihrer Wallet.',
      verified: 'Alter bestätigt. Die Seite wird geöffnet…',
      tokenRetry: 'Alter bestätigt, aber die Seite konnte noch nicht geöffnet werden. Neuer Versuch…',
      expired: 'Dieser Code ist abgelaufen. Sie können einen neuen anfordern.',
      retry: 'Erneut versuchen', restart: 'Neu beginnen',
      offline: 'Der Prüfdienst ist gerade nicht erreichbar. Bitte versuchen Sie es gleich noch einmal.',
      timeout: 'Der Prüfdienst hat nicht rechtzeitig geantwortet. Bitte versuchen Sie es erneut.',
      reconnecting: 'Die Verbindung zum Prüfdienst ist unterbrochen. Neuer Versuch…',
      unsafe: 'Der Prüfdienst hat einen Code oder Link gesendet, den diese Seite nicht annimmt; es wurde nichts angezeigt. Bitte informieren Sie die Seite.',
      broken: 'Die Altersprüfung kann auf dieser Seite nicht laufen: Die Seite blockiert sie. Bitte informieren Sie die Seite.',
      proof_invalid: 'Die Antwort Ihrer Wallet wurde nicht angenommen. Das passiert, wenn der Nachweis das verlangte Alter nicht zeigt, abgelaufen ist oder von einem Aussteller stammt, den diese Seite nicht akzeptiert. Ihre Wallet kann Ihnen sagen, was zutrifft.',
      proof_malformed: 'Ihre Wallet hat eine Antwort gesendet, die dieser Dienst nicht lesen kann. Ein Update der Wallet kann helfen.',
      nonce_replayed: 'Dieser Code wurde schon verwendet. Bitte fordern Sie einen neuen an.',
      declined: 'Ihre Wallet hat keinen Altersnachweis geteilt. Sie können neu beginnen.',
      wallet_error: 'Ihre Wallet konnte diese Anfrage nicht beantworten. Sie können neu beginnen.',
      generic: 'Die Altersprüfung konnte nicht abgeschlossen werden. Bitte versuchen Sie es erneut.',
      dc: 'Digitalen Ausweis auf diesem Gerät verwenden', dcWait: 'Wählen Sie Ihren digitalen Ausweis in dem Fenster, das der Browser geöffnet hat.',
      dcCancel: 'Es wurde kein digitaler Ausweis geteilt. Sie können es erneut versuchen oder den Code mit Ihrer Wallet scannen.',
      dcNone: 'Dieses Gerät hat keinen digitalen Ausweis, der Ihr Alter zeigt. Scannen Sie stattdessen den Code mit einer Wallet.',
      dcFail: 'Der digitale Ausweis auf diesem Gerät konnte nicht verwendet werden. Scannen Sie stattdessen den Code mit Ihrer Wallet.',
      too_young: 'Ihr digitaler Ausweis zeigt nicht das verlangte Alter.',
      mdoc_invalid: 'Ihr digitaler Ausweis wurde nicht angenommen: Er ist vielleicht abgelaufen oder stammt von einem Aussteller, den diese Seite nicht akzeptiert.',
      family_not_accepted: 'Diese Seite akzeptiert diese Art von digitalem Ausweis nicht.',
      origin_not_allowed: 'Diese Seite darf keinen digitalen Ausweis anfragen. Bitte informieren Sie die Seite.',
      response_undecryptable: 'Die Antwort Ihres digitalen Ausweises konnte nicht gelesen werden. Bitte versuchen Sie es erneut.',
      code: 'Code zum Vergleich in Ihrer Wallet: {code}',
      time: '{m} Min. {s} s'
    },
    es: {
      title: 'Verificación de edad', lead: 'Esta página es para personas de {age} años o más.',
      how: 'Escanee el código con su monedero. Demuestra su edad sin compartir su fecha de nacimiento ni su nombre.',
      howTouch: 'Abra la solicitud en la app de su monedero. Demuestra su edad sin compartir su fecha de nacimiento ni su nombre.',
      noApp: 'Si no se abre ninguna app, este teléfono aún no tiene monedero: use el monedero web si se ofrece, o escanee el código de abajo con un monedero en otro dispositivo.',
      qr: 'Código QR para escanear con su monedero', open: 'Abrir en la app de su monedero', web: 'Usar el monedero web',
      starting: 'Preparando la verificación…', pending: 'Esperando a su monedero. Código válido durante {time}.',
      scanned: 'Su monedero tiene la solicitud. Confirme en su monedero.',
      verified: 'Edad confirmada. Abriendo la página…',
      tokenRetry: 'Edad confirmada, pero la página aún no se pudo abrir. Intentando de nuevo…',
      expired: 'Este código ha caducado. Puede obtener uno nuevo.',
      retry: 'Intentar de nuevo', restart: 'Empezar de nuevo',
      offline: 'El servicio de verificación no está disponible ahora. Inténtelo de nuevo en un momento.',
      timeout: 'El servicio de verificación no respondió a tiempo. Inténtelo de nuevo.',
      reconnecting: 'Se perdió la conexión con el servicio de verificación. Intentando de nuevo…',
      unsafe: 'El servicio de verificación envió un código o enlace que esta página no acepta, así que no se mostró nada. Avise al sitio.',
      broken: 'La verificación no puede funcionar en esta página: la página la bloquea. Avise al sitio.',
      proof_invalid: 'La respuesta de su monedero no fue aceptada. Ocurre cuando la credencial no muestra la edad requerida, ha caducado o procede de un emisor que este sitio no acepta. Su monedero puede indicarle cuál.',
      proof_malformed: 'Su monedero envió una respuesta que este servicio no puede leer. Actualizar el monedero puede ayudar.',
      nonce_replayed: 'Este código ya se usó. Obtenga uno nuevo.',
      declined: 'Su monedero no compartió una prueba de edad. Puede empezar de nuevo.',
      wallet_error: 'Su monedero no pudo responder a esta solicitud. Puede empezar de nuevo.',
      generic: 'No se pudo completar la verificación. Inténtelo de nuevo.',
      dc: 'Usar una identidad digital de este dispositivo', dcWait: 'Elija su identidad digital en la ventana que abrió el navegador.',
      dcCancel: 'No se compartió ninguna identidad digital. Puede intentarlo de nuevo o escanear el código con su monedero.',
      dcNone: 'Este dispositivo no tiene una identidad digital que muestre su edad. Escanee el código con un monedero.',
      dcFail: 'No se pudo usar la identidad digital de este dispositivo. Escanee el código con su monedero.',
      too_young: 'Su identidad digital no muestra la edad requerida.',
      mdoc_invalid: 'Su identidad digital no fue aceptada: puede haber caducado o proceder de un emisor que este sitio no acepta.',
      family_not_accepted: 'Este sitio no acepta este tipo de identidad digital.',
      origin_not_allowed: 'Esta página no puede pedir una identidad digital. Avise al sitio.',
      response_undecryptable: 'No se pudo leer la respuesta de su identidad digital. Inténtelo de nuevo.',
      code: 'Código para comparar en su monedero: {code}',
      time: '{m} min {s} s'
    }
  };
  // Lookups by a key from outside (a lang attribute, a gateway's reason) see own properties
  // only, and a reason must be one the widget explains: "constructor" or "__proto__" is generic.
  const own = (o, k) => typeof k === 'string' && Object.prototype.hasOwnProperty.call(o, k);
  // The last five: the gateway's refusals of an mdoc (mso_mdoc), from the QR or the Digital Credentials API.
  const REASONS = ['proof_invalid', 'proof_malformed', 'nonce_replayed', 'declined', 'wallet_error',
    'mdoc_invalid', 'too_young', 'family_not_accepted', 'origin_not_allowed', 'response_undecryptable'];
  const DC_PROTOCOLS = ['org-iso-mdoc', 'openid4vp-v1-signed', 'openid4vp-v1-unsigned'];
  /** The words for a rejected check's reason; the mdoc verifier's own codes (issuer_untrusted, mso_expired, …) in groups. */
  const reasonKey = (r) => REASONS.includes(r) ? r : r === 'age_over_missing' ? 'too_young' : r === 'doctype_not_accepted' ? 'family_not_accepted'
    : /^((issuer|mso|digest|device)_[a-z_]+|element_not_allowed|age_over_inconsistent|status_not_ok|document_count|too_large)$/.test(r) ? 'mdoc_invalid' : 'generic';

  const CSS = `
:host{display:block;font:var(--age-gate-font,inherit);color:var(--age-gate-fg,#1b1b1f);
  --_accent:var(--age-gate-accent,#0b57d0);--_bg:var(--age-gate-bg,#fff);--_radius:var(--age-gate-radius,12px)}
.box{background:var(--_bg);border:1px solid var(--age-gate-border,#c4c7c5);border-radius:var(--_radius);
  padding:1.25rem;max-width:28rem;margin:0 auto;box-sizing:border-box}
h2{font-size:1.25em;margin:0 0 .5rem}p{margin:.5rem 0;line-height:1.45}
.qr{display:block;width:min(16rem,100%);margin:1rem auto;aspect-ratio:1;background:#fff;padding:.5rem;box-sizing:border-box;border-radius:8px}
.qr svg{display:block;width:100%;height:100%}
.status{font-weight:600;min-height:1.5em}
.status:focus{outline:none}.status:focus-visible{outline:2px dotted var(--age-gate-focus,#000);outline-offset:2px}
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

  /** A failure of a call to the gateway: `kind` says which words the person gets. */
  class GateError extends Error {
    constructor(kind, reason) { super(kind); this.kind = kind; this.reason = reason || null; }
  }
  const unsafe = () => { throw new GateError('unsafe'); };

  // ---- what the widget accepts from the gateway (anything else: "unsafe", nothing shown) ----
  /** The same-device wallet link: an `openid4vp:` URL and nothing else (never javascript:, data:, http:). */
  function walletLink(s) {
    if (typeof s !== 'string' || s.length > 4096) return unsafe();
    let u;
    try { u = new URL(s); } catch (_) { return unsafe(); }
    return u.protocol === 'openid4vp:' ? u.href : unsafe();
  }
  /**
   * The web wallet's link: http(s), on the gateway's own origin under /wallet/, or on the origin
   * the site names in `wallet-origin` (a gateway with `agegate.wallet-url` elsewhere): the site
   * decides which other origin it links to, never the gateway's answer.
   */
  function webLink(s, gateway, walletOrigin) {
    if (typeof s !== 'string' || s.length > 4096) return unsafe();
    let u;
    try { u = new URL(s); } catch (_) { return unsafe(); }
    const own = u.origin === new URL(gateway).origin && u.pathname.startsWith('/wallet/');
    const named = walletOrigin !== null && u.origin === walletOrigin;
    return (u.protocol === 'https:' || u.protocol === 'http:') && !u.username && !u.password && (own || named) ? u.href : unsafe();
  }
  /** The QR code's module grid: n rows of n characters '0'/'1', n from 21 (version 1) to 193 (version 40, 8-module margins). */
  function qrModules(rows) {
    if (!Array.isArray(rows) || rows.length < 21 || rows.length > 193) return unsafe();
    const n = rows.length;
    for (const row of rows) if (typeof row !== 'string' || row.length !== n || !/^[01]+$/.test(row)) return unsafe();
    return rows.slice();
  }
  /** Seconds left by the gateway's clock, or null. */
  const secondsLeft = (v) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 86400 ? v : null);
  /**
   * The gateway's `digital` (the argument of navigator.credentials.get) cut to the requests this
   * browser can send to a wallet: known protocols the user agent allows. null (no button) when
   * the Digital Credentials API is absent or nothing is left; the QR code is there either way.
   */
  function digitalOf(d) {
    const DC = window.DigitalCredential, allows = (p) => { try { return DC.userAgentAllowsProtocol(p) !== false; } catch (_) { return true; } };
    if (!d || !Array.isArray(d.requests) || !navigator.credentials || typeof DC !== 'function') return null;
    const requests = d.requests.filter((r) => r && DC_PROTOCOLS.includes(r.protocol) && r.data && typeof r.data === 'object'
      && (typeof DC.userAgentAllowsProtocol !== 'function' || allows(r.protocol))).map((r) => ({ protocol: r.protocol, data: r.data }));
    return requests.length ? { requests } : null;
  }
  function validCheck(c, gateway, walletOrigin) {
    const tx = c.transaction_id;
    if (typeof tx !== 'string' || !/^[A-Za-z0-9_-]{16,256}$/.test(tx)) unsafe();
    const left = secondsLeft(c.expires_in);
    if (left === null) unsafe();
    return {
      tx, left, wallet: walletLink(c.wallet_link), modules: qrModules(c.qr_modules),
      digital: digitalOf(c.digital),
      web: c.web_wallet_link === undefined || c.web_wallet_link === null ? null : webLink(c.web_wallet_link, gateway, walletOrigin),
      // the confirmation code the wallet shows too (4 of [0-9A-Z]); optional
      code: c.confirmation_code === undefined ? null : /^[0-9A-Z]{4}$/.test(c.confirmation_code) ? c.confirmation_code : unsafe()
    };
  }
  const TOKEN = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

  const SVG = 'http://www.w3.org/2000/svg'; // the SVG namespace, a name (never fetched)
  function svgEl(tag, attrs) {
    const e = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
    return e;
  }
  /** The QR code as an SVG built element by element: one path of runs "Mx yhNv1h-Nz" from validated 0/1 rows. */
  function qrSvg(rows) {
    const n = rows.length;
    let d = '';
    rows.forEach((row, y) => {
      for (let x = 0; x < n; x++) {
        if (row[x] !== '1') continue;
        let run = 1;
        while (row[x + run] === '1') run++;
        d += 'M' + x + ' ' + y + 'h' + run + 'v1h-' + run + 'z';
        x += run - 1;
      }
    });
    const svg = svgEl('svg', { viewBox: '0 0 ' + n + ' ' + n, 'shape-rendering': 'crispEdges', 'aria-hidden': 'true', focusable: 'false' });
    svg.append(svgEl('rect', { width: n, height: n, fill: '#fff' }), svgEl('path', { fill: '#000', d }));
    return svg;
  }

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

  const STATES = ['pending', 'scanned', 'verified', 'expired', 'rejected'];
  const REDEEM_TRIES_FOR = 180000; // ms: the gateway's redeem window (2 min by default) says "check_expired" before this

  class AgeGate extends HTMLElement {
    #verifier = null; // PKCE code verifier: only in this private field, sent once to the gateway
    #root;
    #gen = 0; // bumped by every stop: answers for an older generation are dropped
    #phase = null; // 'starting' | 'waiting' | 'redeeming' | 'failed' | 'done'

    constructor() {
      super();
      this.#root = this.attachShadow({ mode: 'open' });
    }

    connectedCallback() {
      this._watchLang();
      if (!this._box) { this._build(); this.start(); return; }
      this._resume(); // moved in the DOM: carry on where it was
    }

    disconnectedCallback() {
      this._stop();
      if (this._langObs) this._langObs.disconnect();
    }

    get gateway() { return (this.getAttribute('gateway') || '').replace(/\/+$/, ''); }
    /** The origin of a web wallet the site accepts besides the gateway's own /wallet/ (attribute `wallet-origin`), or null. */
    get walletOrigin() {
      const o = this.getAttribute('wallet-origin');
      if (!o) return null;
      try { const u = new URL(o); return /^https?:$/.test(u.protocol) ? u.origin : null; } catch (_) { return null; }
    }
    get minAge() { return parseInt(this.getAttribute('min-age') || '18', 10); }
    /** Seconds each call to the gateway may take (attribute `timeout`, 3..120, default 15). */
    get timeoutMs() {
      const s = parseInt(this.getAttribute('timeout') || '15', 10);
      return (Number.isFinite(s) ? Math.min(120, Math.max(1, s)) : 15) * 1000;
    }

    _langCode() {
      const l = ((this.closest('[lang]') || document.documentElement).lang || navigator.language || 'en').slice(0, 2).toLowerCase();
      return own(T, l) ? l : 'en';
    }

    /** Follows `lang` changes on this element, its ancestors and the document. */
    _watchLang() {
      if (!this._langObs) {
        this._langObs = new MutationObserver(() => {
          const l = this._langCode();
          if (this._t !== T[l]) { this._t = T[l]; this._texts(); }
        });
      }
      this._langObs.observe(document.documentElement, { attributes: true, attributeFilter: ['lang'], subtree: true });
    }

    _build() {
      const el = (tag, attrs = {}) => {
        const e = document.createElement(tag);
        for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
        return e;
      };
      this._t = T[this._langCode()];
      const sheet = new CSSStyleSheet(); // a constructed sheet is CSSOM: no style-src needed
      sheet.replaceSync(CSS);
      this.#root.adoptedStyleSheets = [sheet];
      this._touch = matchMedia('(pointer: coarse)').matches;
      const box = this._box = el('section', { class: 'box', 'aria-labelledby': 'h' });
      this._h = el('h2', { id: 'h' });
      this._lead = el('p');
      this._how = el('p');
      this._dc = el('button', { type: 'button', class: 'primary', hidden: '', 'data-part': 'digital' }); // the API needs a click
      this._dc.addEventListener('click', () => this._digital());
      this._noApp = el('p', { 'data-part': 'no-app', hidden: '' });
      this._qr = el('div', { class: 'qr', role: 'img', hidden: '' });
      this._code = el('p', { class: 'code', hidden: '', 'data-part': 'code' }); // the QR relay's check (issue 10)
      this._status = el('p', { class: 'status', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true', tabindex: '-1' });
      this._timer = el('p', { 'aria-hidden': 'true', class: 'timer', 'data-part': 'timer' });
      const actions = el('div', { class: 'actions' });
      this._open = el('a', { class: 'btn primary', hidden: '', 'data-part': 'open' });
      this._web = el('a', { class: this._touch ? 'btn secondary' : 'btn primary', hidden: '', target: '_blank', rel: 'noopener', 'data-part': 'web-wallet' });
      this._retry = el('button', { type: 'button', class: 'primary', hidden: '', 'data-part': 'retry' });
      this._retry.addEventListener('click', () => (this._onRetry || (() => this.start()))());
      actions.append(this._open, this._web, this._retry);
      // On a touch screen the same-device link leads and the QR code (for another device) comes second.
      if (this._touch) box.append(this._h, this._lead, this._how, this._dc, actions, this._noApp, this._code, this._status, this._timer, this._qr);
      else box.append(this._h, this._lead, this._how, this._dc, this._qr, this._code, this._status, this._timer, actions);
      this.#root.append(box);
      this._texts();
    }

    /** Every visible string, in the current language (again after a `lang` change). */
    _texts() {
      const t = this._t;
      this._box.lang = Object.keys(T).find((k) => T[k] === t);
      this._h.textContent = t.title;
      this._lead.textContent = t.lead.replace('{age}', this.minAge);
      this._how.textContent = this._touch ? t.howTouch : t.how;
      this._noApp.textContent = t.noApp;
      this._qr.setAttribute('aria-label', t.qr);
      this._open.textContent = t.open;
      this._web.textContent = t.web;
      this._dc.textContent = t.dc;
      this._code.textContent = this._check && this._check.code ? t.code.replace('{code}', this._check.code) : '';
      this._retry.textContent = t[this._retryLabel || 'retry'];
      if (this._said) this._say(...this._said);
      this._countdown();
    }

    /** Says `key` in the status region; `vars.m` is minutes for the pending message. */
    _say(key, kind, vars = {}) {
      this._said = [key, kind, vars];
      const t = this._t;
      let s = own(t, key) ? t[key] : t.generic;
      if (vars.m !== undefined) s = s.replace('{time}', t.time.replace('{m}', vars.m).replace(/ ?\{s\}.*$/, ''));
      this._status.textContent = s;
      if (kind) this._status.dataset.kind = kind; else delete this._status.dataset.kind;
      if (this.getAttribute('state') !== key) {
        this.setAttribute('state', key);
        this.dispatchEvent(new CustomEvent('age-gate-status', { detail: { state: key }, bubbles: true, composed: true }));
      }
    }

    /**
     * After a state change, focus goes to `target` (the status or the next action) when the
     * person's focus was in the widget or nowhere (the body): never lost to <body>, never taken
     * from another part of the page.
     */
    _focus(target) {
      const a = document.activeElement;
      if (a === this || !a || a === document.body || a === document.documentElement) target.focus();
    }

    _actions({ qr = false, open = false, web = false, dc = false, retry = null, onRetry = null } = {}) {
      this._qr.hidden = !qr;
      this._dc.hidden = !dc || !this._check || !this._check.digital;
      this._dc.disabled = false;
      this._code.hidden = !qr || !this._check || !this._check.code;
      this._open.hidden = !open || !this._touch;
      this._web.hidden = !web || !this._check || !this._check.web;
      this._noApp.hidden = this._open.hidden;
      this._retryLabel = retry;
      this._onRetry = onRetry;
      this._retry.hidden = !retry;
      if (retry) {
        this._retry.textContent = this._t[retry];
        this._retry.className = retry === 'restart' ? 'secondary' : 'primary';
      }
    }

    _stop() {
      this.#gen++;
      if (this._es) { this._es.close(); this._es = null; }
      if (this._dcAbort) { this._dcAbort.abort(); this._dcAbort = null; } // closes the browser's ID window of an ended check
      clearInterval(this._tick); clearTimeout(this._poll);
    }

    /** One call to the gateway, bounded by the timeout; failures are GateErrors. */
    async _fetch(path, body) {
      const ctrl = new AbortController();
      const timer = setTimeout(() => ctrl.abort(), this.timeoutMs);
      const init = body ? { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) } : {};
      try {
        let res;
        try {
          res = await fetch(this.gateway + path, { ...init, mode: 'cors', credentials: 'omit', cache: 'no-store', referrerPolicy: 'no-referrer', signal: ctrl.signal });
        } catch (_) { throw new GateError(ctrl.signal.aborted ? 'timeout' : 'offline'); }
        let json = null;
        try { json = await res.json(); } catch (_) { if (ctrl.signal.aborted) throw new GateError('timeout'); }
        if (!json || typeof json !== 'object' || Array.isArray(json)) json = {};
        if (!res.ok) throw new GateError(res.status >= 500 || res.status === 429 ? 'offline' : 'refused', typeof json.reason === 'string' ? json.reason : null);
        return json;
      } finally { clearTimeout(timer); }
    }

    /** The words for a failure: the gateway's, a network's, or (anything else: a page that blocks the widget) "broken". */
    static _keyOf(e) {
      if (!(e instanceof GateError)) return 'broken';
      if (e.kind === 'refused') return e.reason === 'check_expired' || e.reason === 'check_not_found' ? 'expired' : 'generic';
      return e.kind;
    }

    async start() {
      this._stop();
      const gen = this.#gen;
      this.#phase = 'starting';
      this._check = null;
      this.#verifier = null;
      this._state = null;
      this._lost = false;
      this._actions();
      this._timer.textContent = '';
      this._say('starting');
      try {
        if (!/^https?:$/.test(new URL(this.gateway).protocol)) throw new Error('gateway must be an http(s) URL');
        const verifier = b64url(crypto.getRandomValues(new Uint8Array(32)));
        const body = { site: this.getAttribute('site'), min_age: this.minAge, code_challenge: await challengeOf(verifier), code_challenge_method: 'S256' };
        const binding = this.getAttribute('binding');
        if (binding) body.binding = binding;
        const pre = this._precreated();
        if (pre === 'reload') return;
        const answer = pre ? pre.check : await this._fetch('/v1/checks', body);
        if (gen !== this.#gen) return;
        const check = validCheck(answer, this.gateway, this.walletOrigin);
        this._qr.replaceChildren(qrSvg(check.modules));
        this._open.href = check.wallet;
        if (check.web) this._web.href = check.web; else this._web.removeAttribute('href');
        this._check = check;
        this._code.textContent = check.code ? this._t.code.replace('{code}', check.code) : '';
        this.#verifier = pre ? pre.verifier : verifier;
        this._deadline = Date.now() + check.left * 1000;
        this.#phase = 'waiting';
        this._onStatus({ status: 'pending' });
        this._tick = setInterval(() => this._countdown(), 1000);
        this._follow(gen);
      } catch (e) {
        if (gen !== this.#gen) return;
        this._fail(AgeGate._keyOf(e));
      }
    }

    /**
     * A check the site's backend created with its site secret (servlet filter `site-secret`):
     * its answer in `check` (validated as any answer), its PKCE verifier in `code-verifier`.
     * Used once; the next attempt reloads the page, so the backend creates the next check (the
     * site may refuse Origin-only creation).
     */
    _precreated() {
      const json = this.getAttribute('check');
      if (json === null) return null;
      if (this._preUsed) { location.reload(); return 'reload'; }
      this._preUsed = true;
      const verifier = this.getAttribute('code-verifier');
      if (typeof verifier !== 'string' || !/^[A-Za-z0-9_-]{43,128}$/.test(verifier)) unsafe();
      let check;
      try { check = JSON.parse(json); } catch (_) { return null; }
      return check && typeof check === 'object' ? { check, verifier } : null;
    }

    /** Back in the DOM after a move: follow the check again, retry the token, or start over. */
    _resume() {
      if (this.#phase === 'waiting' && this._check) {
        const gen = this.#gen;
        this._tick = setInterval(() => this._countdown(), 1000);
        this._countdown();
        this._follow(gen);
      } else if (this.#phase === 'redeeming') {
        this._redeem();
      } else if (this.#phase !== 'failed' && this.#phase !== 'done') {
        this.start();
      }
    }

    _countdown() {
      if (this.#phase !== 'waiting') return;
      const left = Math.max(0, Math.round((this._deadline - Date.now()) / 1000));
      const time = this._t.time.replace('{m}', Math.floor(left / 60)).replace('{s}', left % 60);
      this._timer.textContent = time; // visual only: the live region is not re-announced every second
      if (left === 0 && (this._state === 'pending' || this._state === 'scanned')) this._onStatus({ status: 'expired', reason: 'check_expired' });
    }

    _follow(gen) {
      const path = '/v1/checks/' + encodeURIComponent(this._check.tx);
      const poll = async () => {
        if (gen !== this.#gen) return;
        try {
          const s = await this._fetch(path);
          if (gen !== this.#gen) return;
          if (this._lost) { this._lost = false; this._state = null; }
          this._onStatus(s);
        } catch (e) {
          if (gen !== this.#gen) return;
          if (e instanceof GateError && e.kind === 'refused') return this._onStatus({ status: 'expired' });
          if (!this._lost) { this._lost = true; this._say('reconnecting', 'error'); }
        }
        if (gen === this.#gen && this.#phase === 'waiting') this._poll = setTimeout(poll, 2000);
      };
      if (!window.EventSource) return poll();
      const es = this._es = new EventSource(this.gateway + path + '/events');
      es.addEventListener('status', (ev) => { try { this._onStatus(JSON.parse(ev.data)); } catch (_) { /* ignore a bad event */ } });
      es.onerror = () => { // fall back to polling; the stream also ends this way after a final status
        es.close();
        if (this._es === es) this._es = null;
        if (gen === this.#gen && this.#phase === 'waiting') this._poll = setTimeout(poll, 1000);
      };
    }

    _onStatus(s) {
      if (this.#phase !== 'waiting' || !s || typeof s !== 'object' || !STATES.includes(s.status)) return;
      const left = secondsLeft(s.expires_in);
      if (left !== null) this._deadline = Date.now() + left * 1000;
      if (s.status === this._state) return;
      this._state = s.status;
      switch (s.status) {
        case 'pending': {
          this._actions({ qr: true, open: true, web: true, dc: true, retry: 'restart' });
          this._say('pending', null, { m: Math.max(1, Math.round((this._deadline - Date.now()) / 60000)) });
          this._countdown();
          this._focus(this._touch ? this._open : this._status);
          break;
        }
        case 'scanned':
          this._say('scanned');
          this._focus(this._status);
          break;
        case 'verified': this._redeem(); break;
        case 'expired': this._fail('expired'); break;
        default: this._fail(reasonKey(s.reason)); break;
      }
    }

    /**
     * "Use a digital ID on this device": the Digital Credentials API (a click started it), the
     * wallet's answer posted to the gateway, then the same ending as a scanned QR code (the
     * check's status, the token). Cancelled, nothing matching, or any failure: said in words,
     * and the QR code stays for another try.
     */
    async _digital() {
      const gen = this.#gen, check = this._check;
      if (this.#phase !== 'waiting' || !check || !check.digital) return;
      const path = '/v1/checks/' + encodeURIComponent(check.tx);
      const abort = this._dcAbort = new AbortController();
      this._dc.disabled = true;
      this._say('dcWait');
      const done = (key) => {
        if (gen !== this.#gen || this.#phase !== 'waiting') return;
        this._dc.disabled = false;
        this._say(key, 'error');
        this._focus(this._dc);
      };
      let cred;
      try {
        cred = await navigator.credentials.get({ digital: check.digital, mediation: 'required', signal: abort.signal });
      } catch (e) {
        return done(e && (e.name === 'AbortError' || e.name === 'NotAllowedError') ? 'dcCancel' : e && e.name === 'NotFoundError' ? 'dcNone' : 'dcFail');
      }
      if (!cred) return done('dcNone');
      if (typeof cred.protocol !== 'string' || !cred.data || typeof cred.data !== 'object') return done('dcFail');
      try {
        const s = await this._fetch(path + '/dc-response', { protocol: cred.protocol, data: cred.data });
        if (gen !== this.#gen) return;
        this._onStatus(STATES.includes(s.status) ? s : await this._fetch(path));
        this._dc.disabled = false; // still pending: the check's stream says the rest
      } catch (e) {
        const k = e instanceof GateError ? reasonKey(e.reason) : 'broken';
        done(k !== 'generic' ? k : e.kind === 'refused' ? 'dcFail' : e.kind);
      }
    }

    _fail(key) {
      this._stop();
      this.#phase = 'failed';
      this.#verifier = null;
      this._state = null;
      this._timer.textContent = '';
      this._actions({ retry: 'retry' });
      this._say(key, key === 'expired' ? null : 'error');
      this._focus(this._retry);
    }

    /**
     * The proof is done: fetch the token with the verifier and hand it to the site. A token
     * request that fails on the way (timeout, network, 5xx) is asked again, automatically and
     * with "Try again", while the redeem window lasts: never a new check for a done proof.
     */
    _redeem() {
      this._stop();
      if (this.#phase !== 'redeeming') this._redeemUntil = Date.now() + REDEEM_TRIES_FOR;
      this.#phase = 'redeeming';
      this._timer.textContent = '';
      this._actions();
      this._say('verified', 'ok');
      this._focus(this._status);
      this._redeemTry(0);
    }

    /** One token request. Its answer is used whenever the widget still redeems (also after a move in the DOM): a token is issued once. */
    async _redeemTry(attempt) {
      if (this._redeemBusy) return; // the request in flight carries on
      const live = () => this.#phase === 'redeeming' && this.isConnected;
      this._redeemBusy = true;
      let token;
      try {
        const r = await this._fetch('/v1/checks/' + encodeURIComponent(this._check.tx) + '/token', { code_verifier: this.#verifier });
        token = r.token;
        if (typeof token !== 'string' || token.length > 16384 || !TOKEN.test(token)) unsafe();
      } catch (e) {
        if (!live()) return;
        const transient = e instanceof GateError && (e.kind === 'timeout' || e.kind === 'offline');
        if (transient && Date.now() < this._redeemUntil) {
          const again = () => { clearTimeout(this._poll); this._redeemTry(attempt + 1); };
          this._actions({ retry: 'retry', onRetry: again });
          this._say('tokenRetry', 'error');
          this._focus(this._retry);
          this._poll = setTimeout(again, Math.min(8000, 1000 * 2 ** attempt));
          return;
        }
        return this._fail(AgeGate._keyOf(e));
      } finally { this._redeemBusy = false; }
      if (!live()) return;
      this._stop();
      this.#phase = 'done';
      this.#verifier = null;
      this._actions();
      this._say('verified', 'ok');
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
