package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sluice validate} says the same with its caches warm as with none (issue 20): the warnings
 * of models whose column lineage cannot be derived, the compile errors, the summary and the JSON
 * document are those of a validate of the same files in a project that was never validated, before
 * and after a change upstream that changes what unchanged models downstream derive.
 */
class ValidateCacheTest {
  @TempDir Path kept;
  @TempDir Path fresh;

  @BeforeEach
  void writeProject() throws IOException {
    write("sluice.yaml", "name: shop\n");
    write("models/curated/base.sql", "select 1 as x, 2 as y\n");
    // DuckDB reads FROM-first SQL, the lineage parser does not: no lineage, no known columns
    write("models/curated/first.sql", "from {{ ref('base') }} select x\n");
    // its '*' reads a table whose columns are not known: not derivable while 'first' is not
    write("models/curated/star.sql", "select * from {{ ref('first') }}\n");
    write("models/published/leaf.sql", "select x from {{ ref('star') }}\n");
  }

  private void write(String file, String text) throws IOException {
    Path path = kept.resolve(file);
    Files.createDirectories(path.getParent());
    Files.writeString(path, text);
  }

  /** Validates the project where its caches are kept, and a copy of its files never validated. */
  private void assertWarmSaysWhatColdSays(String... options) throws IOException {
    try (var files = Files.walk(kept)) {
      for (Path path : files.filter(Files::isRegularFile).toList()) {
        Path relative = kept.relativize(path);
        if (relative.getName(0).toString().equals("models")
            || relative.toString().equals("sluice.yaml")) {
          Path copy = fresh.resolve(relative);
          Files.createDirectories(copy.getParent());
          Files.copy(path, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
    String[] arguments = new String[options.length + 1];
    arguments[0] = "validate";
    System.arraycopy(options, 0, arguments, 1, options.length);
    InProcessCli.Result warm = InProcessCli.sluice(kept, arguments);
    InProcessCli.Result cold = InProcessCli.sluice(fresh, arguments);
    assertThat(warm).isEqualTo(cold);
    // the copy is validated cold again next time
    try (var files = Files.walk(fresh)) {
      for (Path path : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        if (!path.equals(fresh)) {
          Files.delete(path);
        }
      }
    }
  }

  @Test
  void warmCachesChangeNothingValidateSays() throws IOException {
    InProcessCli.Result first = InProcessCli.sluice(kept, "validate");
    assertThat(first.code()).as(first.err()).isZero();
    assertThat(first.err())
        .contains("the column lineage of model 'first' cannot be derived")
        .contains("the column lineage of model 'star' cannot be derived: '*' reads")
        .doesNotContain("model 'leaf' cannot");
    assertWarmSaysWhatColdSays();
    assertWarmSaysWhatColdSays("--json");

    // 'star' and 'leaf' are unchanged, but what they read is derivable now
    write("models/curated/first.sql", "select x from {{ ref('base') }}\n");
    assertWarmSaysWhatColdSays();
    InProcessCli.Result now = InProcessCli.sluice(kept, "validate");
    assertThat(now.err()).doesNotContain("cannot be derived");

    // and a compile error downstream, with the same file, line and words
    write("models/published/broken.sql", "select x,\n  y\nfrom {{ ref('star') }}\n");
    assertWarmSaysWhatColdSays();
    InProcessCli.Result broken = InProcessCli.sluice(kept, "validate");
    assertThat(broken.code()).isNotZero();
    assertThat(broken.err()).contains("models/published/broken.sql");
  }
}
