/* agegate reference web wallet. Keeps a holder secret and credentials in IndexedDB, gets a
 * credential from the demo issuer, opens a request (scanned, pasted or linked), shows who
 * asks and for what, and proves in a Web Worker only after the person agrees. Talks only to
 * its gateway: the origin that serves it, or the one its <meta name="agegate-gateway"> names. */
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
      provingNow: 'Making the proof on this device…',
      phase_key: 'Proving key ready. Checking your credential…', phase_witness: 'Credential checked. Solving the circuit…',
      phase_solved: 'Circuit solved. Computing the proof (the longest step)…', phase_proved: 'Proof made.', sending: 'Sending the proof…',
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
      maybeVerified: 'The connection was lost while sending, and the check has been answered meanwhile: your proof may have been accepted. The site’s page shows the outcome.',
      check_not_found: 'This check no longer exists. Start again on the site.', proof_invalid: 'The gateway did not accept the proof.',
      siteOrigin: 'Site address: {origin}', confirmCode: 'Code: {code}. Check that the site shows the same code next to its QR code; if it does not, decline.',
      dateMismatch: 'This request is dated {today}, but this device says {device}. Check the date and time on this device, then open the link again. Nothing was sent.',
      noIssuer: 'You have no credential yet. Ask your issuer for one: this gateway has no demo issuer.',
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
      provingNow: 'Calcul de la preuve sur cet appareil…',
      phase_key: 'Clé de preuve prête. Vérification de votre attestation…', phase_witness: 'Attestation vérifiée. Résolution du circuit…',
      phase_solved: 'Circuit résolu. Calcul de la preuve (l’étape la plus longue)…', phase_proved: 'Preuve faite.', sending: 'Envoi de la preuve…',
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
      maybeVerified: 'La connexion a été perdue pendant l’envoi, et la vérification a reçu une réponse entre-temps : votre preuve a peut-être été acceptée. La page du site affiche le résultat.',
      check_not_found: 'Cette vérification n’existe plus. Recommencez sur le site.', proof_invalid: 'La passerelle n’a pas accepté la preuve.',
      siteOrigin: 'Adresse du site : {origin}', confirmCode: 'Code : {code}. Vérifiez que le site affiche le même code à côté de son code QR ; sinon, refusez.',
      dateMismatch: 'Cette demande est datée du {today}, mais cet appareil indique le {device}. Vérifiez la date et l’heure de cet appareil, puis rouvrez le lien. Rien n’a été envoyé.',
      noIssuer: 'Vous n’avez pas encore d’attestation. Demandez-en une à votre émetteur : cette passerelle n’a pas d’émetteur de démonstration.',
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
      provingNow: 'Beweis wird auf diesem Gerät erstellt…',
      phase_key: 'Beweisschlüssel bereit. Ihr Nachweis wird geprüft…', phase_witness: 'Nachweis geprüft. Die Schaltung wird gelöst…',
      phase_solved: 'Schaltung gelöst. Der Beweis wird berechnet (der längste Schritt)…', phase_proved: 'Beweis erstellt.', sending: 'Beweis wird gesendet…',
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
      maybeVerified: 'Die Verbindung brach beim Senden ab, und die Prüfung wurde inzwischen beantwortet: Ihr Nachweis wurde vielleicht angenommen. Die Seite zeigt das Ergebnis.',
      check_not_found: 'Diese Prüfung gibt es nicht mehr. Bitte auf der Seite neu starten.', proof_invalid: 'Das Gateway hat den Beweis nicht angenommen.',
      siteOrigin: 'Adresse der Seite: {origin}', confirmCode: 'Code: {code}. Prüfen Sie, ob die Seite neben ihrem QR-Code denselben Code zeigt; wenn nicht, lehnen Sie ab.',
      dateMismatch: 'Diese Anfrage ist vom {today}, dieses Gerät zeigt aber den {device}. Prüfen Sie Datum und Uhrzeit des Geräts und öffnen Sie den Link erneut. Es wurde nichts gesendet.',
      noIssuer: 'Sie haben noch keinen Nachweis. Fragen Sie Ihren Aussteller danach: Dieses Gateway hat keinen Demo-Aussteller.',
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
      provingNow: 'Calculando la prueba en este dispositivo…',
      phase_key: 'Clave de prueba lista. Comprobando su credencial…', phase_witness: 'Credencial comprobada. Resolviendo el circuito…',
      phase_solved: 'Circuito resuelto. Calculando la prueba (el paso más largo)…', phase_proved: 'Prueba hecha.', sending: 'Enviando la prueba…',
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
      maybeVerified: 'Se perdió la conexión al enviar y la verificación ya tiene respuesta: puede que su prueba se haya aceptado. La página del sitio muestra el resultado.',
      check_not_found: 'Esta verificación ya no existe. Empiece de nuevo en el sitio.', proof_invalid: 'La pasarela no aceptó la prueba.',
      siteOrigin: 'Dirección del sitio: {origin}', confirmCode: 'Código: {code}. Compruebe que el sitio muestra el mismo código junto a su código QR; si no, rechace.',
      dateMismatch: 'Esta solicitud tiene fecha {today}, pero este dispositivo indica {device}. Compruebe la fecha y la hora del dispositivo y vuelva a abrir el enlace. No se envió nada.',
      noIssuer: 'Aún no tiene credencial. Pídala a su emisor: esta pasarela no tiene emisor de demostración.',
      network: 'No se puede contactar con la pasarela. Compruebe la conexión e inténtelo de nuevo.', generic: 'Algo salió mal. Inténtelo de nuevo.'
    }
  };
  const params = new URLSearchParams(location.search);
  const langCode = (params.get('lang') || navigator.language || 'en').slice(0, 2).toLowerCase();
  const L = W[langCode] || W.en;
  document.documentElement.lang = W[langCode] ? langCode : 'en';
  const t = (key, vars = {}) => (L[key] || W.en[key] || L.generic).replace(/\{(\w+)\}/g, (_, k) => (k in vars ? vars[k] : ''));
  const $ = (id) => document.getElementById(id);
  const GATEWAY = (() => {
    const m = document.querySelector('meta[name="agegate-gateway"]');
    try { return m && m.content ? new URL(m.content).origin : location.origin; } catch (_) { return location.origin; }
  })();
  /** The largest proving key the wallet downloads or keeps (the dev key is 5 MB). */
  const MAX_PK_BYTES = 64 << 20;

  function say(key, vars, kind) {
    const s = $('status');
    s.textContent = t(key, vars);
    s.dataset.key = key;
    if (kind) s.dataset.kind = kind; else delete s.dataset.kind;
  }
  /** Says it and moves focus to the status, so a screen reader reads the new state (never <body>). */
  function sayAndFocus(key, vars, kind) {
    say(key, vars, kind);
    $('status').focus();
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
    if (e.data.phase) return p.onPhase && p.onPhase(e.data.phase); // progress, the answer follows
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
  /** prove, with onPhase called for each phase the Go prover reports. */
  const callProve = (onPhase, ...args) => new Promise((resolve, reject) => {
    const id = ++seq;
    pending.set(id, { resolve, reject, onPhase });
    worker.postMessage({ id, op: 'prove', args });
  });
  /** Calls op with bytes as its first argument, moved (not copied) to the worker; the worker moves them back in `back`. */
  const callMoving = (op, bytes, ...rest) => new Promise((resolve, reject) => {
    const id = ++seq;
    pending.set(id, { resolve, reject });
    worker.postMessage({ id, op, args: [bytes, ...rest], giveBack: true }, [bytes.buffer]);
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
      const res = await fetch(GATEWAY + '/demo/issuer/credentials', {
        method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ holder_commitment: commitment, birth_date: $('birth').value })
      });
      if (!res.ok) return say(await problemReason(res), {}, 'error');
      credential = await res.text();
      await call('credentialInfo', credential); // refuse a malformed answer before keeping it
      await put('credential', credential);
      // Ask the browser not to evict the holder secret and the credential under storage pressure.
      if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => {});
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
    ($('demo-issuer').hidden ? $('status') : $('birth')).focus();
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
  // lost says that an attempt lost its connection: a later 409 nonce_replayed may then mean that
  // the lost attempt was verified.
  async function postResponse(uri, body) {
    let lost = false;
    for (let attempt = 1; ; attempt++) {
      let res;
      try {
        res = await fetch(uri, { method: 'POST', credentials: 'omit', redirect: 'error', body });
      } catch (err) {
        lost = true;
        if (attempt >= 5) throw err;
        await new Promise((ok) => setTimeout(ok, 1000));
        continue;
      }
      if (res.status !== 503 || attempt >= 5) return { res, lost };
      const s = parseInt(res.headers.get('Retry-After'), 10);
      await new Promise((ok) => setTimeout(ok, 1000 * Math.min(15, Number.isFinite(s) && s >= 0 ? s : 1)));
    }
  }
  async function openLink(link) {
    const parsed = requestUriOf(link);
    if (!parsed) return sayAndFocus('badLink', {}, 'error');
    if (parsed.uri.origin !== GATEWAY) return sayAndFocus('otherGateway', { gateway: GATEWAY }, 'error');
    say('loadingRequest');
    $('request').hidden = true;
    try {
      const [jwt, jwks] = await Promise.all([fetchText(parsed.uri.href), fetchText(GATEWAY + '/.well-known/jwks.json')]);
      // The JWKS key signs, the client_id is x509_san_dns:<this gateway's host> and the x5c leaf
      // certifies that key for that host (circuits/wasm verifyRequest).
      const claims = JSON.parse((await call('verifyRequest', jwt, jwks, new URL(GATEWAY).hostname)).ok);
      const a = claims.agegate || {};
      const sameOrigin = (u) => { try { return new URL(u).origin === GATEWAY; } catch (_) { return false; } };
      if ((parsed.clientId && claims.client_id !== parsed.clientId) || a.audience !== claims.client_id
          || !['direct_post', 'direct_post.jwt'].includes(claims.response_mode) || !sameOrigin(claims.response_uri)
          || !sameOrigin(a.trust_list_uri) || !sameOrigin(a.proving_key_uri) || typeof claims.state !== 'string') {
        return sayAndFocus('request_signature', {}, 'error');
      }
      // The request's "today" (the site's date) against this device's: a day apart at most
      // (time zones); more means one clock is wrong, and the person should know before agreeing
      // (checked before the expiry, which a wrong device clock would also fail).
      const device = localDate(new Date());
      if (!/^\d{4}-\d{2}-\d{2}$/.test(a.today || '') || Math.abs(dayNumber(a.today) - dayNumber(device)) > 1) {
        return sayAndFocus('dateMismatch', { today: a.today, device }, 'error');
      }
      if (claims.exp && Date.now() / 1000 > claims.exp) return sayAndFocus('check_expired', {}, 'error');
      request = claims;
      $('request-text').textContent = t('asks', { site: a.site_name || a.site, age: a.min_age });
      $('request-origin').textContent = a.site_origin ? t('siteOrigin', { origin: a.site_origin }) : '';
      $('request-origin').hidden = !a.site_origin;
      showCode(a.confirmation_code);
      $('request-detail').textContent = t('detail', { gateway: new URL(GATEWAY).host, level: a.min_assurance });
      $('request').hidden = false;
      $('consent').disabled = $('decline').disabled = false;
      $('progress-wrap').hidden = true;
      say('review');
      $('request-text').focus(); // the question is read first; the buttons follow it
      prepare(a); // download and load the key while the person reads
    } catch (err) {
      sayAndFocus(err.code && L[err.code] ? err.code : 'network', {}, 'error');
    }
  }
  function localDate(d) {
    const p = (n) => String(n).padStart(2, '0');
    return d.getFullYear() + '-' + p(d.getMonth() + 1) + '-' + p(d.getDate());
  }
  function dayNumber(iso) {
    const [y, m, d] = iso.split('-').map(Number);
    return Date.UTC(y, m - 1, d) / 86400000;
  }
  /** "Code: 7K2M. Check that…", the code in a box of its own. */
  function showCode(code) {
    const el = $('request-code');
    el.replaceChildren();
    el.hidden = !(typeof code === 'string' && /^[0-9A-Z]{4}$/.test(code));
    if (el.hidden) return;
    const [before, after] = t('confirmCode', { code: '\u0000' }).split('\u0000');
    const b = document.createElement('b');
    b.id = 'confirmation-code';
    b.textContent = code;
    el.append(before, b, after || '');
  }
  /**
   * Tells the gateway that this person will not answer this check (OpenID4VP error response,
   * error=access_denied, with the request's state), so the gate offers to start again at once.
   * It says why to no one: a refusal, a credential too young and a failed proof look the same.
   */
  function refuse(r) {
    if (!r || !r.response_uri) return Promise.resolve();
    return fetch(r.response_uri, {
      method: 'POST', credentials: 'omit', redirect: 'error',
      body: new URLSearchParams({ error: 'access_denied', state: r.state })
    }).then(() => {}, () => {});
  }
  let prepared;
  function prepare(a) {
    prepared = (async () => {
      // The key is cached under the SHA-256 the signed request names, and only after the
      // prover has checked that digest and loaded the key (a bad download is never kept).
      const fp = a.pk_sha256;
      if (keyBytes === fp) return progress(70); // the worker holds this key already
      let pk = fp ? await get('pk:' + fp).catch(() => null) : null;
      if (!(pk instanceof Uint8Array) || pk.length > MAX_PK_BYTES) pk = null;
      const cached = !!pk;
      if (!pk) pk = await download(a.proving_key_uri);
      progress(60);
      let out, fresh = !cached;
      try {
        // moved to the worker, which checks its SHA-256 against the signed fp, loads it and moves it back
        out = await callMoving('warmUp', pk, fp);
      } catch (err) {
        if (!cached) throw err;
        // a cached key that no longer loads is dropped and downloaded again, once
        await del('pk:' + fp).catch(() => {});
        out = await callMoving('warmUp', await download(a.proving_key_uri), fp);
        fresh = true;
      }
      document.body.dataset.warmUpMs = out.ms;
      document.body.dataset.pkCached = String(cached && !fresh);
      keyBytes = fp;
      // kept only now: after it loaded and matched the request's fingerprint
      if (fresh && out.back) await put('pk:' + fp, out.back).catch(() => {});
      progress(70);
    })();
    prepared.catch(() => {});
  }
  /** Downloads the proving key with progress, refusing more than MAX_PK_BYTES. */
  async function download(uri) {
    const tooLarge = () => Object.assign(new Error('pk too large'), { code: 'generic' });
    const res = await fetch(uri, { credentials: 'omit', redirect: 'error' });
    if (!res.ok) throw Object.assign(new Error('pk'), { code: 'network' });
    const total = +res.headers.get('Content-Length') || 0;
    if (total > MAX_PK_BYTES) throw tooLarge();
    const reader = res.body.getReader();
    const chunks = [];
    let got = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      got += value.length;
      if (got > MAX_PK_BYTES) { reader.cancel().catch(() => {}); throw tooLarge(); }
      chunks.push(value);
      if (total) progress(Math.round((got / total) * 60));
    }
    const pk = new Uint8Array(got);
    let off = 0;
    for (const c of chunks) { pk.set(c, off); off += c.length; }
    document.body.dataset.pkBytes = got;
    return pk;
  }
  // the prover's phases (circuits/wasm prove): where the bar stands and what it says. The
  // MSMs after "solved" are most of the time and gnark gives no hook inside them.
  const PHASES = { key: 72, witness: 74, solved: 78, proved: 90 };
  function provePhase(phase) {
    if (!(phase in PHASES)) return;
    progress(PHASES[phase]);
    const words = t('phase_' + phase, {});
    $('progress-label').textContent = words;
    $('progress').setAttribute('aria-valuetext', words);
    document.body.dataset.provePhases = ((document.body.dataset.provePhases || '') + ' ' + phase).trim();
  }
  function progress(pct) {
    $('progress').value = pct;
    $('progress').textContent = pct + '%';
  }
  $('decline').addEventListener('click', async () => {
    const r = request;
    request = null;
    $('request').hidden = true;
    sayAndFocus('declined');
    await refuse(r);
    document.body.dataset.refused = 'true';
  });
  $('consent').addEventListener('click', async () => {
    if (!request) return;
    if (!credential) { say('needCredential', {}, 'error'); return ($('demo-issuer').hidden ? $('status') : $('birth')).focus(); }
    const r = request, a = r.agegate;
    $('consent').disabled = $('decline').disabled = true;
    $('progress-wrap').hidden = false;
    $('progress-label').textContent = t('proving');
    $('progress').removeAttribute('aria-valuetext');
    delete document.body.dataset.provePhases;
    const started = performance.now();
    let sent = false;
    try {
      say('preparing');
      const trust = await fetchText(a.trust_list_uri);
      await prepared;
      say('provingNow');
      // performance marks around the proof, as the page sees it (the browser journey test
      // reads the 'agegate-prove' measures: examples/demo-site target/browser-prove.json)
      performance.mark('agegate-prove-start');
      const out = await callProve(provePhase, null, credential, holder, trust, JSON.stringify(r));
      performance.measure('agegate-prove', 'agegate-prove-start');
      document.body.dataset.proveMs = out.ms;
      progress(90);
      say('sending');
      sent = true;
      const { res, lost } = await postResponse(r.response_uri,
        new URLSearchParams({ vp_token: JSON.parse(out.ok).vp_token, state: r.state }));
      if (!res.ok) {
        const code = await problemReason(res);
        return fail(lost && code === 'nonce_replayed' ? 'maybeVerified' : code, a);
      }
      progress(100);
      request = null;
      $('request').hidden = true;
      sayAndFocus('done', { site: a.site_name || a.site, secs: ((performance.now() - started) / 1000).toFixed(1) }, 'ok');
    } catch (err) {
      fail(err.code && L[err.code] ? err.code : 'generic', a);
      if (!L[err.code]) console.warn(err);
      // no proof left this device: tell the gate, so it offers to start again at once
      if (!sent) { await refuse(r); document.body.dataset.refused = 'true'; }
    }
  });
  function fail(code, a) {
    $('progress-wrap').hidden = true;
    $('decline').disabled = false;
    $('request').hidden = true;
    request = null;
    sayAndFocus(code, { age: a.min_age, site: a.site_name || a.site }, 'error');
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
    let detect;
    try {
      video.srcObject = stream;
      video.hidden = false;
      await video.play();
      $('scan').textContent = t('stopScan');
      say('scanning');
      detect = await detector();
    } catch (_) { // the camera never stays on behind an error
      stopScan();
      return sayAndFocus('cameraUnavailable', {}, 'error');
    }
    const loop = async () => {
      if (!stream) return;
      let text;
      try { text = await detect(video); } catch (_) { text = null; }
      if (text) { stopScan(); $('link').value = text; return openLink(text); }
      setTimeout(loop, 200);
    };
    loop();
  });
  // leaving the page (or hiding it) stops the camera too
  addEventListener('pagehide', stopScan);
  document.addEventListener('visibilitychange', () => { if (document.hidden && stream) stopScan(); });

  // ---- start ------------------------------------------------------------------------------
  document.querySelectorAll('[data-i18n]').forEach((el) => { el.textContent = t(el.dataset.i18n); });
  document.title = t('title');
  say('starting');
  // The demo credential is offered only where a demo issuer answers (a demo gateway).
  const issuer = fetch(GATEWAY + '/demo/issuer/', { credentials: 'omit', cache: 'no-store', redirect: 'error' })
    .then((r) => r.ok, () => false)
    .then((has) => { $('demo-issuer').hidden = !has; $('no-issuer').hidden = has; });
  Promise.all([loadHolder(), issuer]).then(() => {
    document.body.dataset.ready = 'true';
    if (params.get('request_uri')) openLink(location.href);
    else say('ready');
  }, () => say('generic', {}, 'error'));
})();
