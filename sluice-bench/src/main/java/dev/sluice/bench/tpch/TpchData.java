package dev.sluice.bench.tpch;

import static java.util.Objects.requireNonNull;

import io.trino.tpch.TpchEntity;
import io.trino.tpch.TpchTable;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * TPC-H data at a scale factor, generated in Java by the {@code io.trino.tpch} port of dbgen and
 * written as CSV files with a header: {@code <dir>/<table>/part-<n>.csv}, several parts for the
 * large tables. A marker file records a finished generation, so a later run at the same scale
 * reuses the files.
 *
 * @param directory the folder of the tables' folders
 * @param scale the scale factor, positive
 */
public record TpchData(Path directory, double scale) {
  private static final String DONE_MARKER = "_generated";

  public TpchData {
    requireNonNull(directory, "directory is null");
    if (scale <= 0) {
      throw new IllegalArgumentException("scale must be positive: " + scale);
    }
  }

  /** The data at {@code scale} in {@code directory}, generated now unless already there. */
  public static TpchData generate(Path directory, double scale, int parallelism) {
    requireNonNull(directory, "directory is null");
    TpchData data = new TpchData(directory.toAbsolutePath().normalize(), scale);
    if (!Files.exists(data.directory.resolve(DONE_MARKER))) {
      data.write(Math.max(1, parallelism));
    }
    return data;
  }

  /** The folder of one table's CSV files. */
  public Path tableDirectory(String table) {
    return directory.resolve(table);
  }

  /** The CSV files of one table. */
  public List<Path> files(String table) {
    try (Stream<Path> files = Files.list(tableDirectory(table))) {
      return files.filter(f -> f.toString().endsWith(".csv")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Bytes of all CSV files. */
  public long totalBytes() {
    long bytes = 0;
    for (String table : TpchTables.names()) {
      for (Path file : files(table)) {
        try {
          bytes += Files.size(file);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
    return bytes;
  }

  /** Rows of all tables, as recorded when they were generated. */
  public long totalRows() {
    try {
      return Long.parseLong(Files.readString(directory.resolve(DONE_MARKER)).strip());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void write(int parallelism) {
    ExecutorService pool = Executors.newFixedThreadPool(parallelism);
    try {
      List<Future<Long>> parts = new ArrayList<>();
      for (TpchTable<?> table : TpchTable.getTables()) {
        Path folder = tableDirectory(table.getTableName());
        Files.createDirectories(folder);
        int partCount = partsOf(table);
        for (int part = 1; part <= partCount; part++) {
          int number = part;
          parts.add(pool.submit(() -> writePart(table, folder, number, partCount)));
        }
      }
      long rows = 0;
      for (Future<Long> part : parts) {
        rows += part.get();
      }
      Files.writeString(directory.resolve(DONE_MARKER), rows + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write TPC-H data to " + directory, e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("Cannot generate TPC-H data: " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while generating TPC-H data", e);
    } finally {
      pool.shutdownNow();
    }
  }

  /** One part per ~1.5 million rows of the large tables, so that they load as several files. */
  private int partsOf(TpchTable<?> table) {
    double rowsPerScale =
        switch (table.getTableName()) {
          case "lineitem" -> 6_000_000;
          case "orders" -> 1_500_000;
          case "partsupp" -> 800_000;
          default -> 0;
        };
    return (int) Math.max(1, Math.ceil(rowsPerScale * scale / 1_500_000));
  }

  private long writePart(TpchTable<?> table, Path folder, int part, int partCount)
      throws IOException {
    Path file = folder.resolve(String.format(Locale.ROOT, "part-%02d.csv", part));
    Path partial = folder.resolve(file.getFileName() + ".tmp");
    long rows = 0;
    try (Writer out =
        new BufferedWriter(Files.newBufferedWriter(partial, StandardCharsets.UTF_8))) {
      out.write(
          String.join(
              ",", TpchTables.columns(table.getTableName()).stream().map(c -> c.name()).toList()));
      out.write('\n');
      for (TpchEntity entity : table.createGenerator(scale, part, partCount)) {
        writeLine(out, entity.toLine());
        rows++;
      }
    }
    Files.move(partial, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    return rows;
  }

  /** Turns dbgen's {@code a|b|c|} line into a CSV record, quoting fields that need it. */
  private static void writeLine(Writer out, String line) throws IOException {
    int start = 0;
    boolean first = true;
    for (int end = line.indexOf('|'); end >= 0; end = line.indexOf('|', start)) {
      if (!first) {
        out.write(',');
      }
      first = false;
      String field = line.substring(start, end);
      if (field.indexOf(',') >= 0 || field.indexOf('"') >= 0) {
        out.write('"');
        out.write(field.replace("\"", "\"\""));
        out.write('"');
      } else {
        out.write(field);
      }
      start = end + 1;
    }
    out.write('\n');
  }
}
