package dev.agegate.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

/** The steps the browser tests share: a shop browser at a gate, and a person's web wallet. */
final class Journey {
  private Journey() {}

  /** Born `years` years and 10 days before today in the shop's zone (clear of birthdays). */
  static String bornYearsAgo(int years) {
    return LocalDate.now(ZoneId.of("Europe/Berlin")).minusYears(years).minusDays(10).toString();
  }

  static WebElement gate(org.openqa.selenium.WebDriver d) {
    return d.findElement(By.tagName("age-gate"));
  }

  /** Opens a gated page, waits for the widget's QR code and reads it from a screenshot. */
  static String openGate(DemoStack stack, ChromeDriver shop, String path) throws IOException {
    shop.get(stack.siteUrl() + path);
    try {
      Browsers.await(shop, 30).until(d -> "pending".equals(gate(d).getAttribute("state")));
    } catch (org.openqa.selenium.TimeoutException e) {
      Browsers.screenshot(shop, "failed-gate");
      throw new AssertionError("the gate at " + path + " did not show a QR code: state="
          + shop.executeScript("const g = document.querySelector('age-gate'); return g && g.shadowRoot && (g.getAttribute('state') + ' / ' + g.shadowRoot.querySelector('[role=status]').textContent)")
          + "\n" + Browsers.diagnostics(shop) + "\n" + shop.getPageSource(), e);
    }
    shop.executeScript("document.querySelector('age-gate').shadowRoot.querySelector('.qr').scrollIntoView({block: 'center'})");
    return Browsers.readQr(shop);
  }

  /** The confirmation code the gate shows next to its QR code (4 characters, or null). */
  static String gateCode(org.openqa.selenium.WebDriver shop) {
    String text = gate(shop).getShadowRoot().findElement(By.cssSelector("[data-part=code]")).getText();
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("([0-9A-Z]{4})$").matcher(text.strip());
    return m.find() ? m.group(1) : null;
  }

  static void figure(String line) throws IOException {
    Files.createDirectories(Path.of("target"));
    Files.writeString(Path.of("target", "e2e-figures.txt"), line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    System.out.println("e2e figure: " + line);
  }

  /** One person's web wallet in its own browser, with a demo credential for a birth date. */
  static final class Wallet implements AutoCloseable {
    final ChromeDriver d;

    Wallet(DemoStack stack, String birthDate) throws IOException {
      d = Browsers.open(412, 915);
      d.get(stack.walletUrl());
      Browsers.await(d, 60).until(x -> "true".equals(((JavascriptExecutor) x).executeScript("return document.body.dataset.ready")));
      d.executeScript("document.getElementById('birth').value = arguments[0]", birthDate);
      d.findElement(By.cssSelector("#issue-form button[type=submit]")).click();
      Browsers.await(d, 30).until(x -> !"issuing".equals(key()));
      assertThat(key()).as(text("status")).isEqualTo("issued");
    }

    String key() {
      return (String) d.executeScript("return document.getElementById('status').dataset.key");
    }

    String text(String id) {
      return d.findElement(By.id(id)).getText();
    }

    /** Pastes a link, as a person who got it from the site would, and waits for the request. */
    void open(String link) {
      WebElement input = d.findElement(By.id("link"));
      input.clear();
      input.sendKeys(link);
      d.findElement(By.cssSelector("#link-form button[type=submit]")).click();
      Browsers.await(d, 30).until(x -> !"loadingRequest".equals(key()));
      assertThat(key()).as(text("status")).isEqualTo("review");
      assertThat(d.findElement(By.id("request")).isDisplayed()).isTrue();
    }

    /** Declines with the keyboard only (Tab from the question to the buttons, Enter), and waits until the wallet told the gateway. */
    void declineWithTheKeyboard() {
      assertThat(focused()).as("focus on the question").isEqualTo("request-text");
      d.switchTo().activeElement().sendKeys(org.openqa.selenium.Keys.TAB);
      assertThat(focused()).as("Tab from the question").isEqualTo("consent");
      d.switchTo().activeElement().sendKeys(org.openqa.selenium.Keys.TAB);
      assertThat(focused()).isEqualTo("decline");
      d.switchTo().activeElement().sendKeys(org.openqa.selenium.Keys.ENTER);
      Browsers.await(d, 30).until(x -> "true".equals(((JavascriptExecutor) x).executeScript("return document.body.dataset.refused")));
      d.executeScript("delete document.body.dataset.refused");
    }

    /** The id of the focused element ("" for none or body). */
    String focused() {
      return (String) d.executeScript("const a = document.activeElement; return a && a !== document.body ? a.id : ''");
    }

    /** Agrees, waits for the outcome and returns its status key. */
    String consent() {
      d.findElement(By.id("consent")).click();
      List<String> working = List.of("review", "preparing", "provingNow", "sending");
      Browsers.await(d, 180).until(x -> !working.contains(key()));
      return key();
    }

    @Override
    public void close() {
      d.quit();
    }
  }
}
