package dev.sluice.core.project;

import static dev.sluice.core.project.TestProjects.write;

import dev.sluice.api.ProjectException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScratchPrintTest {
  @TempDir Path root;

  @Test
  void print() {
    write(root, "sluice.yaml", "name: shop\nthreds: 4\ncatalog:\n  password: abc\n");
    write(root, "sources/shop.yaml", "tables:\n  - name: orders\n    path: data/*.csv\n   format: csv\n");
    write(root, "sources/other.yaml", "tables:\n  - name: orders\n    path: data/*.csv\n    columns:\n      - name: a\n        type: list<int\n        checks:\n          - accepted_values:\n            values: [a]\n          - not_nul\n");
    write(root, "models/a.sql", "select 1\n{% if is_incremental() %}\nwhere x > 1\n");
    write(root, "models/b.sql", "select {{ ref('a', 'b') }} {{ foo }} {{ bar(1) }}\n{{ ref('a' }}\n{{ var('zz') }}");
    write(root, "models/c.sql", "{{ config(materialized='incremntal') }}\nselect * from {{ ref('d') }}");
    write(root, "models/d.sql", "select * from {{ ref('c') }}");
    write(root, "models/e.yaml", "models:\n  - name: e\n    columns:\n      - name: x\n        checks: [{row_count: {min: x}}]\n");
    try {
      Project.load(root);
    } catch (ProjectException e) {
      System.out.println("MSG>>\n" + e.getMessage());
    }
  }
}
