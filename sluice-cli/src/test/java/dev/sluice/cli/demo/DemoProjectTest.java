package dev.sluice.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.Zone;
import dev.sluice.core.project.CheckDef;
import dev.sluice.core.project.Materialization;
import dev.sluice.core.project.ModelDef;
import dev.sluice.core.project.Project;
import dev.sluice.core.project.Severity;
import dev.sluice.core.project.SourceTableDef;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoProjectTest {
  @TempDir static Path directory;

  private static Map<String, String> firstChecksums;

  @BeforeAll
  static void createTheDemo() throws Exception {
    DemoProject.create(directory);
    firstChecksums = checksums(directory);
  }

  @Test
  void creatingItAgainWritesTheSameBytes() throws Exception {
    Files.writeString(directory.resolve("models/curated/orders.sql"), "select 1");
    Files.writeString(directory.resolve("data/customers.csv"), "changed");
    Files.writeString(directory.resolve("warehouse.keep"), "untouched");

    DemoProject.create(directory);

    Map<String, String> second = checksums(directory);
    second.remove("warehouse.keep");
    assertThat(second).isEqualTo(firstChecksums);
    assertThat(directory.resolve("warehouse.keep")).hasContent("untouched");
    try (Stream<Path> files = Files.walk(directory)) {
      assertThat(files.filter(file -> file.toString().endsWith(".tmp"))).isEmpty();
    }
  }

  @Test
  void writesTheProjectFiles() {
    assertThat(firstChecksums)
        .containsKeys(
            ".gitignore",
            "sluice.yaml",
            "sources/shop.yaml",
            "seeds/countries.csv",
            "models/curated/order_facts.sql",
            "models/published/revenue_by_country.sql",
            "data/customers.csv",
            "data/products.csv",
            "data/orders/orders_2024.csv",
            "data/orders/orders_2025.csv",
            "data/order_lines/order_lines_2024.csv",
            "data/order_lines/order_lines_2025.csv",
            "data/payments/payments_2024.csv",
            "data/payments/payments_2025.csv");
    assertThat(DemoProject.sampleQuery()).contains("published.revenue_by_country");
  }

  @Test
  void isAValidProjectWithEveryKindOfCheck() {
    Project project = Project.load(directory);

    assertThat(project.config().name()).isEqualTo("shop");
    assertThat(project.config().vars()).containsEntry("currency", "EUR");
    assertThat(project.sources().get("shop").tables())
        .extracting(SourceTableDef::name)
        .containsExactly("customers", "products", "orders", "order_lines", "payments");
    assertThat(project.seeds()).containsOnlyKeys("countries");
    assertThat(project.models())
        .containsOnlyKeys(
            "customers",
            "products",
            "orders",
            "order_lines",
            "order_facts",
            "daily_revenue",
            "customer_lifetime_value",
            "product_performance",
            "revenue_by_country");
    assertThat(project.models().get("products").materialization()).isEqualTo(Materialization.VIEW);
    assertThat(project.models().get("order_facts").materialization())
        .isEqualTo(Materialization.INCREMENTAL);
    assertThat(project.models().get("order_facts").uniqueKey()).containsExactly("order_id");
    assertThat(project.models().get("daily_revenue").zone()).isEqualTo(Zone.PUBLISHED);
    // two unit tests, one of them on the incremental order_facts with rows for 'this'
    assertThat(project.unitTests())
        .containsOnlyKeys(
            "daily_revenue_leaves_out_returned_orders", "order_facts_merges_new_orders");
    assertThat(project.unitTests().get("order_facts_merges_new_orders").givenThis()).isPresent();

    List<CheckDef> checks = new ArrayList<>();
    for (ModelDef model : project.models().values()) {
      checks.addAll(model.checks());
      model.columns().forEach(column -> checks.addAll(column.checks()));
    }
    assertThat(checks).extracting(CheckDef::type).containsAll(CheckDef.TYPES);
    assertThat(checks).extracting(CheckDef::severity).contains(Severity.WARN);
  }

  @Test
  void hasOverAMillionOrderLinesOfKnownOrdersAndProducts() throws IOException {
    Set<String> orders = keys("data/orders/orders_2024.csv", "data/orders/orders_2025.csv");
    Set<String> products = keys("data/products.csv");
    Set<String> lineIds = new HashSet<>();
    List<String> invalid = new ArrayList<>();
    for (String file :
        List.of("data/order_lines/order_lines_2024.csv", "data/order_lines/order_lines_2025.csv")) {
      forEachRow(
          file,
          line -> {
            int quantity = Integer.parseInt(line[3]);
            double discount = Double.parseDouble(line[5]);
            if (!lineIds.add(line[0])
                || !orders.contains(line[1])
                || !products.contains(line[2])
                || quantity < 1
                || quantity > 5
                || discount < 0
                || discount > 0.3) {
              invalid.add(String.join(",", line));
            }
          });
    }

    assertThat(lineIds).hasSizeGreaterThanOrEqualTo(1_000_000);
    assertThat(invalid).isEmpty();
  }

  @Test
  void everyOrderHasAKnownCustomerAndEveryCustomerAKnownCountry() throws IOException {
    Set<String> customers = keys("data/customers.csv");
    Set<String> countries = keys("seeds/countries.csv");
    List<String> invalid = new ArrayList<>();
    for (String file : List.of("data/orders/orders_2024.csv", "data/orders/orders_2025.csv")) {
      forEachRow(
          file,
          order -> {
            if (!customers.contains(order[1]) || !ShopData.STATUSES.contains(order[3])) {
              invalid.add(String.join(",", order));
            }
          });
    }
    Set<String> countriesUsed = new HashSet<>();
    forEachRow("data/customers.csv", customer -> countriesUsed.add(customer[3]));

    assertThat(invalid).isEmpty();
    assertThat(countries).containsAll(countriesUsed);
    assertThat(customers).hasSize(ShopData.CUSTOMERS);
    assertThat(keys("data/products.csv")).hasSize(ShopData.PRODUCTS);
  }

  @Test
  void everyCsvLineHasTheHeadersColumnsButTheOneShortPaymentRecord() throws IOException {
    List<Path> csvFiles;
    try (Stream<Path> files = Files.walk(directory)) {
      csvFiles = files.filter(file -> file.toString().endsWith(".csv")).sorted().toList();
    }
    assertThat(csvFiles).hasSize(10); // the data, the countries seed and the seeded history
    Map<String, Long> irregular = new TreeMap<>();
    for (Path file : csvFiles) {
      try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        int columns = fields(reader.readLine()).length;
        long count = 0;
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
          if (fields(line).length != columns) {
            count++;
          }
        }
        if (count > 0) {
          irregular.put(directory.relativize(file).toString().replace('\\', '/'), count);
        }
      }
    }
    assertThat(irregular).containsExactly(Map.entry("data/payments/payments_2025.csv", 1L));
  }

  @Test
  void onlyTheThreeDeliberateRecordsOfThePaymentsAreMalformed() throws IOException {
    List<String> malformed = new ArrayList<>();
    for (String file :
        List.of("data/payments/payments_2024.csv", "data/payments/payments_2025.csv")) {
      for (String[] payment : rows(file)) {
        if (!isValidPayment(payment)) {
          malformed.add(String.join(",", payment));
        }
      }
    }
    assertThat(malformed)
        .hasSize(3)
        .anyMatch(line -> line.endsWith("19.99 EUR"))
        .anyMatch(line -> line.endsWith(",paypal"))
        .anyMatch(line -> line.contains("2025-02-30"));
  }

  private static boolean isValidPayment(String[] payment) {
    if (payment.length != 5) {
      return false;
    }
    try {
      java.time.LocalDateTime.parse(payment[2].replace(' ', 'T'));
      new java.math.BigDecimal(payment[4]);
      return ShopData.PAYMENT_METHODS.contains(payment[3]);
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static Set<String> keys(String... files) throws IOException {
    Set<String> keys = new HashSet<>();
    for (String file : files) {
      forEachRow(file, row -> keys.add(row[0]));
    }
    return keys;
  }

  private static List<String[]> rows(String file) throws IOException {
    List<String[]> rows = new ArrayList<>();
    forEachRow(file, rows::add);
    return rows;
  }

  /** Reads the data rows of a generated file, which never quotes: its text holds no commas. */
  private static void forEachRow(String file, Consumer<String[]> action) throws IOException {
    try (BufferedReader reader =
        Files.newBufferedReader(directory.resolve(file), StandardCharsets.UTF_8)) {
      reader.readLine();
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        action.accept(fields(line));
      }
    }
  }

  private static String[] fields(String line) {
    if (line.indexOf('"') >= 0) {
      throw new AssertionError("Unexpected quote in " + line);
    }
    return line.split(",", -1);
  }

  private static Map<String, String> checksums(Path root) throws Exception {
    Map<String, String> checksums = new TreeMap<>();
    List<Path> files;
    try (Stream<Path> walk = Files.walk(root)) {
      files = walk.filter(Files::isRegularFile).toList();
    }
    for (Path file : files) {
      checksums.put(root.relativize(file).toString().replace('\\', '/'), sha256(file));
    }
    return checksums;
  }

  private static String sha256(Path file) throws IOException, NoSuchAlgorithmException {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
    }
    return HexFormat.of().formatHex(digest.digest());
  }
}
