package dev.agegate.demo;

import dev.agegate.filter.AgeGateFilter;
import dev.agegate.filter.token.AgeToken;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.Map;

/**
 * The shop's pages. It never checks ages itself: the filter in front of it lets a request
 * for {@code /adult/} or {@code /spirits/} through only with a valid age token, and puts the
 * verified token in {@link AgeGateFilter#TOKEN_ATTRIBUTE}. Words in English, French, German
 * and Spanish, from the browser's {@code Accept-Language}.
 */
final class ShopServlet extends HttpServlet {
  private static final Map<String, Map<String, String>> WORDS = Map.of(
      "en", Map.of("shop", "Demo shop", "home", "Home", "intro",
          "A small shop that asks for proof of age, and learns nothing else about you.",
          "adult", "Films (18+)", "spirits", "Spirits (21+)",
          "adultTitle", "Films for adults", "spiritsTitle", "Spirits cellar",
          "unlocked", "Unlocked: your wallet proved you are at least {age}. This shop did not learn your birth date or your name.",
          "adultBody", "Welcome. Browse the catalogue of films rated 18.",
          "spiritsBody", "Welcome. Whisky, rum and gin, for people aged 21 or older."),
      "fr", Map.of("shop", "Boutique de démonstration", "home", "Accueil", "intro",
          "Une petite boutique qui demande une preuve d’âge, et rien d’autre sur vous.",
          "adult", "Films (18+)", "spirits", "Spiritueux (21+)",
          "adultTitle", "Films pour adultes", "spiritsTitle", "Cave à spiritueux",
          "unlocked", "Déverrouillé : votre portefeuille a prouvé que vous avez au moins {age} ans. La boutique ne connaît ni votre date de naissance ni votre nom.",
          "adultBody", "Bienvenue. Parcourez le catalogue des films interdits aux moins de 18 ans.",
          "spiritsBody", "Bienvenue. Whisky, rhum et gin, pour les personnes de 21 ans ou plus."),
      "de", Map.of("shop", "Demo-Laden", "home", "Startseite", "intro",
          "Ein kleiner Laden, der einen Altersnachweis verlangt und sonst nichts über Sie erfährt.",
          "adult", "Filme (18+)", "spirits", "Spirituosen (21+)",
          "adultTitle", "Filme für Erwachsene", "spiritsTitle", "Spirituosenkeller",
          "unlocked", "Freigeschaltet: Ihre Wallet hat bewiesen, dass Sie mindestens {age} sind. Der Laden kennt weder Ihr Geburtsdatum noch Ihren Namen.",
          "adultBody", "Willkommen. Stöbern Sie im Katalog der Filme ab 18.",
          "spiritsBody", "Willkommen. Whisky, Rum und Gin, für Personen ab 21."),
      "es", Map.of("shop", "Tienda de demostración", "home", "Inicio", "intro",
          "Una pequeña tienda que pide prueba de edad y no sabe nada más de usted.",
          "adult", "Películas (18+)", "spirits", "Licores (21+)",
          "adultTitle", "Películas para adultos", "spiritsTitle", "Bodega de licores",
          "unlocked", "Desbloqueado: su monedero demostró que tiene al menos {age} años. La tienda no conoce su fecha de nacimiento ni su nombre.",
          "adultBody", "Bienvenido. Explore el catálogo de películas para mayores de 18.",
          "spiritsBody", "Bienvenido. Whisky, ron y ginebra, para personas de 21 años o más."));

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse res) throws IOException {
    String path = req.getRequestURI();
    if (path.equals("/site.css")) {
      res.setContentType("text/css");
      try (InputStream in = ShopServlet.class.getResourceAsStream("site.css")) {
        in.transferTo(res.getOutputStream());
      }
      return;
    }
    String lang = language(req);
    Map<String, String> w = WORDS.get(lang);
    String title;
    String body;
    if (path.equals("/")) {
      title = w.get("shop");
      body = "<p>" + w.get("intro") + "</p>\n<ul class=\"tiles\">\n"
          + "<li><a href=\"/adult/\">" + w.get("adult") + "</a></li>\n"
          + "<li><a href=\"/spirits/\">" + w.get("spirits") + "</a></li>\n</ul>\n";
    } else if (path.startsWith("/adult/")) {
      title = w.get("adultTitle");
      body = unlocked(req, w) + "<p>" + w.get("adultBody") + "</p>\n";
    } else if (path.startsWith("/spirits/")) {
      title = w.get("spiritsTitle");
      body = unlocked(req, w) + "<p>" + w.get("spiritsBody") + "</p>\n";
    } else {
      res.sendError(HttpServletResponse.SC_NOT_FOUND);
      return;
    }
    res.setContentType("text/html;charset=UTF-8");
    res.setHeader("Cache-Control", "no-store");
    res.getWriter().write("<!DOCTYPE html>\n<html lang=\"" + lang + "\">\n<head>\n<meta charset=\"utf-8\">\n"
        + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        + "<title>" + title + " · " + w.get("shop") + "</title>\n<link rel=\"stylesheet\" href=\"/site.css\">\n</head>\n<body>\n"
        + "<header><nav aria-label=\"" + w.get("shop") + "\"><a href=\"/\">" + w.get("home") + "</a> <a href=\"/adult/\">"
        + w.get("adult") + "</a> <a href=\"/spirits/\">" + w.get("spirits") + "</a></nav></header>\n"
        + "<main>\n<h1>" + title + "</h1>\n" + body + "</main>\n</body>\n</html>\n");
  }

  private static String unlocked(HttpServletRequest req, Map<String, String> w) {
    AgeToken token = (AgeToken) req.getAttribute(AgeGateFilter.TOKEN_ATTRIBUTE);
    return "<p class=\"unlocked\" id=\"unlocked\">" + w.get("unlocked").replace("{age}", String.valueOf(token.ageOver())) + "</p>\n";
  }

  static String language(HttpServletRequest req) {
    for (Locale l : java.util.Collections.list(req.getLocales())) {
      String lang = l.getLanguage().toLowerCase(Locale.ROOT);
      if (WORDS.containsKey(lang)) {
        return lang;
      }
    }
    return "en";
  }

}
