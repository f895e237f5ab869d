package dev.sluice.server.ui;

import static dev.sluice.connector.testkit.ProjectFiles.write;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.sluice.core.Workspace;
import dev.sluice.core.run.RunListener;
import dev.sluice.core.run.RunOptions;
import dev.sluice.core.run.Runner;
import dev.sluice.server.ServerOptions;
import dev.sluice.server.SluiceServer;
import dev.sluice.server.auth.Credentials;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web UI (issue 14 item 4) in a real headless Chromium (Debian's chromium and chromedriver,
 * installed by .ci/run) driven by Selenium, against a real server serving a real project (DuckDB,
 * Iceberg, SQLite state) with policies: one browser and one server for the whole class, the tests
 * in order (signed in as the administrator, then as the analyst).
 *
 * <p>The source {@code shop_api.orders} reads a local HTTP server that can hold its answer, so that
 * the run launched from the UI is still running when its page opens, and its timeline must be seen
 * to grow live. With {@code SLUICE_UI_SCREENSHOTS=DIR} the main pages are saved as PNGs there (how
 * docs/images was made).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebUiBrowserTest {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final String ADMIN_PASSWORD = "the boss's long password";
  private static final String ANALYST_PASSWORD = "correct horse battery staple";
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir static Path project;
  @TempDir static Path browserProfile;
  private Workspace workspace;
  private SluiceServer server;
  private HttpServer api;
  private final AtomicBoolean holdApi = new AtomicBoolean(false);
  private final CountDownLatch releaseApi = new CountDownLatch(1);
  private WebDriver browser;
  private WebDriverWait waiting;
  private int assetCount;

  @BeforeAll
  void start() throws Exception {
    boolean required = "1".equals(System.getenv("SLUICE_REQUIRE_BROWSER"));
    if (!required) {
      Assumptions.assumeTrue(
          Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
          "Debian's chromium and chromium-driver are not installed (.ci/run installs them)");
    }
    api = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    api.createContext(
        "/v1/orders",
        exchange -> {
          try {
            if (holdApi.get() && !releaseApi.await(2, TimeUnit.MINUTES)) {
              throw new IOException("the test never released the API");
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          byte[] body =
              "{\"data\": [{\"id\": 1, \"customer_id\": 1, \"amount\": 12.5}, {\"id\": 2, \"customer_id\": 2, \"amount\": 7}]}"
                  .getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    api.start();
    write(
        project,
        "sluice.yaml",
        "name: shop\nalerts:\n  channels:\n    ops: {type: webhook, url: http://127.0.0.1:9/hook}\n"
            + "  rules:\n    - {name: stale, on: freshness, max_age: 6h, select: [customers],"
            + " channels: [ops]}\n");
    write(
        project,
        "seeds/people.csv",
        "id,name,email,country\n1,Alice Secret,alice.secret@hidden-mail.com,DE\n"
            + "2,Bob Hidden,bob.hidden@private.org,FR\n");
    write(
        project,
        "sources/shop_api.yaml",
        "connector: http\noptions:\n  url: http://127.0.0.1:"
            + api.getAddress().getPort()
            + "/v1/orders\n  records_path: data\ntables:\n  - name: orders\n");
    write(
        project,
        "models/published/customers.sql",
        "select id, name, email, country from {{ ref('people') }}\n");
    write(
        project,
        "models/published/customers.yaml",
        "models:\n  - name: customers\n    description: Every customer of the shop, one row"
            + " each\n    owner: sales-data\n    tier: gold\n    tags: [sales]\n    columns:\n"
            + "      - name: email\n        description: The customer's e-mail address\n"
            + "        classification: [pii.email]\n        checks: [not_null]\n");
    write(
        project,
        "models/published/order_totals.sql",
        "select c.country, sum(o.amount) as revenue from {{ source('shop_api', 'orders') }} o"
            + " join {{ ref('customers') }} c on c.id = o.customer_id group by c.country\n");
    write(project, "models/curated/internal.sql", "select id from {{ ref('people') }}\n");
    write(
        project,
        "policies.yaml",
        "users:\n"
            + "  - {name: analyst, roles: [analyst]}\n"
            + "  - {name: boss, roles: [admin]}\n"
            + "roles:\n  - {name: analyst}\n  - {name: admin}\n"
            + "grants:\n"
            + "  - {role: analyst, privileges: [read], on: [published.customers]}\n"
            + "  - {role: admin, privileges: [admin], on: [raw.*, curated.*, published.*]}\n"
            + "masks:\n"
            + "  - {column: published.customers.email, mask: email_domain, exempt: [admin]}\n");
    workspace = Workspace.open(project);
    assertThat(new Runner(workspace).run(RunOptions.all(), RunListener.NONE).succeeded()).isTrue();
    assetCount = workspace.project().graph().assets().size();
    Instant now = Instant.now();
    workspace
        .runStore()
        .passwords()
        .set("analyst", Credentials.hashPassword(ANALYST_PASSWORD.toCharArray()), now);
    workspace
        .runStore()
        .passwords()
        .set("boss", Credentials.hashPassword(ADMIN_PASSWORD.toCharArray()), now);
    server =
        SluiceServer.start(ServerOptions.plain("127.0.0.1", 0), () -> workspace, Clock.systemUTC());

    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1366,900",
        "--user-data-dir=" + browserProfile);
    // the driver is named, so Selenium Manager never looks for one on the network
    System.setProperty(ChromeDriverService.CHROME_DRIVER_EXE_PROPERTY, CHROMEDRIVER.toString());
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(new File(CHROMEDRIVER.toString()))
            .usingAnyFreePort()
            .build();
    browser = new ChromeDriver(service, options);
    waiting = new WebDriverWait(browser, WAIT);
  }

  @AfterAll
  void stop() {
    releaseApi.countDown();
    if (browser != null) {
      browser.quit();
    }
    if (server != null) {
      server.close();
    }
    if (workspace != null) {
      workspace.close();
    }
    if (api != null) {
      api.stop(0);
    }
  }

  private void open(String path) {
    browser.get(server.url() + path);
  }

  private void signIn(String user, String password) {
    open("/ui");
    waiting.until(ExpectedConditions.urlContains("/login"));
    browser.findElement(By.id("user")).sendKeys(user);
    browser.findElement(By.id("password")).sendKeys(password);
    browser.findElement(By.id("sign-in")).click();
    waiting.until(ExpectedConditions.textToBe(By.id("principal"), user));
  }

  private void screenshot(String name) throws IOException {
    String directory = System.getenv("SLUICE_UI_SCREENSHOTS");
    if (directory != null) {
      Files.createDirectories(Path.of(directory));
      Files.write(
          Path.of(directory, name + ".png"),
          ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }
  }

  @Test
  @Order(1)
  void aWrongPasswordIsRefusedAndTheRightOneShowsTheGraphWithEveryAsset() throws IOException {
    open("/ui");
    waiting.until(ExpectedConditions.urlContains("/login"));
    screenshot("login");
    browser.findElement(By.id("user")).sendKeys("boss");
    browser.findElement(By.id("password")).sendKeys("not the password at all");
    browser.findElement(By.id("sign-in")).click();
    assertThat(
            waiting
                .until(ExpectedConditions.visibilityOfElementLocated(By.id("login-error")))
                .getText())
        .contains("Wrong user name or password");

    signIn("boss", ADMIN_PASSWORD);
    waiting.until(
        ExpectedConditions.attributeToBe(
            By.id("graph"), "data-nodes", Integer.toString(assetCount)));
    Object drawn =
        ((JavascriptExecutor) browser).executeScript("return window.sluiceGraph.nodes().length");
    assertThat(((Number) drawn).intValue()).isEqualTo(assetCount).isEqualTo(5);
    Object edges =
        ((JavascriptExecutor) browser).executeScript("return window.sluiceGraph.edges().length");
    assertThat(((Number) edges).intValue()).isEqualTo(4);
    screenshot("graph");

    // the selection syntax filters the graph: customers and what is downstream of it
    WebElement select = browser.findElement(By.id("select"));
    select.clear();
    select.sendKeys("customers+");
    select.submit();
    waiting.until(ExpectedConditions.attributeToBe(By.id("graph"), "data-nodes", "2"));
  }

  @Test
  @Order(2)
  void searchFindsAColumnByItsName() throws IOException {
    open("/ui/search?q=email");
    List<WebElement> hits =
        waiting.until(
            ExpectedConditions.presenceOfAllElementsLocatedBy(By.cssSelector("#hits .hit")));
    assertThat(hits.get(0).findElement(By.className("asset-link")).getText())
        .isEqualTo("customers");
    assertThat(hits.get(0).findElements(By.className("matched-column")))
        .extracting(WebElement::getText)
        .contains("email");
    screenshot("search");
  }

  @Test
  @Order(3)
  void aRunLaunchedFromTheUiCompletesAndItsTimelineGrowsLive() throws IOException {
    holdApi.set(true);
    open("/ui/runs");
    browser.findElement(By.id("launch-select")).sendKeys("shop_api.orders+");
    browser.findElement(By.id("launch-run")).click();
    waiting.until(ExpectedConditions.urlMatches("/ui/runs/[0-9a-z-]+$"));
    // the source holds its answer: the run is running, and the page follows it live
    waiting.until(ExpectedConditions.textToBe(By.id("run-status"), "running"));
    assertThat(browser.findElement(By.id("live")).getAttribute("data-live")).isEqualTo("true");
    int before = browser.findElements(By.cssSelector("#timeline-body tr")).size();
    screenshot("run-live");

    releaseApi.countDown();
    waiting.until(ExpectedConditions.textToBe(By.id("run-status"), "succeeded"));
    waiting.until(
        ExpectedConditions.numberOfElementsToBeMoreThan(
            By.cssSelector("#timeline-body tr"), before));
    waiting.until(ExpectedConditions.attributeToBe(By.id("live"), "data-live", "false"));
    assertThat(browser.findElement(By.id("timeline-body")).getText())
        .contains("shop_api.orders")
        .contains("order_totals");
    assertThat(browser.findElement(By.id("steps-body")).getText())
        .contains("order_totals")
        .doesNotContain("running");
    // each step's time by phase, as the run store recorded it, largest first
    assertThat(browser.findElements(By.cssSelector("#steps-body td.phases")))
        .isNotEmpty()
        .allSatisfy(
            phases -> assertThat(phases.getText()).contains("engine ").contains("run store "));
    screenshot("run");

    open("/ui/runs");
    assertThat(browser.findElement(By.id("runs")).getText()).contains("ui run by boss");
    screenshot("runs");

    // the dashboards draw their three charts from the runs so far
    open("/ui/dashboards");
    waiting.until(ExpectedConditions.attributeToBe(By.tagName("body"), "data-charts", "3"));
    // customers has a freshness SLO (6 h, an alert rule), met: it was built minutes ago
    assertThat(browser.findElement(By.id("freshness")).getText())
        .contains("customers")
        .contains("6 h 0 min")
        .contains("fresh")
        .contains("order_totals");
    screenshot("dashboards");
  }

  @Test
  @Order(4)
  void anAnalystSeesMaskedEmailsInTheDataPreview() throws IOException {
    browser.findElement(By.id("logout")).click();
    waiting.until(ExpectedConditions.urlContains("/login"));
    signIn("analyst", ANALYST_PASSWORD);
    // the analyst reads one table: the graph shows one asset
    waiting.until(ExpectedConditions.attributeToBe(By.id("graph"), "data-nodes", "1"));
    open("/ui/assets/customers");
    String preview =
        waiting.until(ExpectedConditions.presenceOfElementLocated(By.id("preview"))).getText();
    assertThat(preview).contains("hidden-mail.com").doesNotContain("alice.secret");
    assertThat(browser.findElement(By.id("schema")).getText()).contains("pii.email");
    screenshot("asset");
  }

  @Test
  @Order(5)
  void aPageTheAnalystMayNotSeeIsRefused() throws IOException {
    open("/ui/audit");
    WebElement problem =
        waiting.until(ExpectedConditions.presenceOfElementLocated(By.className("problem")));
    assertThat(problem.getAttribute("data-status")).isEqualTo("403");
    assertThat(problem.getText()).contains("Only administrators");
    open("/ui/assets/internal");
    assertThat(
            waiting
                .until(ExpectedConditions.presenceOfElementLocated(By.className("problem")))
                .getAttribute("data-status"))
        .isEqualTo("404");
    screenshot("refused");
  }

  @Test
  @Order(6)
  void anAnalystAsksForAccessAndTheAdministratorApprovesIt() throws IOException {
    open("/ui/access");
    waiting
        .until(ExpectedConditions.presenceOfElementLocated(By.id("access-table")))
        .sendKeys("curated.internal");
    browser.findElement(By.id("access-reason")).sendKeys("reconcile the ids");
    browser.findElement(By.id("access-ask")).click();
    WebElement request =
        waiting.until(
            ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("#access-requests tbody tr")));
    assertThat(request.getText())
        .contains("analyst")
        .contains("curated.internal")
        .contains("pending");
    // the one who asked cannot decide
    assertThat(request.findElements(By.className("approve"))).isEmpty();

    // a request for a table that does not exist is refused, saying which
    browser.findElement(By.id("access-table")).sendKeys("curated.nothing");
    browser.findElement(By.id("access-reason")).sendKeys("just curious");
    browser.findElement(By.id("access-ask")).click();
    WebElement refused =
        waiting.until(
            ExpectedConditions.presenceOfElementLocated(By.cssSelector("#access-result .problem")));
    assertThat(refused.getAttribute("data-status")).isEqualTo("400");
    assertThat(refused.getText()).contains("curated.nothing");

    browser.findElement(By.id("logout")).click();
    waiting.until(ExpectedConditions.urlContains("/login"));
    signIn("boss", ADMIN_PASSWORD);
    open("/ui/access");
    browser.findElement(By.cssSelector("#access-requests .approve")).click();
    // the page reloads after the decision: Chromium may report the old row as detached meanwhile
    new WebDriverWait(browser, WAIT)
        .ignoring(org.openqa.selenium.WebDriverException.class)
        .until(
            ExpectedConditions.textToBePresentInElementLocated(
                By.cssSelector("#access-requests tbody tr"), "approved by boss"));
    screenshot("access");
  }
}
