package dev.sluice.api.engine;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * How the pages of a Parquet data file are compressed: a codec and, for zstd, a level. Iceberg
 * keeps it per table in the properties {@value #CODEC_PROPERTY} and {@value #LEVEL_PROPERTY}, which
 * every Iceberg writer honours (Spark, Trino, Flink), and so does Sluice when its engine writes a
 * file.
 *
 * @param codec one of {@link #CODECS}
 * @param level the zstd level, 1 (fastest) to 22 (smallest), or null for the codec's default (zstd:
 *     3); only zstd takes a level
 */
public record ParquetCompression(String codec, Integer level) {
  /** The Iceberg table property of the codec. */
  public static final String CODEC_PROPERTY = "write.parquet.compression-codec";

  /** The Iceberg table property of the level. */
  public static final String LEVEL_PROPERTY = "write.parquet.compression-level";

  /**
   * The codecs both DuckDB and Iceberg's Parquet writer (for Spark and others) write under the same
   * name. Iceberg's {@code lz4} is Hadoop's LZ4 framing, DuckDB's is LZ4_RAW: not offered.
   */
  public static final List<String> CODECS = List.of("zstd", "snappy", "gzip", "uncompressed");

  /**
   * Sluice's default: zstd at level 1. Against level 3 (zstd's own default, what Sluice wrote
   * before) DuckDB's COPY of TPC-H lineitem and orders takes 12-14 % less CPU for files 2.5-3.5 %
   * larger; against snappy (DuckDB's default) 5-14 % more CPU for files a quarter to a third
   * smaller (docs/benchmarks.md, "Parquet compression").
   */
  public static final ParquetCompression DEFAULT = new ParquetCompression("zstd", 1);

  /** The zstd level Sluice writes when a project names zstd without a level. */
  public static final int DEFAULT_ZSTD_LEVEL = 1;

  public ParquetCompression {
    requireNonNull(codec, "codec is null");
    if (!CODECS.contains(codec)) {
      throw new IllegalArgumentException(
          "Unknown Parquet compression codec '" + codec + "': use one of " + CODECS);
    }
    if (level != null && !codec.equals("zstd")) {
      throw new IllegalArgumentException(
          "The Parquet compression codec " + codec + " takes no level: only zstd does");
    }
    if (level != null && (level < 1 || level > 22)) {
      throw new IllegalArgumentException(
          "The zstd compression level must be between 1 and 22, got " + level);
    }
  }

  /**
   * The compression a table's properties set, or empty when they set no codec. A codec's name is
   * read as Iceberg reads it, in any case.
   *
   * @throws IllegalArgumentException when the properties name a codec or level Sluice cannot write
   */
  public static Optional<ParquetCompression> fromTableProperties(Map<String, String> properties) {
    String codec = properties.get(CODEC_PROPERTY);
    if (codec == null || codec.isBlank()) {
      return Optional.empty();
    }
    String level = properties.get(LEVEL_PROPERTY);
    String name = codec.strip().toLowerCase(Locale.ROOT);
    Integer parsed = null;
    if (level != null && !level.isBlank() && name.equals("zstd")) {
      try {
        parsed = Integer.valueOf(level.strip());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "The table property " + LEVEL_PROPERTY + " is not a number: " + level, e);
      }
    }
    return Optional.of(new ParquetCompression(name, parsed));
  }

  /** This compression as Iceberg table properties (no level property for the codec's default). */
  public Map<String, String> tableProperties() {
    return level == null
        ? Map.of(CODEC_PROPERTY, codec)
        : Map.of(CODEC_PROPERTY, codec, LEVEL_PROPERTY, Integer.toString(level));
  }

  @Override
  public String toString() {
    return level == null ? codec : codec + " level " + level;
  }
}
