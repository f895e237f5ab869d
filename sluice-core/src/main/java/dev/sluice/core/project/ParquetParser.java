package dev.sluice.core.project;

import dev.sluice.api.engine.ParquetCompression;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Reads {@code parquet: {compression: zstd, compression_level: 1}}: how the Parquet data files of
 * the tables Sluice writes are compressed.
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
    String codec = section.string("compression");
    if (codec == null) {
      codec = ParquetCompression.DEFAULT.codec();
    }
    codec = codec.strip().toLowerCase(Locale.ROOT);
    if (!ParquetCompression.CODECS.contains(codec)) {
      problems.add(
          section.location("compression"),
          "Unknown Parquet compression '" + codec + "'",
          "use one of " + String.join(", ", ParquetCompression.CODECS));
      return Optional.empty();
    }
    Integer level = section.integer("compression_level", null);
    if (level != null && !codec.equals("zstd")) {
      problems.add(
          section.location("compression_level"),
          "The Parquet compression " + codec + " takes no compression_level",
          "remove compression_level, or write compression: zstd (levels 1 to 22)");
      level = null;
    } else if (level != null && (level < 1 || level > 22)) {
      problems.add(
          section.location("compression_level"),
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
