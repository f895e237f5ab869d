package dev.sluice.cli.demo;

import java.io.IOException;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Generates the demo shop's data files: customers, products, orders, order lines and payments, and
 * the countries seed.
 *
 * <p>The data is a pure function of {@link #SEED}: every run writes the same bytes, so that an
 * {@code append} source sees no new file when the demo is created again. Each table draws from its
 * own split of the random generator, so changing how one table is made leaves the others alone.
 * Keys hold together (every line's order exists, every order's customer signed up before ordering,
 * every payment pays a non-placed order in full), so the project's relationship checks pass; the
 * only flaws are three malformed payment records, always the same, for quarantine.
 */
final class ShopData {
  static final long SEED = 20_240_101L;
  static final int CUSTOMERS = 20_000;
  static final int PRODUCTS = 2_000;
  static final int ORDERS = 250_000;

  /** How many customers, products and orders to generate. */
  record Size(int customers, int products, int orders) {
    /** The demo's size. */
    static final Size FULL = new Size(CUSTOMERS, PRODUCTS, ORDERS);

    /** A fraction of the demo's size, for tests on slower engines. */
    static Size fraction(int divisor) {
      return new Size(CUSTOMERS / divisor, PRODUCTS / divisor, ORDERS / divisor);
    }
  }

  static final LocalDate FIRST_ORDER_DAY = LocalDate.of(2024, 1, 1);
  static final LocalDate LAST_ORDER_DAY = LocalDate.of(2025, 12, 31);
  static final List<String> STATUSES = List.of("placed", "shipped", "delivered", "returned");
  static final List<String> PAYMENT_METHODS = List.of("card", "paypal", "bank_transfer", "voucher");

  /** How many rows of the last year's payments file come before each malformed record. */
  private static final int[] MALFORMED_PAYMENT_POSITIONS = {1_200, 30_000, 75_000};

  private static final LocalDate FIRST_SIGNUP_DAY = LocalDate.of(2021, 1, 1);
  private static final long SECONDS_PER_DAY = 86_400L;
  private static final int PLACED = 0;
  private static final int SHIPPED = 1;
  private static final int DELIVERED = 2;
  private static final int RETURNED = 3;
  private static final int METHOD_CARD = 0;
  private static final int METHOD_BANK_TRANSFER = 2;
  private static final int METHOD_VOUCHER = 3;
  private static final int MAX_LINES_PER_ORDER = 8;

  /** A country of the seed; {@code weight} is its relative share of the customers. */
  record Country(String code, String name, String region, int weight) {}

  static final List<Country> COUNTRIES =
      List.of(
          new Country("DE", "Germany", "Western Europe", 18),
          new Country("FR", "France", "Western Europe", 14),
          new Country("NL", "Netherlands", "Western Europe", 9),
          new Country("BE", "Belgium", "Western Europe", 5),
          new Country("AT", "Austria", "Central Europe", 4),
          new Country("CH", "Switzerland", "Central Europe", 4),
          new Country("PL", "Poland", "Central Europe", 5),
          new Country("CZ", "Czechia", "Central Europe", 2),
          new Country("ES", "Spain", "Southern Europe", 8),
          new Country("IT", "Italy", "Southern Europe", 8),
          new Country("PT", "Portugal", "Southern Europe", 3),
          new Country("GB", "United Kingdom", "Northern Europe", 7),
          new Country("IE", "Ireland", "Northern Europe", 2),
          new Country("SE", "Sweden", "Northern Europe", 3),
          new Country("DK", "Denmark", "Northern Europe", 2),
          new Country("FI", "Finland", "Northern Europe", 2),
          new Country("NO", "Norway", "Northern Europe", 2),
          new Country("US", "United States", "North America", 6),
          new Country("CA", "Canada", "North America", 2),
          new Country("AU", "Australia", "Oceania", 2));

  private static final List<String> FIRST_NAMES =
      words(
          "Anna|Ben|Clara|David|Emma|Felix|Greta|Hugo|Ines|Jonas|Karin|Lucas|Maria|Noah|"
              + "Olivia|Paul|Quentin|Rosa|Sofia|Tom|Ulla|Victor|Wiebke|Xavier|Yara|Zoe|Liam|Mia|"
              + "Elias|Lea|Marco|Giulia|Pierre|Camille|Jan|Eva|Lars|Ingrid|Carlos|Lucia");

  private static final List<String> LAST_NAMES =
      words(
          "Schmidt|Mueller|Martin|Bernard|de Vries|Jansen|Garcia|Lopez|Rossi|Bianchi|"
              + "Nowak|Kowalski|Svensson|Johansson|Nielsen|Hansen|Virtanen|Murphy|Kelly|Silva|"
              + "Santos|Novak|Dvorak|Smith|Jones|Taylor|Brown|Wilson|Peeters|Maes|Gruber|Huber|"
              + "Meier|Keller|Berg|Larsen|Dubois|Moreau|Ferrari|Costa");

  private static final List<String> EMAIL_DOMAINS =
      List.of("example.com", "example.net", "example.org");

  /** A product category: its nouns and its price range in whole currency units. */
  private record Category(String name, int minPrice, int maxPrice, List<String> nouns) {
    Category(String name, int minPrice, int maxPrice, String nouns) {
      this(name, minPrice, maxPrice, words(nouns));
    }
  }

  private static final List<Category> CATEGORIES =
      List.of(
          new Category(
              "electronics",
              9,
              399,
              "Headphones|Speaker|Charger|Keyboard|Mouse|"
                  + "Webcam|Monitor|Power Bank|Smartwatch|Router"),
          new Category(
              "home",
              5,
              149,
              "Lamp|Cushion|Vase|Blanket|Mirror|Clock|Candle|Rug|Shelf|Picture Frame"),
          new Category(
              "kitchen",
              4,
              199,
              "Knife Set|Pan|Kettle|Blender|Mug|Cutting Board|Toaster|Teapot|Grater|Bowl"),
          new Category(
              "garden",
              6,
              249,
              "Hose|Planter|Shovel|Lantern|Bird Feeder|"
                  + "Hammock|Sprinkler|Pruner|Bench|Seed Kit"),
          new Category(
              "toys",
              4,
              89,
              "Puzzle|Board Game|Plush Bear|Kite|Building Blocks|"
                  + "Toy Car|Doll|Yo-Yo|Train Set|Marble Run"),
          new Category(
              "books",
              5,
              59,
              "Cookbook|Novel|Atlas|Travel Guide|Notebook|"
                  + "Comic|Poetry Collection|Biography|Art Book|Dictionary"),
          new Category(
              "sports",
              5,
              179,
              "Yoga Mat|Dumbbell|Water Bottle|Running Belt|Jump Rope|"
                  + "Tennis Racket|Football|Bike Light|Helmet|Backpack"),
          new Category(
              "beauty",
              3,
              99,
              "Face Cream|Shampoo|Perfume|Hair Dryer|Lip Balm|"
                  + "Soap|Body Lotion|Nail Kit|Brush Set|Sunscreen"));

  private static final List<String> ADJECTIVES =
      words(
          "Classic|Compact|Deluxe|Eco|Essential|Premium|Smart|Vintage|Urban|Nordic|Travel|"
              + "Mini|Pro|Soft|Bright|Everyday");

  private static final List<String> COLOURS = words("Black|White|Grey|Blue|Green|Red|Oak|Sand");

  private static final int[] PRICE_ENDINGS = {99, 99, 49, 95, 0};

  /** Relative number of orders placed in each hour of the day (UTC). */
  private static final int[] HOUR_WEIGHTS = {
    3, 2, 1, 1, 1, 2, 4, 6, 8, 9, 10, 10, 11, 10, 9, 9, 10, 11, 13, 15, 16, 14, 9, 5
  };

  /** Relative frequency of the quantities 1 to 5. */
  private static final int[] QUANTITY_WEIGHTS = {50, 25, 12, 8, 5};

  /** Relative frequency of the payment methods, in the order of {@link #PAYMENT_METHODS}. */
  private static final int[] METHOD_WEIGHTS = {55, 25, 12, 8};

  private ShopData() {}

  /** The orders, sorted by time, in parallel arrays; an order's id is its index plus one. */
  private static final class Orders {
    final long[] orderedAt;
    final int[] customerIds;
    final byte[] statuses;

    /** The index of each year's first order, and the number of orders at the end. */
    final int[] yearStarts;

    Orders(long[] orderedAt, int[] customerIds, byte[] statuses, int[] yearStarts) {
      this.orderedAt = orderedAt;
      this.customerIds = customerIds;
      this.statuses = statuses;
      this.yearStarts = yearStarts;
    }

    int count() {
      return orderedAt.length;
    }

    int years() {
      return yearStarts.length - 1;
    }

    /** The year of the orders from {@code yearStarts[y]} to {@code yearStarts[y + 1]}. */
    int year(int yearIndex) {
      return FIRST_ORDER_DAY.getYear() + yearIndex;
    }
  }

  /** Writes every data file and the countries seed under the project directory. */
  static void write(Path project) throws IOException {
    write(project, Size.FULL);
  }

  /** Writes the data files of a demo of {@code size}. */
  static void write(Path project, Size size) throws IOException {
    SplittableRandom root = new SplittableRandom(SEED);
    SplittableRandom customerRandom = root.split();
    SplittableRandom productRandom = root.split();
    SplittableRandom orderRandom = root.split();
    SplittableRandom lineRandom = root.split();
    SplittableRandom paymentRandom = root.split();

    Path data = project.resolve("data");
    writeCountries(project.resolve("seeds").resolve("countries.csv"));
    int[] signupDays =
        writeCustomers(data.resolve("customers.csv"), customerRandom, size.customers());
    int[] priceCents = new int[size.products()];
    writeProducts(data.resolve("products.csv"), productRandom, priceCents);
    int[] productsByPopularity = shuffledProducts(productRandom, size.products());
    Orders orders = generateOrders(orderRandom, signupDays, size.orders());
    writeOrders(data.resolve("orders"), orders);
    long[] totals =
        writeOrderLines(
            data.resolve("order_lines"), lineRandom, orders, priceCents, productsByPopularity);
    writePayments(data.resolve("payments"), paymentRandom, orders, totals);
  }

  /** The name of the orders, order lines or payments file of one year. */
  private static String yearFile(String table, int year) {
    return table + "_" + year + ".csv";
  }

  private static void writeCountries(Path path) throws IOException {
    try (CsvFile csv = CsvFile.create(path, "code", "name", "region")) {
      for (Country country : COUNTRIES) {
        csv.text(country.code()).text(country.name()).text(country.region()).endRow();
      }
      csv.commit();
    }
  }

  /** Writes the customers, whose ids follow their signup; returns each one's signup epoch day. */
  private static int[] writeCustomers(Path path, SplittableRandom random, int customers)
      throws IOException {
    int firstDay = (int) FIRST_SIGNUP_DAY.toEpochDay();
    int lastDay = (int) LAST_ORDER_DAY.toEpochDay();
    int[] signupDays = new int[customers];
    for (int i = 0; i < customers; i++) {
      signupDays[i] = random.nextInt(firstDay, lastDay + 1);
    }
    signupDays[0] = firstDay;
    Arrays.sort(signupDays);
    int[] countryWeights = COUNTRIES.stream().mapToInt(Country::weight).toArray();
    try (CsvFile csv =
        CsvFile.create(path, "customer_id", "name", "email", "country", "signup_date")) {
      for (int i = 0; i < customers; i++) {
        int id = i + 1;
        String first = FIRST_NAMES.get(random.nextInt(FIRST_NAMES.size()));
        String last = LAST_NAMES.get(random.nextInt(LAST_NAMES.size()));
        String email =
            (first + "." + last.replace(" ", "")).toLowerCase(Locale.ROOT)
                + id
                + "@"
                + EMAIL_DOMAINS.get(random.nextInt(EMAIL_DOMAINS.size()));
        Country country = COUNTRIES.get(weighted(random, countryWeights));
        csv.number(id)
            .text(first + " " + last)
            .text(email)
            .text(country.code())
            .date(signupDays[i])
            .endRow();
      }
      csv.commit();
    }
    return signupDays;
  }

  private static void writeProducts(Path path, SplittableRandom random, int[] priceCents)
      throws IOException {
    try (CsvFile csv = CsvFile.create(path, "product_id", "name", "category", "unit_price")) {
      for (int i = 0; i < priceCents.length; i++) {
        Category category = CATEGORIES.get(random.nextInt(CATEGORIES.size()));
        String name =
            ADJECTIVES.get(random.nextInt(ADJECTIVES.size()))
                + " "
                + category.nouns().get(random.nextInt(category.nouns().size()))
                + " "
                + COLOURS.get(random.nextInt(COLOURS.size()));
        double spread = random.nextDouble();
        int whole =
            category.minPrice()
                + (int) ((category.maxPrice() - category.minPrice()) * spread * spread * spread);
        int ending = PRICE_ENDINGS[random.nextInt(PRICE_ENDINGS.length)];
        priceCents[i] = ending == 0 ? whole * 100 : whole * 100 - 100 + ending;
        csv.number(i + 1).text(name).text(category.name()).hundredths(priceCents[i]).endRow();
      }
      csv.commit();
    }
  }

  /** Product indexes, most popular first: popularity does not follow the id. */
  private static int[] shuffledProducts(SplittableRandom random, int count) {
    int[] products = new int[count];
    for (int i = 0; i < count; i++) {
      products[i] = i;
    }
    for (int i = count - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int swap = products[i];
      products[i] = products[j];
      products[j] = swap;
    }
    return products;
  }

  /**
   * Orders over the two years: more on weekends, in November and before Christmas, growing over
   * time, mostly in the evening. Older customers order more often; nobody orders before signing up.
   * Recent orders are still placed or shipped.
   */
  private static Orders generateOrders(SplittableRandom random, int[] signupDays, int count) {
    long firstDay = FIRST_ORDER_DAY.toEpochDay();
    int days = (int) (LAST_ORDER_DAY.toEpochDay() - firstDay + 1);
    double[] cumulativeDays = new double[days];
    double sum = 0;
    for (int d = 0; d < days; d++) {
      sum += dayWeight(FIRST_ORDER_DAY.plusDays(d), (double) d / days);
      cumulativeDays[d] = sum;
    }
    long[] orderedAt = new long[count];
    for (int i = 0; i < count; i++) {
      int day = pick(cumulativeDays, random.nextDouble() * sum);
      int hour = weighted(random, HOUR_WEIGHTS);
      orderedAt[i] = (firstDay + day) * SECONDS_PER_DAY + hour * 3600L + random.nextInt(3600);
    }
    Arrays.sort(orderedAt);

    int[] customerIds = new int[count];
    byte[] statuses = new byte[count];
    int signedUp = 0;
    long lastDay = LAST_ORDER_DAY.toEpochDay();
    for (int i = 0; i < count; i++) {
      long day = Math.floorDiv(orderedAt[i], SECONDS_PER_DAY);
      while (signedUp < signupDays.length && signupDays[signedUp] <= day) {
        signedUp++;
      }
      // Customer k of n is drawn with a density falling linearly from the oldest to the newest.
      double loyalty = 1 - Math.sqrt(1 - random.nextDouble());
      int candidates = Math.max(signedUp, 1);
      customerIds[i] = 1 + Math.min(candidates - 1, (int) (candidates * loyalty));
      statuses[i] = (byte) status(random, lastDay - day);
    }

    int years = LAST_ORDER_DAY.getYear() - FIRST_ORDER_DAY.getYear() + 1;
    int[] yearStarts = new int[years + 1];
    for (int y = 1; y < years; y++) {
      long start =
          LocalDate.of(FIRST_ORDER_DAY.getYear() + y, 1, 1)
              .atStartOfDay()
              .toEpochSecond(ZoneOffset.UTC);
      int index = Arrays.binarySearch(orderedAt, start);
      if (index < 0) {
        index = -index - 1;
      }
      while (index > 0 && orderedAt[index - 1] >= start) {
        index--;
      }
      yearStarts[y] = index;
    }
    yearStarts[years] = count;
    return new Orders(orderedAt, customerIds, statuses, yearStarts);
  }

  private static double dayWeight(LocalDate day, double progress) {
    double weight = 1 + 0.6 * progress;
    switch (day.getMonth()) {
      case JANUARY -> weight *= 0.85;
      case NOVEMBER -> weight *= 1.35;
      case DECEMBER -> weight *= day.getDayOfMonth() <= 22 ? 1.6 : 0.9;
      default -> {}
    }
    if (day.getDayOfWeek() == DayOfWeek.SATURDAY || day.getDayOfWeek() == DayOfWeek.SUNDAY) {
      weight *= 1.2;
    }
    return weight;
  }

  private static int status(SplittableRandom random, long ageInDays) {
    int roll = random.nextInt(100);
    if (ageInDays < 3) {
      return roll < 70 ? PLACED : SHIPPED;
    }
    if (ageInDays < 10) {
      return roll < 10 ? PLACED : roll < 70 ? SHIPPED : DELIVERED;
    }
    return roll < 2 ? PLACED : roll < 3 ? SHIPPED : roll < 94 ? DELIVERED : RETURNED;
  }

  private static void writeOrders(Path directory, Orders orders) throws IOException {
    for (int y = 0; y < orders.years(); y++) {
      Path path = directory.resolve(yearFile("orders", orders.year(y)));
      try (CsvFile csv = CsvFile.create(path, "order_id", "customer_id", "order_date", "status")) {
        for (int i = orders.yearStarts[y]; i < orders.yearStarts[y + 1]; i++) {
          csv.number(i + 1L)
              .number(orders.customerIds[i])
              .timestamp(orders.orderedAt[i])
              .text(STATUSES.get(orders.statuses[i]))
              .endRow();
        }
        csv.commit();
      }
    }
  }

  /**
   * Writes one to eight lines per order, each of a different product at its list price.
   *
   * @return each order's exact total in ten-thousandths of the currency: the sum over its lines of
   *     quantity times unit price times (1 - discount)
   */
  private static long[] writeOrderLines(
      Path directory,
      SplittableRandom random,
      Orders orders,
      int[] priceCents,
      int[] productsByPopularity)
      throws IOException {
    long[] totals = new long[orders.count()];
    int[] chosen = new int[MAX_LINES_PER_ORDER];
    long lineId = 0;
    for (int y = 0; y < orders.years(); y++) {
      Path path = directory.resolve(yearFile("order_lines", orders.year(y)));
      try (CsvFile csv =
          CsvFile.create(
              path,
              "order_line_id",
              "order_id",
              "product_id",
              "quantity",
              "unit_price",
              "discount")) {
        for (int i = orders.yearStarts[y]; i < orders.yearStarts[y + 1]; i++) {
          int lines = 1 + random.nextInt(MAX_LINES_PER_ORDER);
          long total = 0;
          for (int line = 0; line < lines; line++) {
            int product = distinctProduct(random, productsByPopularity, chosen, line);
            int quantity = 1 + weighted(random, QUANTITY_WEIGHTS);
            int discountPercent = random.nextInt(10) < 7 ? 0 : 5 * (1 + random.nextInt(6));
            total += (long) quantity * priceCents[product] * (100 - discountPercent);
            csv.number(++lineId)
                .number(i + 1L)
                .number(product + 1L)
                .number(quantity)
                .hundredths(priceCents[product])
                .hundredths(discountPercent)
                .endRow();
          }
          totals[i] = total;
        }
        csv.commit();
      }
    }
    return totals;
  }

  /** A product, popular ones more often, that is not among the order's first {@code count}. */
  private static int distinctProduct(
      SplittableRandom random, int[] productsByPopularity, int[] chosen, int count) {
    while (true) {
      double popularity = random.nextDouble();
      int product =
          productsByPopularity[(int) (productsByPopularity.length * popularity * popularity)];
      boolean repeated = false;
      for (int i = 0; i < count; i++) {
        repeated |= chosen[i] == product;
      }
      if (!repeated) {
        chosen[count] = product;
        return product;
      }
    }
  }

  /**
   * Writes the payments of every order that is not merely placed, in the file of the order's year:
   * one payment of the order's total, or for half the larger voucher orders the voucher's value
   * plus the rest by card. The last year's file also holds the three malformed records.
   */
  private static void writePayments(
      Path directory, SplittableRandom random, Orders orders, long[] totals) throws IOException {
    long paymentId = 0;
    for (int y = 0; y < orders.years(); y++) {
      Path path = directory.resolve(yearFile("payments", orders.year(y)));
      boolean lastYear = y == orders.years() - 1;
      int nextMalformed = 0;
      try (CsvFile csv =
          CsvFile.create(path, "payment_id", "order_id", "paid_at", "method", "amount")) {
        for (int i = orders.yearStarts[y]; i < orders.yearStarts[y + 1]; i++) {
          if (orders.statuses[i] == PLACED) {
            continue;
          }
          long orderId = i + 1L;
          long amountCents = (totals[i] + 50) / 100;
          int method = weighted(random, METHOD_WEIGHTS);
          long paidAt =
              orders.orderedAt[i]
                  + (method == METHOD_BANK_TRANSFER
                      ? 3_600 + random.nextInt(3 * 86_400)
                      : 10 + random.nextInt(1_800));
          if (method == METHOD_VOUCHER && amountCents > 2_500 && random.nextBoolean()) {
            long voucherCents = random.nextBoolean() ? 1_000 : 2_000;
            payment(csv, ++paymentId, orderId, paidAt, METHOD_VOUCHER, voucherCents);
            payment(
                csv, ++paymentId, orderId, paidAt + 60, METHOD_CARD, amountCents - voucherCents);
          } else {
            payment(csv, ++paymentId, orderId, paidAt, method, amountCents);
          }
          if (lastYear
              && nextMalformed < MALFORMED_PAYMENT_POSITIONS.length
              && csv.rows() >= MALFORMED_PAYMENT_POSITIONS[nextMalformed]) {
            csv.rawLine(malformedPayment(nextMalformed, 900_001L + nextMalformed, orderId));
            nextMalformed++;
          }
        }
        csv.commit();
      }
    }
  }

  private static void payment(
      CsvFile csv, long paymentId, long orderId, long paidAt, int method, long amountCents)
      throws IOException {
    csv.number(paymentId)
        .number(orderId)
        .timestamp(paidAt)
        .text(PAYMENT_METHODS.get(method))
        .hundredths(amountCents)
        .endRow();
  }

  /**
   * The demo's malformed payment records, for an order that was paid already: an amount with its
   * currency, a record cut short, and a day that does not exist.
   */
  private static String malformedPayment(int which, long paymentId, long orderId) {
    return switch (which) {
      case 0 -> paymentId + "," + orderId + ",2025-03-14 10:21:07,card,19.99 EUR";
      case 1 -> paymentId + "," + orderId + ",2025-06-02 18:45:51,paypal";
      case 2 -> paymentId + "," + orderId + ",2025-02-30 09:15:00,bank_transfer,45.10";
      default -> throw new IllegalArgumentException("No malformed payment " + which);
    };
  }

  /** The words of a text separated by {@code |}. */
  private static List<String> words(String text) {
    return List.of(text.split("\\|", -1));
  }

  /** An index drawn with the given relative weights. */
  private static int weighted(SplittableRandom random, int[] weights) {
    int total = 0;
    for (int weight : weights) {
      total += weight;
    }
    int roll = random.nextInt(total);
    for (int i = 0; i < weights.length; i++) {
      roll -= weights[i];
      if (roll < 0) {
        return i;
      }
    }
    throw new IllegalStateException("unreachable");
  }

  /** The first index whose cumulative weight exceeds the value. */
  private static int pick(double[] cumulative, double value) {
    int index = Arrays.binarySearch(cumulative, value);
    index = index < 0 ? -index - 1 : index + 1;
    return Math.min(index, cumulative.length - 1);
  }
}
