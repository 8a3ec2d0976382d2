package dev.agegate.filter.container;

import dev.agegate.filter.support.TestGateway;
import java.nio.file.Path;
import java.time.Clock;
import org.apache.catalina.Context;
import org.apache.catalina.startup.Constants;
import org.apache.catalina.startup.ContextConfig;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;
import org.apache.tomcat.util.scan.StandardJarScanner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tomcat 11 embedded serving a protected page through the filter. */
class TomcatIT {

  private static TestGateway gateway;
  private Tomcat tomcat;

  @BeforeAll
  static void startGateway() {
    gateway = new TestGateway(Clock.systemUTC());
  }

  @AfterAll
  static void stopGateway() {
    gateway.close();
  }

  @AfterEach
  void stop() throws Exception {
    tomcat.stop();
    tomcat.destroy();
  }

  private Tomcat tomcat(Path base) {
    Tomcat t = new Tomcat();
    t.setBaseDir(base.resolve("tomcat").toString());
    t.setHostname("127.0.0.1");
    t.setPort(0);
    t.getConnector().setProperty("address", "127.0.0.1");
    return t;
  }

  private String start() throws Exception {
    tomcat.start();
    return "http://127.0.0.1:" + tomcat.getConnector().getLocalPort();
  }

  /** Tomcat 11 merges // and refuses an encoded slash with 400; the rest it normalises, and the filter gates them (401). */
  static final java.util.Map<String, Integer> TRICKY = java.util.Map.of("/%61dult/films", 401, "/./adult/films", 401, "//adult/films", 401, "/adult%2Ffilms", 400, "/adult;x=1/films", 401, "/shop/../adult/films", 401);

  @Test
  void doFilterWhenConfiguredFromWebXmlThenContentOnlyAfterCallback(@TempDir Path dir) throws Exception {
    tomcat = tomcat(dir);
    Path webapp = WebApp.folder(dir.resolve("webapp"), gateway.url());
    Context context = tomcat.addContext("", webapp.toString());
    ContextConfig config = new ContextConfig();
    config.setDefaultWebXml(Constants.NoDefaultWebXml);
    context.addLifecycleListener(config);
    ((StandardJarScanner) context.getJarScanner()).setScanClassPath(false);

    new BrowserFlow(start(), gateway).run(TRICKY);
  }

  @Test
  void doFilterWhenConfiguredInCodeThenContentOnlyAfterCallback(@TempDir Path dir) throws Exception {
    tomcat = tomcat(dir);
    Context context = tomcat.addContext("", dir.toString());
    Tomcat.addServlet(context, "content", new ContentServlet());
    context.addServletMapping("/", "content");
    FilterDef def = new FilterDef();
    def.setFilterName("agegate");
    def.setFilter(WebApp.filter(gateway.url()));
    context.addFilterDef(def);
    FilterMap map = new FilterMap();
    map.setFilterName("agegate");
    map.addURLPattern("/*");
    context.addFilterMap(map);

    new BrowserFlow(start(), gateway).run(TRICKY);
  }

  @Test
  void doFilterWhenServletMappedUnderPrefixAndSiteSecretThenFilterCreatedCheckOpensThePage(@TempDir Path dir) throws Exception {
    gateway.answerChecks();
    tomcat = tomcat(dir);
    Context context = tomcat.addContext("", dir.toString());
    Tomcat.addServlet(context, "content", new ContentServlet());
    context.addServletMapping("/adult/*", "content");
    context.addServletMapping("/", "content");
    FilterDef def = new FilterDef();
    def.setFilterName("agegate");
    def.setFilter(WebApp.builder(gateway.url()).siteSecret(dev.agegate.filter.support.TestGateway.SITE_SECRET).build());
    context.addFilterDef(def);
    FilterMap map = new FilterMap();
    map.setFilterName("agegate");
    map.addURLPattern("/*");
    context.addFilterMap(map);

    new BrowserFlow(start(), gateway).runWithSiteSecret();
  }

  @Test
  void doFilterWhenWebXmlAcceptsOnlyMdocThenZkTokenRefusedAndMdocTokenOpensThePage(@TempDir Path dir) throws Exception {
    tomcat = tomcat(dir);
    Path webapp = WebApp.folder(dir.resolve("webapp"), gateway.url(),
        "    <init-param>\n      <param-name>accepted-methods</param-name>\n      <param-value>mso_mdoc</param-value>\n    </init-param>\n");
    Context context = tomcat.addContext("", webapp.toString());
    ContextConfig config = new ContextConfig();
    config.setDefaultWebXml(Constants.NoDefaultWebXml);
    context.addLifecycleListener(config);
    ((StandardJarScanner) context.getJarScanner()).setScanClassPath(false);

    new BrowserFlow(start(), gateway).runWithMdocOnly();
  }
}
