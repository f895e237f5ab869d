package dev.sluice.core.project;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Currency;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@code cost:} of sluice.yaml, the prices that turn measures into money:
 *
 * <pre>
 * cost:
 *   currency: EUR                    # an ISO 4217 code
 *   compute: 0.048 per cpu-hour      # or per cpu-second
 *   storage: 0.023 EUR per gb-month  # or per tb-month; the currency may be repeated
 *   query: 5 per tb-scanned          # or per gb-scanned
 * </pre>
 *
 * A price in another currency than {@code currency}, or in a unit of another kind (storage priced
 * per CPU-hour), is an error at its line.
 */
final class CostParser {
  static final String KEY = "cost";
  private static final Set<String> KEYS = Set.of("currency", "compute", "storage", "query");
  private static final Pattern PRICE =
      Pattern.compile(
          "(?i)\\s*(\\d+(?:\\.\\d+)?)\\s*(?:([a-z]{3})\\s+)?(?:per|/)\\s*([a-z0-9_-]+)\\s*");
  private static final BigDecimal THOUSAND = BigDecimal.valueOf(1000);
  private static final BigDecimal SECONDS_PER_HOUR = BigDecimal.valueOf(3600);

  /** A kind of price and the units it may be given in, with each unit's factor to the norm. */
  private record Kind(String key, String norm, Map<String, BigDecimal> units, String example) {}

  private static final Kind COMPUTE =
      new Kind(
          "compute",
          "cpu-hour",
          Map.of("cpu-hour", BigDecimal.ONE, "cpu-second", SECONDS_PER_HOUR),
          "compute: 0.048 per cpu-hour");
  private static final Kind STORAGE =
      new Kind(
          "storage",
          "gb-month",
          Map.of(
              "gb-month",
              BigDecimal.ONE,
              "tb-month",
              BigDecimal.ONE.divide(THOUSAND, MathContext.DECIMAL64)),
          "storage: 0.023 per gb-month");
  private static final Kind QUERY =
      new Kind(
          "query",
          "tb-scanned",
          Map.of("tb-scanned", BigDecimal.ONE, "gb-scanned", THOUSAND),
          "query: 5 per tb-scanned");

  private CostParser() {}

  static CostPrices parse(YamlMap config) {
    Optional<YamlMap> maybeSection = config.map(KEY, "'cost:' of sluice.yaml", KEYS);
    if (maybeSection.isEmpty()) {
      return CostPrices.NONE;
    }
    YamlMap section = maybeSection.get();
    Currency currency = currency(section);
    if (currency == null) {
      return CostPrices.NONE;
    }
    return new CostPrices(
        currency,
        price(section, COMPUTE, currency),
        price(section, STORAGE, currency),
        price(section, QUERY, currency));
  }

  private static Currency currency(YamlMap section) {
    String code = section.string("currency");
    if (code == null) {
      section
          .problems()
          .add(
              section.has("currency") ? section.location("currency") : section.location(),
              "cost: has no currency",
              "add e.g. currency: EUR (an ISO 4217 code), the currency of every price");
      return null;
    }
    Currency currency = known(code);
    if (currency == null) {
      section
          .problems()
          .add(
              section.location("currency"),
              "Unknown currency '" + code + "' in cost.currency",
              "write an ISO 4217 code such as EUR, USD or GBP");
    }
    return currency;
  }

  private static Currency known(String code) {
    try {
      return Currency.getInstance(code.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** The price of one norm unit; zero when not given or when wrong (the problem is reported). */
  private static BigDecimal price(YamlMap section, Kind kind, Currency currency) {
    String text = section.string(kind.key());
    if (text == null) {
      return BigDecimal.ZERO;
    }
    Matcher matcher = PRICE.matcher(text);
    if (!matcher.matches()) {
      section
          .problems()
          .add(
              section.location(kind.key()),
              "cost." + kind.key() + " '" + text + "' is not a price",
              "write an amount and its unit, e.g. " + kind.example());
      return BigDecimal.ZERO;
    }
    String code = matcher.group(2);
    if (code != null && !code.equalsIgnoreCase(currency.getCurrencyCode())) {
      section
          .problems()
          .add(
              section.location(kind.key()),
              "cost."
                  + kind.key()
                  + " is priced in "
                  + code.toUpperCase(Locale.ROOT)
                  + " but cost.currency is "
                  + currency.getCurrencyCode(),
              "give every price in "
                  + currency.getCurrencyCode()
                  + " (convert it), or change cost.currency");
      return BigDecimal.ZERO;
    }
    String unit = matcher.group(3).toLowerCase(Locale.ROOT);
    BigDecimal factor = kind.units().get(unit);
    if (factor == null) {
      section
          .problems()
          .add(
              section.location(kind.key()),
              "cost." + kind.key() + " is priced per '" + unit + "', not a " + kind.key() + " unit",
              "price "
                  + kind.key()
                  + " per "
                  + String.join(" or per ", kind.units().keySet().stream().sorted().toList())
                  + ", e.g. "
                  + kind.example());
      return BigDecimal.ZERO;
    }
    return new BigDecimal(matcher.group(1)).multiply(factor, MathContext.DECIMAL64);
  }
}
