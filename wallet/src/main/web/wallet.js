/* agegate reference web wallet. Keeps a holder secret and credentials in IndexedDB, gets a
 * credential from the demo issuer, opens a request (scanned, pasted or linked), shows who
 * asks and for what, and proves in a Web Worker only after the person agrees. Talks only to
 * the gateway that serves it (same origin). */
(() => {
  'use strict';
  const W = {
    en: {
      title: 'agegate wallet', subtitle: 'Prove your age without showing who you are.',
      requestTitle: 'Age check', asks: '{site} asks: are you {age} or older?',
      detail: 'Request from {gateway}. Issuers of assurance level {level} or higher.',
      requestShares: 'If you agree, your wallet sends a zero-knowledge proof: the site learns only that you meet the age. It does not learn your birth date, your name or who issued your credential.',
      consent: 'Share proof of age', decline: 'Decline', proving: 'Proving…',
      credTitle: 'Your age credential', credNone: 'You have no credential yet. Get one from the demo issuer.',
      demoWarning: 'Demo issuer: it signs any birth date you type. A real issuer checks your identity first.',
      birthLabel: 'Birth date', getCredential: 'Get a demo credential', forget: 'Delete credential',
      credSummary: 'Born {birth}. Valid from {issued} to {expiry}.',
      scanTitle: 'Answer an age check', scan: 'Scan QR code', stopScan: 'Stop scanning', pasteLabel: 'Or paste the link from the site', open: 'Open',
      footer: 'Your secret and your credential stay in this browser.',
      starting: 'Starting the wallet…', ready: 'Ready.', issuing: 'Asking the demo issuer…', issued: 'Credential saved in this browser.',
      forgotten: 'Credential deleted.', loadingRequest: 'Reading the request…', review: 'Please review the request below.',
      declined: 'You declined. Nothing was shared.', downloading: 'Downloading the proving key… {pct}%', preparing: 'Preparing the prover…',
      provingNow: 'Making the proof on this device…', sending: 'Sending the proof…',
      done: 'Done: proof accepted in {secs} s. Go back to {site}: the page opens by itself.',
      needCredential: 'You need an age credential first (below).',
      cameraUnavailable: 'The camera is not available here. Paste the link instead.', scanning: 'Point the camera at the QR code.',
      badLink: 'This is not an age-check link.', otherGateway: 'This wallet only answers checks from {gateway}.',
      credential_outdated: 'Your credential was made for an older version of agegate and no longer works. It was deleted: get a new one below.',
      circuit_version: 'This site runs a version of agegate this wallet cannot answer. Nothing was sent.',
      too_young: 'Your credential shows you are not yet {age}. Nothing was sent to the site.',
      credential_expired: 'Your credential has expired. Get a new one from your issuer. Nothing was sent.',
      credential_not_yet_valid: 'Your credential is not valid yet. Nothing was sent.',
      issuer_not_trusted: 'The issuer of your credential is not one this site accepts. Nothing was sent.',
      assurance_too_low: 'This site needs a credential from an issuer with stronger identity checks. Nothing was sent.',
      wrong_holder: 'This credential belongs to another wallet. Nothing was sent.',
      trust_root_mismatch: 'The list of trusted issuers changed. Please start the check again on the site.',
      request_signature: 'The request is not signed by the gateway. Nothing was sent.',
      check_expired: 'The check has expired. Start again on the site.', nonce_replayed: 'This check was already answered.',
      check_not_found: 'This check no longer exists. Start again on the site.', proof_invalid: 'The gateway did not accept the proof.',
      network: 'The gateway cannot be reached. Check your connection and try again.', generic: 'Something went wrong. Please try again.'
    },
    fr: {
      title: 'Portefeuille agegate', subtitle: 'Prouvez votre âge sans dire qui vous êtes.',
      requestTitle: 'Vérification de l’âge', asks: '{site} demande : avez-vous {age} ans ou plus ?',
      detail: 'Demande de {gateway}. Émetteurs de niveau de garantie {level} ou plus.',
      requestShares: 'Si vous acceptez, votre portefeuille envoie une preuve à divulgation nulle : le site apprend seulement que vous avez l’âge requis, ni votre date de naissance, ni votre nom, ni l’émetteur de votre attestation.',
      consent: 'Partager la preuve d’âge', decline: 'Refuser', proving: 'Calcul de la preuve…',
      credTitle: 'Votre attestation d’âge', credNone: 'Vous n’avez pas encore d’attestation. Obtenez-en une auprès de l’émetteur de démonstration.',
      demoWarning: 'Émetteur de démonstration : il signe toute date saisie. Un vrai émetteur vérifie d’abord votre identité.',
      birthLabel: 'Date de naissance', getCredential: 'Obtenir une attestation de démonstration', forget: 'Supprimer l’attestation',
      credSummary: 'Né(e) le {birth}. Valable du {issued} au {expiry}.',
      scanTitle: 'Répondre à une vérification', scan: 'Scanner le code QR', stopScan: 'Arrêter', pasteLabel: 'Ou collez le lien du site', open: 'Ouvrir',
      footer: 'Votre secret et votre attestation restent dans ce navigateur.',
      starting: 'Démarrage du portefeuille…', ready: 'Prêt.', issuing: 'Demande à l’émetteur de démonstration…', issued: 'Attestation enregistrée dans ce navigateur.',
      forgotten: 'Attestation supprimée.', loadingRequest: 'Lecture de la demande…', review: 'Veuillez examiner la demande ci-dessous.',
      declined: 'Vous avez refusé. Rien n’a été partagé.', downloading: 'Téléchargement de la clé de preuve… {pct} %', preparing: 'Préparation…',
      provingNow: 'Calcul de la preuve sur cet appareil…', sending: 'Envoi de la preuve…',
      done: 'Terminé : preuve acceptée en {secs} s. Revenez sur {site} : la page s’ouvre d’elle-même.',
      needCredential: 'Il vous faut d’abord une attestation d’âge (ci-dessous).',
      cameraUnavailable: 'La caméra n’est pas disponible ici. Collez plutôt le lien.', scanning: 'Pointez la caméra vers le code QR.',
      badLink: 'Ce n’est pas un lien de vérification d’âge.', otherGateway: 'Ce portefeuille ne répond qu’aux demandes de {gateway}.',
      credential_outdated: 'Votre attestation a été faite pour une ancienne version d’agegate et ne fonctionne plus. Elle a été supprimée : obtenez-en une nouvelle ci-dessous.',
      circuit_version: 'Ce site utilise une version d’agegate à laquelle ce portefeuille ne peut pas répondre. Rien n’a été envoyé.',
      too_young: 'Votre attestation indique que vous n’avez pas encore {age} ans. Rien n’a été envoyé au site.',
      credential_expired: 'Votre attestation a expiré. Demandez-en une nouvelle à votre émetteur. Rien n’a été envoyé.',
      credential_not_yet_valid: 'Votre attestation n’est pas encore valable. Rien n’a été envoyé.',
      issuer_not_trusted: 'L’émetteur de votre attestation n’est pas accepté par ce site. Rien n’a été envoyé.',
      assurance_too_low: 'Ce site exige un émetteur aux contrôles d’identité plus stricts. Rien n’a été envoyé.',
      wrong_holder: 'Cette attestation appartient à un autre portefeuille. Rien n’a été envoyé.',
      trust_root_mismatch: 'La liste des émetteurs de confiance a changé. Recommencez sur le site.',
      request_signature: 'La demande n’est pas signée par la passerelle. Rien n’a été envoyé.',
      check_expired: 'La vérification a expiré. Recommencez sur le site.', nonce_replayed: 'Cette vérification a déjà reçu une réponse.',
      check_not_found: 'Cette vérification n’existe plus. Recommencez sur le site.', proof_invalid: 'La passerelle n’a pas accepté la preuve.',
      network: 'La passerelle est injoignable. Vérifiez votre connexion et réessayez.', generic: 'Une erreur s’est produite. Veuillez réessayer.'
    },
    de: {
      title: 'agegate-Wallet', subtitle: 'Weisen Sie Ihr Alter nach, ohne zu zeigen, wer Sie sind.',
      requestTitle: 'Altersprüfung', asks: '{site} fragt: Sind Sie {age} Jahre oder älter?',
      detail: 'Anfrage von {gateway}. Aussteller ab Vertrauensniveau {level}.',
      requestShares: 'Wenn Sie zustimmen, sendet Ihre Wallet einen Zero-Knowledge-Beweis: Die Seite erfährt nur, dass Sie das Alter erreichen, nicht Ihr Geburtsdatum, Ihren Namen oder den Aussteller Ihres Nachweises.',
      consent: 'Altersnachweis teilen', decline: 'Ablehnen', proving: 'Beweis wird erstellt…',
      credTitle: 'Ihr Altersnachweis', credNone: 'Sie haben noch keinen Nachweis. Holen Sie sich einen beim Demo-Aussteller.',
      demoWarning: 'Demo-Aussteller: Er signiert jedes eingegebene Datum. Ein echter Aussteller prüft zuerst Ihre Identität.',
      birthLabel: 'Geburtsdatum', getCredential: 'Demo-Nachweis holen', forget: 'Nachweis löschen',
      credSummary: 'Geboren am {birth}. Gültig vom {issued} bis {expiry}.',
      scanTitle: 'Auf eine Altersprüfung antworten', scan: 'QR-Code scannen', stopScan: 'Scannen beenden', pasteLabel: 'Oder den Link der Seite einfügen', open: 'Öffnen',
      footer: 'Ihr Geheimnis und Ihr Nachweis bleiben in diesem Browser.',
      starting: 'Wallet startet…', ready: 'Bereit.', issuing: 'Frage beim Demo-Aussteller an…', issued: 'Nachweis in diesem Browser gespeichert.',
      forgotten: 'Nachweis gelöscht.', loadingRequest: 'Anfrage wird gelesen…', review: 'Bitte prüfen Sie die Anfrage unten.',
      declined: 'Abgelehnt. Es wurde nichts geteilt.', downloading: 'Beweisschlüssel wird geladen… {pct} %', preparing: 'Beweiser wird vorbereitet…',
      provingNow: 'Beweis wird auf diesem Gerät erstellt…', sending: 'Beweis wird gesendet…',
      done: 'Fertig: Beweis in {secs} s angenommen. Zurück zu {site}: Die Seite öffnet sich von selbst.',
      needCredential: 'Sie brauchen zuerst einen Altersnachweis (unten).',
      cameraUnavailable: 'Die Kamera ist hier nicht verfügbar. Fügen Sie stattdessen den Link ein.', scanning: 'Richten Sie die Kamera auf den QR-Code.',
      badLink: 'Das ist kein Link einer Altersprüfung.', otherGateway: 'Diese Wallet beantwortet nur Anfragen von {gateway}.',
      credential_outdated: 'Ihr Nachweis wurde für eine ältere Version von agegate erstellt und funktioniert nicht mehr. Er wurde gelöscht: Holen Sie sich unten einen neuen.',
      circuit_version: 'Diese Seite verwendet eine agegate-Version, auf die diese Wallet nicht antworten kann. Es wurde nichts gesendet.',
      too_young: 'Ihr Nachweis zeigt, dass Sie noch nicht {age} sind. An die Seite wurde nichts gesendet.',
      credential_expired: 'Ihr Nachweis ist abgelaufen. Holen Sie sich einen neuen bei Ihrem Aussteller. Es wurde nichts gesendet.',
      credential_not_yet_valid: 'Ihr Nachweis ist noch nicht gültig. Es wurde nichts gesendet.',
      issuer_not_trusted: 'Der Aussteller Ihres Nachweises wird von dieser Seite nicht akzeptiert. Es wurde nichts gesendet.',
      assurance_too_low: 'Diese Seite verlangt einen Aussteller mit strengerer Identitätsprüfung. Es wurde nichts gesendet.',
      wrong_holder: 'Dieser Nachweis gehört zu einer anderen Wallet. Es wurde nichts gesendet.',
      trust_root_mismatch: 'Die Liste vertrauenswürdiger Aussteller hat sich geändert. Bitte auf der Seite neu starten.',
      request_signature: 'Die Anfrage ist nicht vom Gateway signiert. Es wurde nichts gesendet.',
      check_expired: 'Die Prüfung ist abgelaufen. Bitte auf der Seite neu starten.', nonce_replayed: 'Diese Prüfung wurde schon beantwortet.',
      check_not_found: 'Diese Prüfung gibt es nicht mehr. Bitte auf der Seite neu starten.', proof_invalid: 'Das Gateway hat den Beweis nicht angenommen.',
      network: 'Das Gateway ist nicht erreichbar. Prüfen Sie die Verbindung und versuchen Sie es erneut.', generic: 'Etwas ist schiefgegangen. Bitte erneut versuchen.'
    },
    es: {
      title: 'Monedero agegate', subtitle: 'Demuestre su edad sin mostrar quién es.',
      requestTitle: 'Verificación de edad', asks: '{site} pregunta: ¿tiene {age} años o más?',
      detail: 'Solicitud de {gateway}. Emisores de nivel de garantía {level} o superior.',
      requestShares: 'Si acepta, su monedero envía una prueba de conocimiento cero: el sitio solo sabe que cumple la edad, no su fecha de nacimiento, su nombre ni quién emitió su credencial.',
      consent: 'Compartir prueba de edad', decline: 'Rechazar', proving: 'Calculando la prueba…',
      credTitle: 'Su credencial de edad', credNone: 'Aún no tiene credencial. Obtenga una del emisor de demostración.',
      demoWarning: 'Emisor de demostración: firma cualquier fecha que escriba. Un emisor real comprueba primero su identidad.',
      birthLabel: 'Fecha de nacimiento', getCredential: 'Obtener credencial de demostración', forget: 'Borrar credencial',
      credSummary: 'Nacido/a el {birth}. Válida del {issued} al {expiry}.',
      scanTitle: 'Responder a una verificación', scan: 'Escanear código QR', stopScan: 'Dejar de escanear', pasteLabel: 'O pegue el enlace del sitio', open: 'Abrir',
      footer: 'Su secreto y su credencial se quedan en este navegador.',
      starting: 'Iniciando el monedero…', ready: 'Listo.', issuing: 'Consultando al emisor de demostración…', issued: 'Credencial guardada en este navegador.',
      forgotten: 'Credencial borrada.', loadingRequest: 'Leyendo la solicitud…', review: 'Revise la solicitud de abajo.',
      declined: 'Ha rechazado. No se compartió nada.', downloading: 'Descargando la clave de prueba… {pct} %', preparing: 'Preparando…',
      provingNow: 'Calculando la prueba en este dispositivo…', sending: 'Enviando la prueba…',
      done: 'Hecho: prueba aceptada en {secs} s. Vuelva a {site}: la página se abre sola.',
      needCredential: 'Primero necesita una credencial de edad (abajo).',
      cameraUnavailable: 'La cámara no está disponible aquí. Pegue el enlace.', scanning: 'Apunte la cámara al código QR.',
      badLink: 'Esto no es un enlace de verificación de edad.', otherGateway: 'Este monedero solo responde a solicitudes de {gateway}.',
      credential_outdated: 'Su credencial se hizo para una versión anterior de agegate y ya no sirve. Se ha borrado: obtenga una nueva abajo.',
      circuit_version: 'Este sitio usa una versión de agegate a la que esta cartera no puede responder. No se envió nada.',
      too_young: 'Su credencial indica que aún no tiene {age} años. No se envió nada al sitio.',
      credential_expired: 'Su credencial ha caducado. Pida una nueva a su emisor. No se envió nada.',
      credential_not_yet_valid: 'Su credencial aún no es válida. No se envió nada.',
      issuer_not_trusted: 'Este sitio no acepta al emisor de su credencial. No se envió nada.',
      assurance_too_low: 'Este sitio exige un emisor con controles de identidad más estrictos. No se envió nada.',
      wrong_holder: 'Esta credencial pertenece a otro monedero. No se envió nada.',
      trust_root_mismatch: 'La lista de emisores de confianza cambió. Empiece de nuevo en el sitio.',
      request_signature: 'La solicitud no está firmada por la pasarela. No se envió nada.',
      check_expired: 'La verificación ha caducado. Empiece de nuevo en el sitio.', nonce_replayed: 'Esta verificación ya fue respondida.',
      check_not_found: 'Esta verificación ya no existe. Empiece de nuevo en el sitio.', proof_invalid: 'La pasarela no aceptó la prueba.',
      network: 'No se puede contactar con la pasarela. Compruebe la conexión e inténtelo de nuevo.', generic: 'Algo salió mal. Inténtelo de nuevo.'
    }
  };
  const params = new URLSearchParams(location.search);
  const langCode = (params.get('lang') || navigator.language || 'en').slice(0, 2).toLowerCase();
  const L = W[langCode] || W.en;
  document.documentElement.lang = W[langCode] ? langCode : 'en';
  const t = (key, vars = {}) => (L[key] || W.en[key] || L.generic).replace(/\{(\w+)\}/g, (_, k) => (k in vars ? vars[k] : ''));
  const $ = (id) => document.getElementById(id);

  function say(key, vars, kind) {
    const s = $('status');
    s.textContent = t(key, vars);
    s.dataset.key = key;
    if (kind) s.dataset.kind = kind; else delete s.dataset.kind;
  }

  // ---- IndexedDB: one object store of named values ----------------------------------
  const dbp = new Promise((resolve, reject) => {
    const open = indexedDB.open('agegate-wallet', 1);
    open.onupgradeneeded = () => open.result.createObjectStore('kv');
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  async function db(mode, fn) {
    const d = await dbp;
    return new Promise((resolve, reject) => {
      const tx = d.transaction('kv', mode);
      const req = fn(tx.objectStore('kv'));
      tx.oncomplete = () => resolve(req && req.result);
      tx.onerror = () => reject(tx.error);
    });
  }
  const get = (k) => db('readonly', (s) => s.get(k));
  const put = (k, v) => db('readwrite', (s) => s.put(v, k));
  const del = (k) => db('readwrite', (s) => s.delete(k));

  // ---- the prover worker ----------------------------------------------------------------
  const worker = new Worker('worker.js');
  let seq = 0;
  const pending = new Map();
  worker.onmessage = (e) => {
    const p = pending.get(e.data.id);
    pending.delete(e.data.id);
    if (e.data.error) {
      const [code] = e.data.error.split(':');
      p.reject(Object.assign(new Error(e.data.error), { code }));
    } else p.resolve(e.data);
  };
  const call = (op, ...args) => new Promise((resolve, reject) => {
    const id = ++seq;
    pending.set(id, { resolve, reject });
    worker.postMessage({ id, op, args });
  });

  // ---- holder and credential --------------------------------------------------------------
  let holder, credential, request, keyBytes;
  async function loadHolder() {
    holder = await get('holder');
    if (!holder) {
      holder = (await call('newHolder')).ok; // the secret is made here and never leaves the browser
      await put('holder', holder);
    }
    credential = await get('credential');
    await renderCredential();
  }
  async function renderCredential() {
    $('cred-none').hidden = !!credential;
    $('cred-have').hidden = !credential;
    if (credential) {
      let info;
      try {
        info = JSON.parse((await call('credentialInfo', credential)).ok);
      } catch (err) {
        if (err.code !== 'credential_outdated') throw err;
        // A credential of circuit v1 can never prove again: drop it and say why.
        await del('credential');
        credential = null;
        await renderCredential();
        say('credential_outdated', {}, 'error');
        return;
      }
      $('cred-summary').textContent = t('credSummary', { birth: info.birth_date, issued: info.issued_date, expiry: info.expiry_date });
    }
  }
  async function problemReason(res) {
    try { return (await res.json()).reason || 'generic'; } catch (_) { return 'generic'; }
  }
  $('issue-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    say('issuing');
    try {
      const commitment = (await call('commitment', holder)).ok;
      const res = await fetch('/demo/issuer/credentials', {
        method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ holder_commitment: commitment, birth_date: $('birth').value })
      });
      if (!res.ok) return say(await problemReason(res), {}, 'error');
      credential = await res.text();
      await call('credentialInfo', credential); // refuse a malformed answer before keeping it
      await put('credential', credential);
      await renderCredential();
      say('issued', {}, 'ok');
      $('forget').focus();
    } catch (err) { say(err.code && L[err.code] ? err.code : 'network', {}, 'error'); }
  });
  $('forget').addEventListener('click', async () => {
    await del('credential');
    credential = null;
    await renderCredential();
    say('forgotten');
    $('birth').focus();
  });

  // ---- requests ---------------------------------------------------------------------------
  function requestUriOf(link) {
    let u;
    try { u = new URL(link.trim()); } catch (_) { return null; }
    const r = u.searchParams.get('request_uri') || ((u.protocol === 'https:' || u.protocol === 'http:') && u.pathname.includes('/v1/requests/') ? u.href : null);
    if (!r) return null;
    try { return { uri: new URL(r), clientId: u.searchParams.get('client_id') }; } catch (_) { return null; }
  }
  async function fetchText(url) {
    const res = await fetch(url, { cache: 'no-store', redirect: 'error', credentials: 'omit' });
    if (!res.ok) throw Object.assign(new Error('http'), { code: await problemReason(res) });
    return res.text();
  }
  // A response whose connection was lost, or that was answered 503, is posted again to the same
  // response URI (behind a load balancer it reaches another gateway; each check is decided once,
  // so a retry never verifies twice): 5 posts at most, after Retry-After (at most 15 s).
  async function postResponse(uri, body) {
    for (let attempt = 1; ; attempt++) {
      let res;
      try {
        res = await fetch(uri, { method: 'POST', credentials: 'omit', body });
      } catch (err) {
        if (attempt >= 5) throw err;
        await new Promise((ok) => setTimeout(ok, 1000));
        continue;
      }
      if (res.status !== 503 || attempt >= 5) return res;
      const s = parseInt(res.headers.get('Retry-After'), 10);
      await new Promise((ok) => setTimeout(ok, 1000 * Math.min(15, Number.isFinite(s) && s >= 0 ? s : 1)));
    }
  }
  async function openLink(link) {
    const parsed = requestUriOf(link);
    if (!parsed) return say('badLink', {}, 'error');
    if (parsed.uri.origin !== location.origin) return say('otherGateway', { gateway: location.origin }, 'error');
    say('loadingRequest');
    $('request').hidden = true;
    try {
      const [jwt, jwks] = await Promise.all([fetchText(parsed.uri.href), fetchText('/.well-known/jwks.json')]);
      const claims = JSON.parse((await call('verifyRequest', jwt, jwks)).ok);
      const a = claims.agegate || {};
      const sameOrigin = (u) => { try { return new URL(u).origin === location.origin; } catch (_) { return false; } };
      if ((parsed.clientId && claims.client_id !== parsed.clientId) || claims.response_mode !== 'direct_post' || !sameOrigin(claims.response_uri)
          || !sameOrigin(a.trust_list_uri) || !sameOrigin(a.proving_key_uri) || (claims.exp && Date.now() / 1000 > claims.exp)) {
        return say('request_signature', {}, 'error');
      }
      request = claims;
      $('request-text').textContent = t('asks', { site: a.site, age: a.min_age });
      $('request-detail').textContent = t('detail', { gateway: location.host, level: a.min_assurance });
      $('request').hidden = false;
      $('consent').disabled = $('decline').disabled = false;
      $('progress-wrap').hidden = true;
      say('review');
      $('consent').focus();
      prepare(a); // download and load the key while the person reads
    } catch (err) {
      say(err.code && L[err.code] ? err.code : 'network', {}, 'error');
    }
  }
  let prepared;
  function prepare(a) {
    prepared = (async () => {
      // The key is cached under the SHA-256 the signed request names, and only after the
      // prover has checked that digest and loaded the key (a bad download is never kept).
      const fp = a.pk_sha256;
      let pk = fp ? await get('pk:' + fp) : null;
      const cached = !!pk;
      if (!pk) {
        const res = await fetch(a.proving_key_uri, { credentials: 'omit' });
        if (!res.ok) throw Object.assign(new Error('pk'), { code: 'network' });
        const total = +res.headers.get('Content-Length') || 0;
        const reader = res.body.getReader();
        const chunks = [];
        let got = 0;
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          chunks.push(value);
          got += value.length;
          if (total) progress(Math.round((got / total) * 60));
        }
        pk = new Uint8Array(got);
        let off = 0;
        for (const c of chunks) { pk.set(c, off); off += c.length; }
        document.body.dataset.pkBytes = got;
      }
      progress(60);
      if (keyBytes !== fp) {
        try {
          document.body.dataset.warmUpMs = (await call('warmUp', pk, fp)).ms;
        } catch (err) {
          if (cached) await del('pk:' + fp).catch(() => {});
          throw err;
        }
        keyBytes = fp;
        if (!cached) await put('pk:' + fp, pk).catch(() => {});
      }
      progress(70);
    })();
    prepared.catch(() => {});
  }
  function progress(pct) {
    $('progress').value = pct;
    $('progress').textContent = pct + '%';
  }
  $('decline').addEventListener('click', () => {
    request = null;
    $('request').hidden = true;
    say('declined');
    $('scan').focus();
  });
  $('consent').addEventListener('click', async () => {
    if (!request) return;
    if (!credential) { say('needCredential', {}, 'error'); return $('birth').focus(); }
    const r = request, a = r.agegate;
    $('consent').disabled = $('decline').disabled = true;
    $('progress-wrap').hidden = false;
    const started = performance.now();
    try {
      say('preparing');
      const trust = await fetchText(a.trust_list_uri);
      await prepared;
      say('provingNow');
      const out = await call('prove', null, credential, holder, trust, JSON.stringify(r));
      document.body.dataset.proveMs = out.ms;
      progress(90);
      say('sending');
      const res = await postResponse(r.response_uri,
        new URLSearchParams({ vp_token: JSON.parse(out.ok).vp_token, state: r.state }));
      if (!res.ok) return fail(await problemReason(res), a);
      progress(100);
      request = null;
      say('done', { site: a.site, secs: ((performance.now() - started) / 1000).toFixed(1) }, 'ok');
      $('request').hidden = true;
    } catch (err) {
      fail(err.code && L[err.code] ? err.code : 'generic', a);
      if (!L[err.code]) console.warn(err);
    }
  });
  function fail(code, a) {
    $('progress-wrap').hidden = true;
    $('decline').disabled = false;
    say(code, { age: a.min_age, site: a.site }, 'error');
    $('request').hidden = true;
    request = null;
    $('scan').focus();
  }
  $('link-form').addEventListener('submit', (e) => { e.preventDefault(); openLink($('link').value); });

  // ---- camera ------------------------------------------------------------------------------
  let stream;
  function stopScan() {
    if (stream) stream.getTracks().forEach((tr) => tr.stop());
    stream = null;
    $('video').hidden = true;
    $('scan').textContent = t('scan');
  }
  async function detector() {
    if ('BarcodeDetector' in window) {
      try {
        if ((await BarcodeDetector.getSupportedFormats()).includes('qr_code')) {
          const d = new BarcodeDetector({ formats: ['qr_code'] });
          return async (video) => { const r = await d.detect(video); return r.length ? r[0].rawValue : null; };
        }
      } catch (_) { /* fall through */ }
    }
    await new Promise((resolve, reject) => { // the small decoder, loaded only when needed
      const s = document.createElement('script');
      s.src = 'vendor/jsQR.js'; s.onload = resolve; s.onerror = reject;
      document.head.append(s);
    });
    const canvas = document.createElement('canvas');
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    return async (video) => {
      canvas.width = video.videoWidth; canvas.height = video.videoHeight;
      if (!canvas.width) return null;
      ctx.drawImage(video, 0, 0);
      const img = ctx.getImageData(0, 0, canvas.width, canvas.height);
      const code = window.jsQR(img.data, img.width, img.height, { inversionAttempts: 'dontInvert' });
      return code ? code.data : null;
    };
  }
  $('scan').addEventListener('click', async () => {
    if (stream) return stopScan();
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return say('cameraUnavailable', {}, 'error');
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
    } catch (_) { return say('cameraUnavailable', {}, 'error'); }
    const video = $('video');
    video.srcObject = stream;
    video.hidden = false;
    await video.play();
    $('scan').textContent = t('stopScan');
    say('scanning');
    const detect = await detector();
    const loop = async () => {
      if (!stream) return;
      const text = await detect(video).catch(() => null);
      if (text) { stopScan(); $('link').value = text; return openLink(text); }
      setTimeout(loop, 200);
    };
    loop();
  });

  // ---- start ------------------------------------------------------------------------------
  document.querySelectorAll('[data-i18n]').forEach((el) => { el.textContent = t(el.dataset.i18n); });
  document.title = t('title');
  say('starting');
  loadHolder().then(() => {
    document.body.dataset.ready = 'true';
    if (params.get('request_uri')) openLink(location.href);
    else say('ready');
  }, () => say('generic', {}, 'error'));
})();
