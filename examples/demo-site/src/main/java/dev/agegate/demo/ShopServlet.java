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
 * and Spanish, from the browser's {@code Accept-Language}, the gate page included: the filter
 * redirects to {@link #GATE_PATH}, which renders the {@code <age-gate>} element in the visitor's
 * language (the widget takes its language from the page's {@code lang}).
 */
final class ShopServlet extends HttpServlet {
  /** The shop's own gate page, where the filter sends browsers (redirect mode). */
  static final String GATE_PATH = "/age-check";

  private static final Map<String, Map<String, String>> WORDS = Map.of(
      "en", Map.ofEntries(entries("shop", "Demo shop", "home", "Home", "intro",
          "A small shop that asks for proof of age, and learns nothing else about you.",
          "adult", "Films (18+)", "spirits", "Spirits (21+)",
          "adultTitle", "Films for adults", "spiritsTitle", "Spirits cellar",
          "unlocked", "Unlocked: your wallet proved you are at least {age}. This shop did not learn your birth date or your name.",
          "adultBody", "Welcome. Browse the catalogue of films rated 18.",
          "spiritsBody", "Welcome. Whisky, rum and gin, for people aged 21 or older.",
          "gateTitle", "Age check", "gateLead", "This part of the shop is for people aged {age} or older. Prove it with your age wallet: the shop learns only that you are old enough.", "noscript", "The age check needs JavaScript: it shows a QR code to scan with your wallet.")),
      "fr", Map.ofEntries(entries("shop", "Boutique de démonstration", "home", "Accueil", "intro",
          "Une petite boutique qui demande une preuve d’âge, et rien d’autre sur vous.",
          "adult", "Films (18+)", "spirits", "Spiritueux (21+)",
          "adultTitle", "Films pour adultes", "spiritsTitle", "Cave à spiritueux",
          "unlocked", "Déverrouillé : votre portefeuille a prouvé que vous avez au moins {age} ans. La boutique ne connaît ni votre date de naissance ni votre nom.",
          "adultBody", "Bienvenue. Parcourez le catalogue des films interdits aux moins de 18 ans.",
          "spiritsBody", "Bienvenue. Whisky, rhum et gin, pour les personnes de 21 ans ou plus.",
          "gateTitle", "Vérification de l’âge", "gateLead", "Cette partie de la boutique est réservée aux personnes de {age} ans ou plus. Prouvez-le avec votre portefeuille : la boutique apprend seulement que vous avez l’âge requis.", "noscript", "La vérification de l’âge nécessite JavaScript : elle affiche un code QR à scanner avec votre portefeuille.")),
      "de", Map.ofEntries(entries("shop", "Demo-Laden", "home", "Startseite", "intro",
          "Ein kleiner Laden, der einen Altersnachweis verlangt und sonst nichts über Sie erfährt.",
          "adult", "Filme (18+)", "spirits", "Spirituosen (21+)",
          "adultTitle", "Filme für Erwachsene", "spiritsTitle", "Spirituosenkeller",
          "unlocked", "Freigeschaltet: Ihre Wallet hat bewiesen, dass Sie mindestens {age} sind. Der Laden kennt weder Ihr Geburtsdatum noch Ihren Namen.",
          "adultBody", "Willkommen. Stöbern Sie im Katalog der Filme ab 18.",
          "spiritsBody", "Willkommen. Whisky, Rum und Gin, für Personen ab 21.",
          "gateTitle", "Altersprüfung", "gateLead", "Dieser Teil des Ladens ist für Personen ab {age} Jahren. Weisen Sie es mit Ihrer Wallet nach: Der Laden erfährt nur, dass Sie alt genug sind.", "noscript", "Die Altersprüfung braucht JavaScript: Sie zeigt einen QR-Code, den Sie mit Ihrer Wallet scannen.")),
      "es", Map.ofEntries(entries("shop", "Tienda de demostración", "home", "Inicio", "intro",
          "Una pequeña tienda que pide prueba de edad y no sabe nada más de usted.",
          "adult", "Películas (18+)", "spirits", "Licores (21+)",
          "adultTitle", "Películas para adultos", "spiritsTitle", "Bodega de licores",
          "unlocked", "Desbloqueado: su monedero demostró que tiene al menos {age} años. La tienda no conoce su fecha de nacimiento ni su nombre.",
          "adultBody", "Bienvenido. Explore el catálogo de películas para mayores de 18.",
          "spiritsBody", "Bienvenido. Whisky, ron y ginebra, para personas de 21 años o más.",
          "gateTitle", "Verificación de edad", "gateLead", "Esta parte de la tienda es para personas de {age} años o más. Demuéstrelo con su monedero: la tienda solo sabe que tiene la edad suficiente.", "noscript", "La verificación de edad necesita JavaScript: muestra un código QR para escanear con su monedero.")));

  private final String gatewayUrl;
  private final String widgetIntegrity;

  /**
   * @param gatewayUrl the gateway's public URL, for the widget
   * @param widgetIntegrity the widget's SRI value
   */
  ShopServlet(String gatewayUrl, String widgetIntegrity) {
    this.gatewayUrl = gatewayUrl;
    this.widgetIntegrity = widgetIntegrity;
  }

  private static Map.Entry<String, String>[] entries(String... kv) {
    @SuppressWarnings("unchecked")
    Map.Entry<String, String>[] out = new Map.Entry[kv.length / 2];
    for (int i = 0; i < out.length; i++) {
      out[i] = Map.entry(kv[2 * i], kv[2 * i + 1]);
    }
    return out;
  }

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
    String head = "";
    if (path.equals(GATE_PATH)) {
      // the filter's redirect mode (gate=redirect): 303 here with return, min-age and binding
      String ret = req.getParameter("return");
      String age = req.getParameter("min-age");
      String binding = req.getParameter("binding");
      if (ret == null || !ret.startsWith("/") || ret.startsWith("//") || age == null || !age.matches("[1-9][0-9]{0,2}")
          || binding == null || !binding.matches("[A-Za-z0-9_-]{1,64}")) {
        res.sendError(HttpServletResponse.SC_BAD_REQUEST);
        return;
      }
      title = w.get("gateTitle");
      head = "<meta name=\"robots\" content=\"noindex\">\n<script src=\"" + html(gatewayUrl) + "/widget/v1/age-gate.js\" integrity=\""
          + html(widgetIntegrity) + "\" crossorigin=\"anonymous\" defer></script>\n";
      body = "<p>" + w.get("gateLead").replace("{age}", age) + "</p>\n"
          + "<age-gate gateway=\"" + html(gatewayUrl) + "\" site=\"demo-shop\" min-age=\"" + age + "\" callback=\"/agegate/callback\" return=\""
          + html(ret) + "\" binding=\"" + binding + "\"></age-gate>\n<noscript><p>" + w.get("noscript") + "</p></noscript>\n";
    } else if (path.equals("/")) {
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
        + "<title>" + title + " · " + w.get("shop") + "</title>\n<link rel=\"icon\" href=\"data:,\">\n<link rel=\"stylesheet\" href=\"/site.css\">\n" + head + "</head>\n<body>\n"
        + "<header><nav aria-label=\"" + w.get("shop") + "\"><a href=\"/\">" + w.get("home") + "</a> <a href=\"/adult/\">"
        + w.get("adult") + "</a> <a href=\"/spirits/\">" + w.get("spirits") + "</a></nav></header>\n"
        + "<main>\n<h1>" + title + "</h1>\n" + body + "</main>\n</body>\n</html>\n");
  }

  private static String unlocked(HttpServletRequest req, Map<String, String> w) {
    AgeToken token = (AgeToken) req.getAttribute(AgeGateFilter.TOKEN_ATTRIBUTE);
    return "<p class=\"unlocked\" id=\"unlocked\">" + w.get("unlocked").replace("{age}", String.valueOf(token.ageOver())) + "</p>\n";
  }

  static String html(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;").replace("'", "&#39;");
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
