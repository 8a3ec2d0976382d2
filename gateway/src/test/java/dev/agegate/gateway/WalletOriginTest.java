package dev.agegate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agegate.gateway.checks.Links;
import dev.agegate.gateway.config.Settings;
import dev.agegate.testsupport.MutableClock;
import io.helidon.http.HeaderNames;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A web wallet on its own origin ({@code agegate.wallet-url}, docs/security.md "The web wallet's
 * origin"): the widget links there, and that one origin — no other — may read the endpoints a
 * wallet calls. Without the setting and without the wallet module, no web-wallet link at all.
 */
@ServerTest
class WalletOriginTest {
  static final String WALLET = "https://wallet.test:8443";
  static Gateway gateway;

  private final Http1Client client;
  private final Api api;

  WalletOriginTest(Http1Client client) {
    this.client = client;
    this.api = new Api(client);
  }

  @SetUpRoute
  static void routing(HttpRouting.Builder routing) {
    gateway = TestGateways.create(MutableClock.ticking(), v -> v, "  wallet-url: " + WALLET + "/w/\n");
    Main.routing(routing, gateway);
  }

  @AfterAll
  static void close() {
    gateway.close();
  }

  private Api.Resp getFrom(String path, String origin) {
    return Api.read(client.get(path).header(HeaderNames.ORIGIN, origin).request());
  }

  @Test
  void configuredWalletUrl_linkedByTheWidget_andOnlyItsOriginGetsCors() throws Exception {
    Api.Started s = api.start("shop", 18, TestGateways.SHOP_ORIGIN);
    assertThat(s.created().getString("web_wallet_link")).startsWith(WALLET + "/w/?client_id=");
    String path = "/v1/requests/" + s.requestId();
    Api.Resp fromWallet = getFrom(path, WALLET);
    assertThat(fromWallet.status()).isEqualTo(200);
    assertThat(fromWallet.headers().first(HeaderNames.create("Access-Control-Allow-Origin"))).contains(WALLET);
    Api.Resp fromOther = getFrom(path, TestGateways.OTHER_ORIGIN);
    assertThat(fromOther.headers().first(HeaderNames.create("Access-Control-Allow-Origin"))).isEmpty();
    for (String open : new String[] {"/.well-known/jwks.json", "/v1/trust-list"}) { // public to every origin anyway
      assertThat(getFrom(open, WALLET).headers().first(HeaderNames.create("Access-Control-Allow-Origin"))).as(open).contains("*");
    }
    // the widget's endpoints stay the sites' own
    Api.Resp poll = getFrom("/v1/checks/" + s.tx(), WALLET);
    assertThat(poll.headers().first(HeaderNames.create("Access-Control-Allow-Origin"))).isEmpty();
    Api.Resp preflight = Api.read(client.method(io.helidon.http.Method.OPTIONS).path("/demo/issuer/credentials")
        .header(HeaderNames.ORIGIN, WALLET).request());
    assertThat(preflight.status()).isEqualTo(204);
  }

  @Test
  void walletUrl_unset_gatewaysOwnOnlyWhenServed_badValuesRefused() {
    assertThat(Links.walletUrlFor("https://age.example", null, true)).isEqualTo("https://age.example/wallet/");
    assertThat(Links.walletUrlFor("https://age.example", null, false)).isNull();
    assertThat(new Links("https://age.example", null).webWalletLink("AAAAAAAAAAAAAAAAAAAAAA")).isNull();
    assertThat(new Links("https://age.example", "https://w.example/app/").walletOrigin()).isEqualTo("https://w.example");
    for (String bad : new String[] {"ftp://w.example/", "https://w.example/app", "https://w.example/?x=1", "wallet/"}) {
      assertThatThrownBy(() -> Settings.from(TestGateways.config(TestGateways.yaml(TestGateways.freshDataDir(),
          "  wallet-url: \"" + bad + "\"\n"))))
          .as(bad).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("agegate.wallet-url");
    }
  }
}
