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

  private Lang() {
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
