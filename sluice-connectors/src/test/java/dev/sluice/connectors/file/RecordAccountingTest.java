package dev.sluice.connectors.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.DataException;
import dev.sluice.api.connector.SourceTableSpec.Column;
import dev.sluice.api.connector.StagedData;
import dev.sluice.api.sql.SqlLiterals;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The connector's promise, for every format: each record of the files is either staged or rejected,
 * and the rejected ones are exactly the malformed ones, at their lines.
 */
class RecordAccountingTest extends FileConnectorTestBase {
  private static final int RECORDS_PER_FILE = 3000;
  private static final int FILES = 2;

  private static final Column[] COLUMNS = {
    new Column("id", Types.LongType.get()),
    new Column("name", Types.StringType.get()),
    new Column("amount", Types.DoubleType.get())
  };

  /** Generated files: the glob, the expected bad "file:line"s, and the good ids. */
  private record Generated(String glob, TreeSet<String> badRecords, TreeSet<Long> goodIds) {}

  enum Format {
    CSV,
    NDJSON,
    JSON_ARRAY,
    PARQUET
  }

  @ParameterizedTest
  @EnumSource(Format.class)
  void everyRecordIsStagedOrRejected(Format format) throws Exception {
    Generated generated = generate(format, new Random(format.ordinal() + 42));

    StagedData staged =
        stage(spec(generated.glob(), formatName(format)).quarantine().columns(COLUMNS));

    assertThat(staged.rows() + staged.rejectedRows()).isEqualTo((long) RECORDS_PER_FILE * FILES);
    assertThat(staged.rejectedRows()).isEqualTo(generated.badRecords().size()).isPositive();
    List<String> rejected = new ArrayList<>();
    for (List<Object> row : rows(staged.rejectedRelation(), "_source_file, _line")) {
      rejected.add(row.get(0) + ":" + row.get(1));
      assertThat((String) row.get(2)).isNotEmpty();
      assertThat((String) row.get(3)).isNotEmpty();
    }
    assertThat(new TreeSet<>(rejected)).isEqualTo(generated.badRecords());
    List<Long> ids = new ArrayList<>();
    for (List<Object> row : rows(staged.relation(), "id")) {
      ids.add((Long) row.get(0));
    }
    assertThat(ids).containsExactlyElementsOf(generated.goodIds());
  }

  @ParameterizedTest
  @EnumSource(Format.class)
  void withoutQuarantineTheFirstBadRecordFailsTheLoad(Format format) throws Exception {
    Generated generated = generate(format, new Random(format.ordinal() + 7));
    String first = generated.badRecords().first();
    String file = first.substring(0, first.lastIndexOf(':'));
    String line = first.substring(first.lastIndexOf(':') + 1);

    assertThatThrownBy(() -> stage(spec(generated.glob(), formatName(format)).columns(COLUMNS)))
        .isInstanceOf(DataException.class)
        .hasMessageStartingWith(
            "Malformed record in "
                + file
                + " at "
                + (format == Format.PARQUET ? "row " : "line ")
                + line
                + ":");
  }

  private static String formatName(Format format) {
    return switch (format) {
      case CSV -> "csv";
      case NDJSON, JSON_ARRAY -> "json";
      case PARQUET -> "parquet";
    };
  }

  private Generated generate(Format format, Random random) throws Exception {
    TreeSet<String> bad =
        new TreeSet<>(
            (a, b) -> {
              int fileOrder =
                  a.substring(0, a.lastIndexOf(':')).compareTo(b.substring(0, b.lastIndexOf(':')));
              return fileOrder != 0
                  ? fileOrder
                  : Long.compare(
                      Long.parseLong(a.substring(a.lastIndexOf(':') + 1)),
                      Long.parseLong(b.substring(b.lastIndexOf(':') + 1)));
            });
    TreeSet<Long> good = new TreeSet<>();
    long id = 0;
    for (int f = 0; f < FILES; f++) {
      String name = "data/part-" + f + extension(format);
      StringBuilder text = new StringBuilder();
      List<String> parquetRows = new ArrayList<>();
      long line = 1;
      switch (format) {
        case CSV -> text.append("id,name,amount\n");
        case JSON_ARRAY -> text.append("[\n");
        default -> line = 0;
      }
      for (int i = 0; i < RECORDS_PER_FILE; i++) {
        id++;
        line++;
        int kind = random.nextInt(50);
        boolean isBad = kind < 4;
        String record =
            switch (format) {
              case CSV -> csvRecord(id, kind);
              case NDJSON -> ndjsonRecord(id, kind);
              case JSON_ARRAY ->
                  "  " + arrayRecord(id, kind) + (i == RECORDS_PER_FILE - 1 ? "" : ",");
              case PARQUET -> parquetRecord(id, kind);
            };
        if (format == Format.PARQUET) {
          parquetRows.add(record);
        } else {
          text.append(record).append('\n');
        }
        if (isBad) {
          bad.add(name + ":" + line);
        } else {
          good.add(id);
        }
        line += record.chars().filter(c -> c == '\n').count();
      }
      if (format == Format.JSON_ARRAY) {
        text.append("]\n");
      }
      if (format == Format.PARQUET) {
        java.nio.file.Path path = project.resolve(name);
        java.nio.file.Files.createDirectories(path.getParent());
        session.execute(
            "COPY (SELECT * FROM (VALUES "
                + String.join(", ", parquetRows)
                + ") AS t(id, name, amount)) TO "
                + SqlLiterals.literal(path.toString())
                + " (FORMAT parquet)");
      } else {
        write(name, text.toString());
      }
    }
    return new Generated("data/part-*" + extension(format), bad, good);
  }

  private static String extension(Format format) {
    return switch (format) {
      case CSV -> ".csv";
      case NDJSON -> ".ndjson";
      case JSON_ARRAY -> ".json";
      case PARQUET -> ".parquet";
    };
  }

  /** Kinds 0-3 are malformed; 4-5 are good records spanning lines or with quotes. */
  private static String csvRecord(long id, int kind) {
    return switch (kind) {
      case 0 -> id + ",short";
      case 1 -> id + ",too,many,values";
      case 2 -> id + ",name,not-a-number";
      case 3 -> id + ",\"stray\"quote,1.5";
      case 4 -> id + ",\"multi\nline, with comma\",2.5";
      case 5 -> id + ",\"say \"\"hi\"\"\",3";
      default -> id + ",name" + id + "," + id + ".25";
    };
  }

  private static String ndjsonRecord(long id, int kind) {
    return switch (kind) {
      case 0 -> "{\"id\": " + id + ", \"name\": \"x\"";
      case 1 -> "[" + id + "]";
      case 2 -> "{\"id\": " + id + ", \"amount\": \"not-a-number\"}";
      case 3 -> "{\"id\": \"id-" + id + "\"}";
      case 4 -> "{\"id\": " + id + ", \"name\": \"line\\nbreak\", \"extra\": {\"a\": 1}}";
      default -> "{\"id\": " + id + ", \"name\": \"name" + id + "\", \"amount\": " + id + ".25}";
    };
  }

  private static String arrayRecord(long id, int kind) {
    return switch (kind) {
      case 0 -> "\"just a string " + id + "\"";
      case 1 -> "[" + id + "]";
      case 2 -> "{\"id\": " + id + ", \"amount\": \"not-a-number\"}";
      case 3 -> "{\"id\": \"id-" + id + "\"}";
      case 4 -> "{\n    \"id\": " + id + ",\n    \"name\": \"pretty\"\n  }";
      default -> "{\"id\": " + id + ", \"name\": \"name" + id + "\", \"amount\": " + id + ".25}";
    };
  }

  private static String parquetRecord(long id, int kind) {
    return switch (kind) {
      case 0, 1 -> "('" + id + "', 'n', 'not-a-number')";
      case 2, 3 -> "('id-" + id + "', 'n', '1')";
      default -> "('" + id + "', 'name" + id + "', '" + id + ".25')";
    };
  }
}
