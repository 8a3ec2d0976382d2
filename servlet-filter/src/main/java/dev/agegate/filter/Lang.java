package dev.agegate.filter;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The gate page's language: the best match of {@code Accept-Language} (RFC 9110 §12.5.4, q
 * values honoured, {@code q=0} excluded) among the widget's languages, and the page's own words
 * in it. English when nothing matches.
 */
final class Lang {

  /** The widget's languages (widget/src/main/js/age-gate.js, {@code T}). */
  static final List<String> SUPPORTED = List.of("en", "fr", "de", "es");

  /** The page's words: title, lead ({0} = age), what to do if the script does not load ({0} = gateway host), noscript. */
  record Words(String title, String lead, String fallback, String noscript) {
  }

  private static final Map<String, Words> WORDS = Map.of(
      "en", new Words("Age check",
          "This page is for people aged {0} or over. Prove your age with your wallet; this site learns only that you are old enough.",
          "The age check has not loaded. Please reload this page. If it still does not appear, allow this site to load"
              + " scripts from {0} (a content blocker may stop it), or open the page in another browser.",
          "The age check needs JavaScript: it shows a QR code to scan with your age wallet. Please enable JavaScript"
              + " for this site and for {0}, then reload."),
      "fr", new Words("Vérification de l’âge",
          "Cette page est réservée aux personnes de {0} ans ou plus. Prouvez votre âge avec votre portefeuille ; ce site"
              + " apprend seulement que vous avez l’âge requis.",
          "La vérification de l’âge ne s’est pas chargée. Rechargez cette page. Si elle n’apparaît toujours pas,"
              + " autorisez ce site à charger des scripts depuis {0} (un bloqueur de contenu peut l’empêcher), ou ouvrez"
              + " la page dans un autre navigateur.",
          "La vérification de l’âge a besoin de JavaScript : elle affiche un code QR à scanner avec votre portefeuille."
              + " Activez JavaScript pour ce site et pour {0}, puis rechargez la page."),
      "de", new Words("Altersprüfung",
          "Diese Seite ist für Personen ab {0} Jahren. Weisen Sie Ihr Alter mit Ihrer Wallet nach; diese Seite erfährt"
              + " nur, dass Sie alt genug sind.",
          "Die Altersprüfung wurde nicht geladen. Bitte laden Sie diese Seite neu. Erscheint sie immer noch nicht,"
              + " erlauben Sie dieser Seite, Skripte von {0} zu laden (ein Inhaltsblocker kann das verhindern), oder"
              + " öffnen Sie die Seite in einem anderen Browser.",
          "Die Altersprüfung braucht JavaScript: Sie zeigt einen QR-Code, den Sie mit Ihrer Wallet scannen. Bitte"
              + " aktivieren Sie JavaScript für diese Seite und für {0} und laden Sie sie neu."),
      "es", new Words("Verificación de edad",
          "Esta página es para personas de {0} años o más. Demuestre su edad con su monedero; este sitio solo sabe que"
              + " tiene la edad suficiente.",
          "La verificación de edad no se ha cargado. Vuelva a cargar esta página. Si sigue sin aparecer, permita que"
              + " este sitio cargue scripts de {0} (un bloqueador de contenido puede impedirlo) o abra la página en otro"
              + " navegador.",
          "La verificación de edad necesita JavaScript: muestra un código QR para escanear con su monedero. Active"
              + " JavaScript para este sitio y para {0} y vuelva a cargar la página."));

  /**
   * The problem pages a person can meet, in the other languages (English is what the filter
   * passes): {@code <type>.title}, {@code <type>} (the detail), {@code refusal.<REASON>},
   * {@code again} and {@code try}.
   */
  private static final Map<String, Map<String, String>> PROBLEMS = Map.of(
      "fr", Map.ofEntries(
          Map.entry("unavailable.title", "Vérification de l’âge indisponible"),
          Map.entry("keys-unavailable", "La vérification de l’âge ne peut pas être confirmée pour le moment. Réessayez dans un instant."),
          Map.entry("widget-mismatch", "La vérification de l’âge ne peut pas être affichée pour le moment : son script n’est pas la version à laquelle ce site fait confiance. Réessayez plus tard."),
          Map.entry("widget-unavailable", "La vérification de l’âge ne peut pas être affichée pour le moment : son service est injoignable. Réessayez dans un instant."),
          Map.entry("check-unavailable", "La vérification de l’âge ne peut pas démarrer pour le moment : son service est injoignable. Réessayez dans un instant."),
          Map.entry("token-rejected.title", "Vérification de l’âge non acceptée"),
          Map.entry("refusal.EXPIRED", "La vérification a pris trop de temps et son résultat a expiré."),
          Map.entry("refusal.BINDING", "La vérification a été terminée dans un autre navigateur ou onglet, ou les cookies de ce site ont été effacés entre-temps."),
          Map.entry("refusal.AUDIENCE", "La vérification a été faite pour un autre site."),
          Map.entry("refusal.NOT_YET_VALID", "L’horloge de cet appareil et celle de la vérification ne concordent pas."),
          Map.entry("refusal.METHOD", "Ce site n’accepte pas le type de preuve d’âge utilisé."),
          Map.entry("refusal.default", "Le résultat de la vérification n’a pas pu être confirmé."),
          Map.entry("again", "Recommencez la vérification de l’âge dans ce navigateur."),
          Map.entry("try", "Réessayer")),
      "de", Map.ofEntries(
          Map.entry("unavailable.title", "Altersprüfung nicht verfügbar"),
          Map.entry("keys-unavailable", "Die Altersprüfung kann gerade nicht bestätigt werden. Bitte versuchen Sie es gleich noch einmal."),
          Map.entry("widget-mismatch", "Die Altersprüfung kann gerade nicht angezeigt werden: Ihr Skript ist nicht die Version, der diese Seite vertraut. Bitte versuchen Sie es später noch einmal."),
          Map.entry("widget-unavailable", "Die Altersprüfung kann gerade nicht angezeigt werden: Ihr Dienst ist nicht erreichbar. Bitte versuchen Sie es gleich noch einmal."),
          Map.entry("check-unavailable", "Die Altersprüfung kann gerade nicht beginnen: Ihr Dienst ist nicht erreichbar. Bitte versuchen Sie es gleich noch einmal."),
          Map.entry("token-rejected.title", "Altersprüfung nicht angenommen"),
          Map.entry("refusal.EXPIRED", "Die Prüfung hat zu lange gedauert, ihr Ergebnis ist abgelaufen."),
          Map.entry("refusal.BINDING", "Die Prüfung wurde in einem anderen Browser oder Tab abgeschlossen, oder die Cookies dieser Seite wurden inzwischen gelöscht."),
          Map.entry("refusal.AUDIENCE", "Die Prüfung wurde für eine andere Website gemacht."),
          Map.entry("refusal.NOT_YET_VALID", "Die Uhr dieses Geräts und die der Prüfung stimmen nicht überein."),
          Map.entry("refusal.METHOD", "Diese Website akzeptiert die verwendete Art von Altersnachweis nicht."),
          Map.entry("refusal.default", "Das Ergebnis der Prüfung konnte nicht bestätigt werden."),
          Map.entry("again", "Bitte starten Sie die Altersprüfung in diesem Browser erneut."),
          Map.entry("try", "Erneut versuchen")),
      "es", Map.ofEntries(
          Map.entry("unavailable.title", "Verificación de edad no disponible"),
          Map.entry("keys-unavailable", "La verificación de edad no se puede confirmar ahora. Vuelva a intentarlo en un momento."),
          Map.entry("widget-mismatch", "La verificación de edad no se puede mostrar ahora: su script no es la versión en la que confía este sitio. Vuelva a intentarlo más tarde."),
          Map.entry("widget-unavailable", "La verificación de edad no se puede mostrar ahora: no se puede contactar con su servicio. Vuelva a intentarlo en un momento."),
          Map.entry("check-unavailable", "La verificación de edad no puede empezar ahora: no se puede contactar con su servicio. Vuelva a intentarlo en un momento."),
          Map.entry("token-rejected.title", "Verificación de edad no aceptada"),
          Map.entry("refusal.EXPIRED", "La verificación tardó demasiado y su resultado ha caducado."),
          Map.entry("refusal.BINDING", "La verificación se terminó en otro navegador o pestaña, o las cookies de este sitio se borraron mientras tanto."),
          Map.entry("refusal.AUDIENCE", "La verificación se hizo para otro sitio web."),
          Map.entry("refusal.NOT_YET_VALID", "El reloj de este dispositivo y el de la verificación no coinciden."),
          Map.entry("refusal.METHOD", "Este sitio no acepta el tipo de prueba de edad que se usó."),
          Map.entry("refusal.default", "No se pudo confirmar el resultado de la verificación."),
          Map.entry("again", "Vuelva a empezar la verificación de edad en este navegador."),
          Map.entry("try", "Intentar de nuevo")));

  private Lang() {
  }

  /** @return the problem-page text {@code key} in {@code lang}, or {@code english} (English, or no translation) */
  static String problem(String lang, String key, String english) {
    Map<String, String> m = PROBLEMS.get(lang);
    return m == null ? english : m.getOrDefault(key, english);
  }

  /** @return the best supported language for {@code acceptLanguage} (may be null), else {@code en} */
  static String pick(String acceptLanguage) {
    if (acceptLanguage == null || acceptLanguage.length() > 1024) {
      return "en";
    }
    String best = "en";
    double bestQ = 0;
    for (String item : acceptLanguage.split(",")) {
      String[] parts = item.split(";");
      String tag = parts[0].strip().toLowerCase(Locale.ROOT);
      double q = 1;
      for (int i = 1; i < parts.length; i++) {
        String p = parts[i].strip();
        if (p.startsWith("q=") || p.startsWith("Q=")) {
          try {
            q = Double.parseDouble(p.substring(2));
          } catch (NumberFormatException e) {
            q = 0; // a malformed weight counts as "not acceptable"
          }
        }
      }
      String primary = tag.split("-", 2)[0];
      if (q > bestQ && q <= 1 && SUPPORTED.contains(primary)) {
        best = primary;
        bestQ = q;
      }
    }
    return best;
  }

  static Words words(String lang) {
    return WORDS.getOrDefault(lang, WORDS.get("en"));
  }
}
