package dev.sluice.cli.demo;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The sample project of {@code sluice demo}: an online shop with customers, products, orders, order
 * lines and payments, its curated and published models, and their checks.
 *
 * <p>The project files are resources under {@code /demo/}; the data files are generated (see {@link
 * ShopData}), deterministically, with more than a million order lines.
 */
public final class DemoProject {
  private static final String RESOURCE_ROOT = "/demo/";

  /**
   * The project files, as resource names under {@code /demo/}. A resource's path is its path in the
   * project, except that {@code gitignore} becomes {@code .gitignore} (the build leaves dot files
   * out of the resources).
   */
  static final List<String> PROJECT_FILES =
      List.of(
          "README.md",
          "gitignore",
          "sluice.yaml",
          "policies.yaml",
          "sources/shop.yaml",
          "models/curated/curated.yaml",
          "models/curated/customers.sql",
          "models/curated/products.sql",
          "models/curated/orders.sql",
          "models/curated/order_lines.sql",
          "models/curated/order_facts.sql",
          "models/curated/order_facts_tests.yaml",
          "models/published/published.yaml",
          "models/published/daily_revenue_tests.yaml",
          "models/published/daily_revenue.sql",
          "models/published/customer_lifetime_value.sql",
          "models/published/product_performance.sql",
          "models/published/revenue_by_country.sql",
          DemoHistory.FILE);

  private DemoProject() {}

  /**
   * Writes the demo project into a directory, creating it when missing. Running it again on the
   * same directory rewrites the project files and regenerates the same data files, byte for byte;
   * other files there (the warehouse, the run state) are left alone.
   *
   * @throws UncheckedIOException when a file cannot be written
   */
  public static void create(Path directory) {
    create(directory, ShopData.Size.FULL);
  }

  /** As {@link #create(Path)}, with data of another size (tests on slower engines). */
  static void create(Path directory, ShopData.Size size) {
    requireNonNull(directory, "directory is null");
    try {
      writeProjectFiles(directory);
      ShopData.write(directory, size);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot create the demo project in " + directory + ": " + e.getMessage(), e);
    }
  }

  /**
   * Writes the demo's project files (configuration, sources, models, properties) into a directory,
   * without the data files and the countries seed.
   *
   * @throws IOException when a file cannot be written
   */
  public static void writeProjectFiles(Path directory) throws IOException {
    Files.createDirectories(directory);
    for (String file : PROJECT_FILES) {
      writeProjectFile(directory, file);
    }
  }

  /** A query that shows the analyst's masks and row filter on the customers. */
  public static String governedQuery() {
    return "select customer_id, customer_name, email, country_code from curated.customers"
        + " order by customer_id limit 3";
  }

  /** A query over the published tables that shows what the demo built: the top countries. */
  public static String sampleQuery() {
    return """
        select country_name, region, orders, customers, net_revenue, currency
        from published.revenue_by_country
        order by net_revenue desc
        limit 5
        """;
  }

  private static void writeProjectFile(Path directory, String resource) throws IOException {
    String name = resource.equals("gitignore") ? ".gitignore" : resource;
    Path target = directory.resolve(name);
    Files.createDirectories(target.getParent());
    try (InputStream in = DemoProject.class.getResourceAsStream(RESOURCE_ROOT + resource)) {
      if (in == null) {
        throw new IllegalStateException("Missing demo resource " + RESOURCE_ROOT + resource);
      }
      Files.write(target, in.readAllBytes());
    }
  }
}
