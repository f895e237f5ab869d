package dev.sluice.core.project;

import dev.sluice.api.Location;
import dev.sluice.api.engine.ParquetCompression;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads {@code parquet: {compression: zstd, compression_level: 1}}: how the Parquet data files of
 * the tables Sluice writes are compressed. In sluice.yaml it is the project's default; a source
 * table's or a model's own block (in its properties, or a model's {@code config(parquet={...})})
 * overrides it for that table.
 */
final class ParquetParser {
  static final String KEY = "parquet";
  private static final Set<String> KEYS = Set.of("compression", "compression_level");

  private ParquetParser() {}

  /**
   * The compression the block sets, or empty without the block; a codec or level Sluice cannot
   * write is reported at its line, and the default taken instead.
   */
  static Optional<ParquetCompression> parse(YamlMap map, String what, Problems problems) {
    Optional<YamlMap> maybeSection = map.map(KEY, "'parquet:' of " + what, KEYS);
    if (maybeSection.isEmpty()) {
      return Optional.empty();
    }
    YamlMap section = maybeSection.get();
    return checked(
        section.string("compression"),
        section.location("compression"),
        section.integer("compression_level", null),
        section.location("compression_level"),
        problems);
  }

  /**
   * The compression a model's {@code config(parquet={'compression': 'zstd', 'compression_level':
   * 3})} sets; a value that is not such a dict, an unknown key, a codec or level Sluice cannot
   * write is reported at the config() line, and nothing is taken from it.
   */
  static Optional<ParquetCompression> fromConfig(
      Object value, Location location, Problems problems) {
    String example = "write e.g. config(parquet={'compression': 'zstd', 'compression_level': 3})";
    if (!(value instanceof Map<?, ?> block)) {
      problems.add(location, "config() value '" + KEY + "' must be a dict, got " + value, example);
      return Optional.empty();
    }
    Set<String> unknown = new TreeSet<>();
    block.keySet().forEach(key -> unknown.add(String.valueOf(key)));
    unknown.removeAll(KEYS);
    if (!unknown.isEmpty()) {
      problems.add(
          location,
          "Unknown key"
              + (unknown.size() == 1 ? " " : "s ")
              + unknown
              + " in config() value 'parquet'",
          "the keys are compression and compression_level; " + example);
      return Optional.empty();
    }
    Object codec = block.get("compression");
    Object level = block.get("compression_level");
    if (codec != null && !(codec instanceof String)) {
      problems.add(location, "The Parquet compression must be a name, got " + codec, example);
      return Optional.empty();
    }
    if (level != null
        && !(level instanceof Integer || level instanceof Long || level instanceof Short)) {
      problems.add(location, "compression_level must be a whole number, got " + level, example);
      return Optional.empty();
    }
    return checked(
        (String) codec,
        location,
        level == null ? null : Math.toIntExact(((Number) level).longValue()),
        location,
        problems);
  }

  private static Optional<ParquetCompression> checked(
      String codec,
      Location codecLocation,
      Integer level,
      Location levelLocation,
      Problems problems) {
    if (codec == null) {
      codec = ParquetCompression.DEFAULT.codec();
    }
    codec = codec.strip().toLowerCase(Locale.ROOT);
    if (!ParquetCompression.CODECS.contains(codec)) {
      problems.add(
          codecLocation,
          "Unknown Parquet compression '" + codec + "'",
          "use one of " + String.join(", ", ParquetCompression.CODECS));
      return Optional.empty();
    }
    if (level != null && !codec.equals("zstd")) {
      problems.add(
          levelLocation,
          "The Parquet compression " + codec + " takes no compression_level",
          "remove compression_level, or write compression: zstd (levels 1 to 22)");
      level = null;
    } else if (level != null && (level < 1 || level > 22)) {
      problems.add(
          levelLocation,
          "compression_level must be between 1 and 22 for zstd, got " + level,
          "write e.g. compression_level: 1 (fastest) or 3 (zstd's own default)");
      level = null;
    }
    if (level == null && codec.equals("zstd")) {
      // Sluice's level, written out so that every writer of the table (Spark too) uses it
      level = ParquetCompression.DEFAULT_ZSTD_LEVEL;
    }
    return Optional.of(new ParquetCompression(codec, level));
  }
}
