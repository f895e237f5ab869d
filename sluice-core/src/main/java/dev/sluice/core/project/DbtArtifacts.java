package dev.sluice.core.project;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.api.TableName;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * dbt's artifacts of a dbt project, in dbt's published schemas, so that the tools that read them
 * (docs sites, observability packages, CI scripts) work: {@code manifest.json} (v12: the project's
 * models, seeds, snapshots, tests, sources and macros, with their dependencies) and {@code
 * run_results.json} (v6: each node's outcome in a run), written into the project's {@code
 * target-path}.
 */
public final class DbtArtifacts {
  /** The dbt version the artifacts say they come from: the schemas' release. */
  static final String DBT_VERSION = "1.10.0";

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final Project project;
  private final DbtTemplates dbt;
  private final String packageName;

  /** The unique id of each asset (model, seed, snapshot, source table) by its Sluice name. */
  private final Map<String, String> uniqueIds = new LinkedHashMap<>();

  /**
   * @throws IllegalArgumentException when the project is not a dbt project
   */
  public DbtArtifacts(Project project) {
    this.project = requireNonNull(project, "project is null");
    if (project.dbt() == null) {
      throw new IllegalArgumentException("Project " + project.root() + " is not a dbt project");
    }
    this.dbt = project.dbt();
    this.packageName = project.config().name();
    project
        .seeds()
        .keySet()
        .forEach(
            name ->
                uniqueIds.put(
                    name, "seed." + dbt.packageNodes().packageOf(name, packageName) + "." + name));
    project
        .models()
        .values()
        .forEach(
            model ->
                uniqueIds.put(
                    model.name(),
                    (model.snapshot() != null ? "snapshot." : "model.")
                        + dbt.packageNodes().packageOf(model.name(), packageName)
                        + "."
                        // a version of a versioned model: model.<package>.<name>.v<version>
                        + dbt.versions()
                            .of(model.name())
                            .map(v -> v.name() + ".v" + dbt.versions().version(model.name()))
                            .orElse(model.name())));
    java.util.stream.Stream.concat(
            project.sources().values().stream(),
            dbt.resources().warehouseSources().values().stream())
        .flatMap(source -> source.tables().stream())
        .forEach(
            table ->
                uniqueIds.put(
                    table.assetName(),
                    "source." + packageName + "." + table.source() + "." + table.name()));
  }

  /**
   * The source tables read as the warehouse's relations (no external location: Sluice does not load
   * them), by their Sluice name, with the relation each names ({@code <schema>.<identifier>}),
   * which the catalog describes as dbt's describes a source's relation.
   */
  public Map<String, TableName> warehouseSourceTables() {
    Map<String, TableName> tables = new LinkedHashMap<>();
    dbt.resources()
        .warehouseSources()
        .forEach(
            (uniqueId, source) -> {
              Map<String, Object> declared = dbt.resources().sourceProperties(uniqueId);
              if (declared.get("schema") instanceof String schema
                  && declared.get("identifier") instanceof String identifier) {
                TableName relation = DbtSources.relation(schema, identifier);
                if (relation != null) {
                  source.tables().forEach(table -> tables.put(table.assetName(), relation));
                }
              }
            });
    return tables;
  }

  /** Where the artifacts go: the project's {@code target-path}. */
  public Path targetDirectory() {
    return project.root().resolve(dbt.targetPath());
  }

  /** The unique id dbt gives an asset (a model, seed, snapshot or source table). */
  public String uniqueId(String asset) {
    return uniqueIds.getOrDefault(asset, "model." + packageName + "." + asset);
  }

  /**
   * dbt's {@code graph} in templates: the manifest's {@code nodes}, {@code sources}, {@code
   * exposures}, {@code metrics}, {@code groups}, {@code semantic_models} and {@code unit_tests}, as
   * maps by unique id.
   */
  Map<String, Object> graph() {
    ObjectNode manifest = manifest("graph", Instant.EPOCH);
    Map<String, Object> graph = new LinkedHashMap<>();
    for (String key : DbtTemplates.GRAPH_KEYS) {
      graph.put(
          key,
          manifest.has(key)
              ? JSON.convertValue(manifest.get(key), Map.class)
              : new LinkedHashMap<String, Object>());
    }
    return graph;
  }

  /** manifest.json (v12), its columns without types. */
  public ObjectNode manifest(String invocationId, Instant generatedAt) {
    return manifest(invocationId, generatedAt, List.of());
  }

  /**
   * manifest.json (v12), each column of a built table with its type ({@code data_type}).
   *
   * @param built the tables and views built, as {@link #catalog} describes them
   */
  public ObjectNode manifest(String invocationId, Instant generatedAt, List<Relation> built) {
    Map<String, Map<String, String>> types = new LinkedHashMap<>();
    for (Relation relation : built) {
      Map<String, String> columns = new LinkedHashMap<>();
      relation
          .columns()
          .forEach(column -> columns.put(column.name().toLowerCase(Locale.ROOT), column.type()));
      types.put(relation.asset(), columns);
    }
    ObjectNode manifest = JSON.createObjectNode();
    manifest.set(
        "metadata",
        metadata("https://schemas.getdbt.com/dbt/manifest/v12.json", invocationId, generatedAt)
            .put("project_name", packageName)
            .put("adapter_type", "duckdb"));
    ObjectNode nodes = manifest.putObject("nodes");
    Map<String, Set<String>> parents = new TreeMap<>();
    for (SeedDef seed : project.seeds().values()) {
      ObjectNode node =
          node(
              nodes,
              uniqueId(seed.name()),
              "seed",
              seed.name(),
              seed.tableName(),
              seed.csvFile().toString(),
              fileText(seed.csvFile()));
      node.putObject("config").put("enabled", true).put("materialized", "seed");
      node.put("description", nullToEmpty(seed.description()));
      columns(node, seed.columns(), types.get(seed.name()), declared(seed.name()));
      node.putObject("depends_on").putArray("macros"); // a seed's depend on macros only
      parents.put(uniqueId(seed.name()), new LinkedHashSet<>());
      tests(nodes, parents, seed.name(), seed.allChecks());
    }
    for (ModelDef model : project.models().values()) {
      boolean snapshot = model.snapshot() != null;
      String id = uniqueId(model.name());
      ObjectNode node =
          node(
              nodes,
              id,
              snapshot ? "snapshot" : "model",
              dbt.versions().of(model.name()).map(DbtVersions.Versioned::name).orElse(model.name()),
              model.tableName(),
              model.sqlFileName(),
              model.sqlTemplate());
      java.util.Optional<DbtVersions.Versioned> versioned = dbt.versions().of(model.name());
      if (versioned.isPresent()) {
        // dbt gives a version as it is written: a whole number is a number
        String version = dbt.versions().version(model.name());
        String latest = versioned.get().latest();
        if (version.matches("\\d{1,18}")) {
          node.put("version", Long.parseLong(version));
        } else {
          node.put("version", version);
        }
        if (latest.matches("\\d{1,18}")) {
          node.put("latest_version", Long.parseLong(latest));
        } else {
          node.put("latest_version", latest);
        }
      } else if (!snapshot) {
        node.putNull("version");
        node.putNull("latest_version");
      }
      if (!model.materialization().built()) {
        node.putNull("relation_name"); // an ephemeral model is no relation, as in dbt
      }
      ObjectNode config = node.putObject("config");
      config.put("enabled", true);
      config.put("materialized", model.materialization().name().toLowerCase(java.util.Locale.ROOT));
      ArrayNode tags = config.putArray("tags");
      model.tags().forEach(tags::add);
      // an append model ignores its unique_key, but dbt's config gives it as configured
      List<String> uniqueKey =
          model.uniqueKey().isEmpty()
              ? dbt.resources().appendUniqueKey(model.name())
              : model.uniqueKey();
      if (!uniqueKey.isEmpty()) {
        if (uniqueKey.size() == 1) {
          config.put("unique_key", uniqueKey.get(0));
        } else {
          ArrayNode keys = config.putArray("unique_key");
          uniqueKey.forEach(keys::add);
        }
      }
      if (snapshot) {
        config.put(
            "strategy", model.snapshot().strategy().name().toLowerCase(java.util.Locale.ROOT));
        if (model.snapshot().updatedAt() != null) {
          config.put("updated_at", model.snapshot().updatedAt());
        }
      }
      ArrayNode nodeTags = node.putArray("tags");
      model.tags().forEach(nodeTags::add);
      node.put("description", nullToEmpty(model.description()));
      columns(node, model.columns(), types.get(model.name()), declared(model.name()));
      if (!snapshot) {
        governance(node, config, model); // a snapshot has no access or constraints
      }
      node.put("raw_code", model.sqlTemplate());
      node.put("language", "sql");
      ArrayNode refs = node.putArray("refs");
      model.refs().forEach(ref -> refs.addObject().put("name", ref));
      ArrayNode sources = node.putArray("sources");
      model
          .sources()
          .forEach(source -> sources.addArray().add(source.source()).add(source.table()));
      Set<String> dependsOn = new LinkedHashSet<>();
      model.refs().forEach(ref -> dependsOn.add(uniqueId(ref)));
      model.sources().forEach(source -> dependsOn.add(uniqueId(source.assetName())));
      ArrayNode dependencies = node.putObject("depends_on").putArray("nodes");
      dependsOn.forEach(dependencies::add);
      parents.put(id, dependsOn);
      tests(nodes, parents, model.name(), model.allChecks());
    }
    ObjectNode sources = manifest.putObject("sources");
    // the tables Sluice loads, and those read as the warehouse's relations (no location)
    List<SourceDef> allSources = new ArrayList<>(project.sources().values());
    allSources.addAll(dbt.resources().warehouseSources().values());
    for (SourceDef source : allSources) {
      for (SourceTableDef table : source.tables()) {
        String id = uniqueId(table.assetName());
        ObjectNode node = sources.putObject(id);
        Map<String, Object> declared = dbt.resources().sourceProperties(id);
        node.put("database", declared.get("database") instanceof String name ? name : database());
        node.put("schema", declared.get("schema") instanceof String name ? name : table.source());
        node.put("name", table.name());
        node.put("resource_type", "source");
        node.put("package_name", packageName);
        node.put("path", source.location().file());
        node.put("original_file_path", source.location().file());
        node.put("unique_id", id);
        node.putArray("fqn").add(packageName).add(table.source()).add(table.name());
        node.put("source_name", table.source());
        node.put("source_description", nullToEmpty(source.description()));
        node.put("loader", String.valueOf(declared.getOrDefault("loader", "")));
        node.put(
            "identifier", declared.get("identifier") instanceof String name ? name : table.name());
        sourceProperties(node, declared);
        node.put("description", nullToEmpty(table.description()));
        columns(node, table.columns(), types.get(table.assetName()), declared(table.assetName()));
        parents.put(id, new LinkedHashSet<>());
        tests(nodes, parents, table.assetName(), table.allChecks());
      }
    }
    ObjectNode macros = manifest.putObject("macros");
    DbtMacros projectMacros = dbt.macros();
    for (DbtMacros.MacroFile file : projectMacros.files()) {
      if (file.packageName().equals(DbtMacros.DBT_PACKAGE)) {
        continue;
      }
      for (String name : projectMacros.namesIn(file)) {
        String id = "macro." + file.packageName() + "." + name;
        ObjectNode macro = macros.putObject(id);
        macro.put("name", name);
        macro.put("resource_type", "macro");
        macro.put("package_name", file.packageName());
        macro.put("path", file.file());
        macro.put("original_file_path", file.file());
        macro.put("unique_id", id);
        macro.put("macro_sql", file.text());
      }
    }
    ObjectNode docs = manifest.putObject("docs");
    for (DbtDocs.Block block : dbt.docs().blocks().values()) {
      doc(docs, packageName, block, block.location().file());
    }
    for (DbtDocs.PackageDocs pack : dbt.docs().packages().values()) {
      for (DbtDocs.Block block : pack.blocks().values()) {
        doc(docs, pack.name(), block, pack.fileInPackage(block));
      }
    }
    for (String empty : List.of("selectors", "disabled", "unit_tests")) {
      manifest.putObject(empty);
    }
    manifest.set("unit_tests", unitTests(parents));
    dbt.resources()
        .writeTo(
            manifest,
            packageName,
            database(),
            this::uniqueId,
            name -> {
              ModelDef model = project.models().get(name);
              SeedDef seed = project.seeds().get(name);
              return model != null ? model.tableName() : seed == null ? null : seed.tableName();
            },
            parents);
    ObjectNode parentMap = manifest.putObject("parent_map");
    ObjectNode childMap = manifest.putObject("child_map");
    Map<String, Set<String>> children = new TreeMap<>();
    parents.keySet().forEach(id -> children.put(id, new java.util.TreeSet<>()));
    parents.forEach(
        (id, ups) ->
            ups.forEach(
                up -> children.computeIfAbsent(up, key -> new java.util.TreeSet<>()).add(id)));
    parents.forEach(
        (id, ups) -> {
          ArrayNode list = parentMap.putArray(id);
          new java.util.TreeSet<>(ups).forEach(list::add);
        });
    children.forEach(
        (id, downs) -> {
          ArrayNode list = childMap.putArray(id);
          downs.forEach(list::add);
        });
    return manifest;
  }

  /**
   * A source table's properties as declared, which dbt's {@code state:modified} compares: {@code
   * quoting}, {@code freshness}, {@code loaded_at_field}, {@code external}, its config.
   */
  private static void sourceProperties(ObjectNode node, Map<String, Object> declared) {
    ObjectNode quoting = node.putObject("quoting");
    for (String key : List.of("database", "schema", "identifier", "column")) {
      Object value = declared.get("quoting") instanceof Map<?, ?> map ? map.get(key) : null;
      quoting.set(key, value instanceof Boolean flag ? JSON.valueToTree(flag) : null);
    }
    node.set("freshness", JSON.valueToTree(declared.get("freshness")));
    node.put(
        "loaded_at_field",
        declared.get("loaded_at_field") == null
            ? null
            : String.valueOf(declared.get("loaded_at_field")));
    node.set("external", JSON.valueToTree(declared.get("external")));
    Object config = declared.getOrDefault("config", Map.of());
    node.putObject("config").put("enabled", true);
    node.set("unrendered_config", JSON.valueToTree(config));
    node.set("meta", JSON.valueToTree(declared.getOrDefault("meta", Map.of())));
  }

  /**
   * A docs block of the manifest.
   *
   * @param file its file, relative to its package (or project)
   */
  private static void doc(ObjectNode docs, String owner, DbtDocs.Block block, String file) {
    String id = "doc." + owner + "." + block.name();
    ObjectNode doc = docs.putObject(id);
    doc.put("name", block.name());
    doc.put("resource_type", "doc");
    doc.put("package_name", owner);
    doc.put("path", withinDirectory(file));
    doc.put("original_file_path", file);
    doc.put("unique_id", id);
    doc.put("block_contents", block.contents());
  }

  /** The test nodes of an asset's checks (dbt's data tests), with their dependencies. */
  private void tests(
      ObjectNode nodes, Map<String, Set<String>> parents, String asset, List<CheckDef> checks) {
    for (CheckDef check : checks) {
      boolean singular = check.arguments().containsKey(DbtSingularTests.SINGULAR_TEST);
      String testName = testName(asset, check);
      String id =
          "test."
              + packageName
              + "."
              + testName
              + (singular ? "" : "." + sha256(testName).substring(0, 10));
      String file = check.location().file();
      ObjectNode node =
          node(nodes, id, "test", testName, new TableName(auditSchema(), testName), file, "");
      ObjectNode config = node.putObject("config");
      config.put("enabled", true);
      config.put("severity", check.severity().label().toUpperCase(java.util.Locale.ROOT));
      check.testConfig().forEach((key, value) -> config.putPOJO(key, value));
      node.put("raw_code", singular ? String.valueOf(check.arguments().get("query")) : "");
      node.put("language", "sql");
      if (check.column() != null) {
        node.put("column_name", check.column());
      }
      node.put("attached_node", uniqueId(asset));
      Set<String> dependsOn = new LinkedHashSet<>();
      dependsOn.add(uniqueId(asset));
      if (check.type().equals("relationships") && check.arguments().get("to") != null) {
        dependsOn.add(uniqueId(String.valueOf(check.arguments().get("to"))));
      }
      ArrayNode dependencies = node.putObject("depends_on").putArray("nodes");
      dependsOn.forEach(dependencies::add);
      parents.put(id, dependsOn);
    }
  }

  /**
   * The project's unit tests (dbt 1.8), as dbt's manifest has them: by {@code
   * unit_test.<project>.<model>.<name>}, each depending on the model it tests; rows given as a list
   * of mappings or CSV are listed as mappings, as dbt normalizes them, SQL rows as the query.
   */
  private ObjectNode unitTests(Map<String, Set<String>> parents) {
    ObjectNode unitTests = JSON.createObjectNode();
    for (UnitTestDef test : project.unitTests().values()) {
      String id = unitTestUniqueId(test);
      ObjectNode node = unitTests.putObject(id);
      node.put("model", test.model());
      ArrayNode given = node.putArray("given");
      for (UnitTestDef.Given input : test.given()) {
        ObjectNode fixture = given.addObject().put("input", input.input().text());
        fixtureRows(fixture, input.rows());
      }
      fixtureRows(node.putObject("expect"), test.expect());
      node.put("name", test.name());
      node.put("resource_type", "unit_test");
      node.put("package_name", packageName);
      String file = test.location().file();
      node.put("path", withinDirectory(file));
      node.put("original_file_path", file);
      node.put("unique_id", id);
      ArrayNode fqn = node.putArray("fqn").add(packageName);
      Path path = Path.of(withinDirectory(file));
      for (int i = 0; i < path.getNameCount() - 1; i++) {
        fqn.add(path.getName(i).toString());
      }
      fqn.add(test.model()).add(test.name());
      node.put("description", nullToEmpty(test.description()));
      if (test.vars().isEmpty()
          && test.macros().isEmpty()
          && test.envVars().isEmpty()
          && test.incremental() == null) {
        node.putNull("overrides");
      } else {
        ObjectNode overrides = node.putObject("overrides");
        ObjectNode macros = overrides.putObject("macros");
        if (test.incremental() != null) {
          macros.put("is_incremental", test.incremental());
        }
        test.macros().forEach(macros::putPOJO);
        ObjectNode vars = overrides.putObject("vars");
        test.vars().forEach(vars::putPOJO);
        ObjectNode envVars = overrides.putObject("env_vars");
        test.envVars().forEach(envVars::put);
      }
      ObjectNode dependsOn = node.putObject("depends_on");
      dependsOn.putArray("macros");
      dependsOn.putArray("nodes").add(uniqueId(test.model()));
      ObjectNode config = node.putObject("config");
      ArrayNode tags = config.putArray("tags");
      test.tags().forEach(tags::add);
      config.putObject("meta");
      config.put("enabled", true);
      node.put("checksum", sha256(test.toString()));
      ModelDef model = project.models().get(test.model());
      if (model == null) {
        node.putNull("schema");
      } else {
        node.put("schema", model.tableName().zone());
      }
      node.putNull("versions");
      node.putNull("version");
      parents.put(id, new LinkedHashSet<>(List.of(uniqueId(test.model()))));
    }
    return unitTests;
  }

  private static void fixtureRows(ObjectNode fixture, UnitTestDef.Rows rows) {
    if (rows.sql() != null) {
      fixture.put("rows", rows.sql());
    } else {
      ArrayNode list = fixture.putArray("rows");
      for (UnitTestDef.Row row : rows.rows()) {
        ObjectNode values = list.addObject();
        row.cells().forEach((column, cell) -> values.putPOJO(column, cell.value()));
      }
    }
    fixture.put("format", rows.format());
    if (rows.fixture() == null) {
      fixture.putNull("fixture");
    } else {
      String name = Path.of(rows.fixture()).getFileName().toString();
      fixture.put("fixture", name.substring(0, name.lastIndexOf('.')));
    }
  }

  /** A unit test's unique id, as dbt gives it: {@code unit_test.<project>.<model>.<name>}. */
  public String unitTestUniqueId(UnitTestDef test) {
    return "unit_test." + packageName + "." + test.model() + "." + test.name();
  }

  /** The name dbt gives a test's node. */
  private String testName(String asset, CheckDef check) {
    if (check.arguments().containsKey(DbtSingularTests.SINGULAR_TEST)
        || !check.name().contains("(")) {
      return check.name();
    }
    String test =
        check.arguments().get(DbtTests.GENERIC_TEST) instanceof String generic
            ? generic
            : check.type();
    Map<String, Object> arguments = new LinkedHashMap<>();
    check
        .arguments()
        .forEach(
            (key, value) -> {
              if (!key.equals("query") && !key.startsWith("dbt_")) {
                arguments.put(key, value);
              }
            });
    if (check.type().equals("relationships") && arguments.get("to") instanceof String to) {
      int dot = to.indexOf('.');
      arguments.put(
          "to",
          dot < 0
              ? "ref('" + to + "')"
              : "source('" + to.substring(0, dot) + "', '" + to.substring(dot + 1) + "')");
    }
    if (check.column() != null) {
      arguments.put("column_name", check.column());
    }
    return DbtTestNames.shortName(test, asset, arguments);
  }

  private String auditSchema() {
    return dbt.targetSchema() + "_dbt_test__audit";
  }

  /** The fields every node has. */
  private ObjectNode node(
      ObjectNode nodes,
      String id,
      String resourceType,
      String name,
      TableName table,
      String file,
      String text) {
    ObjectNode node = nodes.putObject(id);
    node.put("database", database());
    node.put("schema", table.zone());
    node.put("name", name);
    node.put("resource_type", resourceType);
    DbtPackageNodes.Origin origin =
        resourceType.equals("test") ? null : dbt.packageNodes().origin(name);
    String original = origin == null ? file : origin.originalFile();
    node.put("package_name", origin == null ? packageName : origin.packageName());
    node.put("path", withinDirectory(original));
    node.put("original_file_path", original);
    node.put("unique_id", id);
    ArrayNode fqn = node.putArray("fqn");
    if (origin != null) {
      origin.fqn().forEach(fqn::add);
    } else {
      fqn.add(packageName);
      Path path = Path.of(withinDirectory(file));
      for (int i = 0; i < path.getNameCount() - 1; i++) {
        fqn.add(path.getName(i).toString());
      }
      fqn.add(name);
    }
    node.put("alias", table.name());
    node.putObject("checksum").put("name", "sha256").put("checksum", sha256(text));
    node.put(
        "relation_name",
        "\"" + database() + "\".\"" + table.zone() + "\".\"" + table.name() + "\"");
    return node;
  }

  /** What a model's, seed's or snapshot's properties declare, or null. */
  private DbtProperties.Declared declared(String asset) {
    return dbt.resources().declared(uniqueId(asset));
  }

  /** A model's {@code access}, {@code group}, {@code contract} and constraints, as declared. */
  private void governance(ObjectNode node, ObjectNode config, ModelDef modelDef) {
    String model = modelDef.name();
    DbtResources.Governance governance = dbt.resources().governance(model);
    String access =
        governance == null || governance.access() == null ? "protected" : governance.access();
    String group = governance == null ? null : governance.group();
    ObjectNode contract = JSON.createObjectNode();
    contract.put("enforced", false).put("alias_types", true);
    if (governance != null && governance.contract() instanceof Map<?, ?> declared) {
      declared.forEach(
          (key, value) -> {
            if (key.equals("enforced") || key.equals("alias_types")) {
              contract.put(String.valueOf(key), Boolean.TRUE.equals(value));
            }
          });
    }
    if (contract.get("enforced").asBoolean()) {
      contract.put("checksum", contractChecksum(modelDef.materialization(), declared(model)));
    } else {
      contract.putNull("checksum");
    }
    for (ObjectNode target : List.of(node, config)) {
      target.put("access", access);
      target.put("group", group);
    }
    node.set("contract", contract);
    ObjectNode configContract = config.putObject("contract");
    configContract.put("enforced", contract.get("enforced").asBoolean());
    configContract.put("alias_types", contract.get("alias_types").asBoolean());
    ArrayNode constraints = node.putArray("constraints");
    DbtProperties.Declared declared = declared(model);
    if (declared != null) {
      declared.constraints().forEach(constraint -> constraints.add(JSON.valueToTree(constraint)));
    }
  }

  /**
   * dbt's {@code contract.checksum} of an enforced model ({@code ModelNode.build_contract_checksum}
   * in dbt-core 1.10): the SHA-256 of, for each column by name, {@code |name}, its {@code
   * data_type} and its constraints as Python prints them, then, for a table or incremental model,
   * its materialization and its model-level constraints as Python prints them.
   */
  static String contractChecksum(Materialization materialization, DbtProperties.Declared declared) {
    StringBuilder state = new StringBuilder();
    Map<String, DbtProperties.DeclaredColumn> columns =
        new java.util.TreeMap<>(declared == null ? Map.of() : declared.columns());
    columns.forEach(
        (name, column) ->
            state
                .append('|')
                .append(name)
                .append(column.dataType() == null ? "None" : column.dataType())
                .append(constraintsRepr(column.constraints(), false)));
    String materialized =
        switch (materialization) {
          case TABLE -> "table";
          case INCREMENTAL, INCREMENTAL_BY_TIME_RANGE, INCREMENTAL_BY_PARTITION -> "incremental";
          default -> null;
        };
    if (materialized != null) {
      state
          .append(materialized)
          .append(constraintsRepr(declared == null ? List.of() : declared.constraints(), true));
    }
    return sha256(state.toString());
  }

  /**
   * A list of dbt's {@code ColumnLevelConstraint} (or {@code ModelLevelConstraint}) dataclasses as
   * Python's {@code str()} prints it, from the constraints as declared.
   */
  private static String constraintsRepr(List<Map<String, Object>> constraints, boolean model) {
    java.util.StringJoiner list = new java.util.StringJoiner(", ", "[", "]");
    for (Map<String, Object> constraint : constraints) {
      String type = String.valueOf(constraint.get("type"));
      StringBuilder repr =
          new StringBuilder(model ? "ModelLevelConstraint(" : "ColumnLevelConstraint(")
              .append("type=<ConstraintType.")
              .append(type)
              .append(": ")
              .append(pythonRepr(type))
              .append(">, name=")
              .append(pythonText(constraint.get("name")))
              .append(", expression=")
              .append(pythonText(constraint.get("expression")))
              .append(", warn_unenforced=")
              .append(pythonBoolean(constraint.get("warn_unenforced")))
              .append(", warn_unsupported=")
              .append(pythonBoolean(constraint.get("warn_unsupported")))
              .append(", to=")
              .append(pythonText(constraint.get("to")))
              .append(", to_columns=")
              .append(pythonTexts(constraint.get("to_columns")));
      if (model) {
        repr.append(", columns=").append(pythonTexts(constraint.get("columns")));
      }
      list.add(repr.append(')'));
    }
    return list.toString();
  }

  private static String pythonText(Object value) {
    return value == null ? "None" : pythonRepr(String.valueOf(value));
  }

  /** A text as Python's {@code repr()} prints it (its quotes chosen and escapes made as there). */
  static String pythonRepr(String text) {
    char quote = text.indexOf('\'') >= 0 && text.indexOf('"') < 0 ? '"' : '\'';
    StringBuilder repr = new StringBuilder().append(quote);
    text.codePoints()
        .forEach(
            c -> {
              if (c == quote || c == '\\') {
                repr.append('\\').appendCodePoint(c);
              } else if (c == '\n') {
                repr.append("\\n");
              } else if (c == '\r') {
                repr.append("\\r");
              } else if (c == '\t') {
                repr.append("\\t");
              } else if (c < 0x20 || c == 0x7f) {
                repr.append(String.format(Locale.ROOT, "\\x%02x", c));
              } else {
                repr.appendCodePoint(c);
              }
            });
    return repr.append(quote).toString();
  }

  private static String pythonBoolean(Object value) {
    return Boolean.FALSE.equals(value) || "false".equalsIgnoreCase(String.valueOf(value))
        ? "False"
        : "True";
  }

  private static String pythonTexts(Object value) {
    java.util.StringJoiner list = new java.util.StringJoiner(", ", "[", "]");
    if (value instanceof List<?> items) {
      items.forEach(item -> list.add(pythonText(item)));
    } else if (value != null) {
      list.add(pythonText(value));
    }
    return list.toString();
  }

  /**
   * A node's documented columns: the {@code data_type}, constraints, {@code quote}, {@code meta}
   * and {@code tags} its properties declare, else the type of the built table's column.
   *
   * @param types each column's type in the built table, by its name in lower case; null when the
   *     table's types are not known
   * @param declared what the properties declare of the columns, or null
   */
  private static void columns(
      ObjectNode node,
      List<ColumnDef> columns,
      Map<String, String> types,
      DbtProperties.Declared declared) {
    ObjectNode all = node.putObject("columns");
    for (ColumnDef column : columns) {
      DbtProperties.DeclaredColumn declaredColumn =
          declared == null ? null : declared.columns().get(column.name());
      ObjectNode entry = all.putObject(column.name());
      entry.put("name", column.name());
      entry.put("description", nullToEmpty(column.description()));
      entry.set(
          "meta", JSON.valueToTree(declaredColumn == null ? Map.of() : declaredColumn.meta()));
      String type =
          declaredColumn != null && declaredColumn.dataType() != null
              ? declaredColumn.dataType()
              : types == null ? null : types.get(column.name().toLowerCase(Locale.ROOT));
      entry.put("data_type", type);
      ArrayNode constraints = entry.putArray("constraints");
      ArrayNode tags = entry.putArray("tags");
      if (declaredColumn != null) {
        declaredColumn
            .constraints()
            .forEach(constraint -> constraints.add(JSON.valueToTree(constraint)));
        declaredColumn.tags().forEach(tags::add);
      }
      if (declaredColumn == null || declaredColumn.quote() == null) {
        entry.putNull("quote");
      } else {
        entry.put("quote", declaredColumn.quote());
      }
    }
  }

  /**
   * A column of a built table, as the catalog describes it.
   *
   * @param type the engine's name of its type ({@code INTEGER}, {@code VARCHAR})
   * @param comment its description in the table, or null
   */
  public record Column(String name, String type, String comment) {
    public Column {
      requireNonNull(name, "name is null");
      requireNonNull(type, "type is null");
    }
  }

  /**
   * The table or view of an asset (a model, seed, snapshot or source table), as built.
   *
   * @param asset the asset's Sluice name
   * @param rows the rows of the table's current snapshot, or null (a view, an empty table)
   * @param bytes the size of its data files, or null
   */
  public record Relation(
      String asset, TableName table, boolean view, List<Column> columns, Long rows, Long bytes) {
    public Relation {
      requireNonNull(asset, "asset is null");
      requireNonNull(table, "table is null");
      columns = List.copyOf(columns);
    }

    /** This relation without the named columns. */
    public Relation without(Set<String> names) {
      return new Relation(
          asset,
          table,
          view,
          columns.stream().filter(column -> !names.contains(column.name())).toList(),
          rows,
          bytes);
    }
  }

  /**
   * catalog.json (v1), as {@code dbt docs generate} writes it: for each built model, seed, snapshot
   * ({@code nodes}) and source table ({@code sources}), its relation, its columns with their types
   * and positions, and its row count and size where the table has them.
   */
  public ObjectNode catalog(
      String invocationId, Instant generatedAt, List<Relation> nodes, List<Relation> sources) {
    ObjectNode catalog = JSON.createObjectNode();
    catalog.set(
        "metadata",
        metadata("https://schemas.getdbt.com/dbt/catalog/v1.json", invocationId, generatedAt));
    ObjectNode nodeTables = catalog.putObject("nodes");
    nodes.forEach(relation -> catalogTable(nodeTables, relation, relation.table()));
    ObjectNode sourceTables = catalog.putObject("sources");
    Map<String, SourceTableDef> sourceTableDefs = new LinkedHashMap<>();
    project.sources().values().stream()
        .flatMap(source -> source.tables().stream())
        .forEach(table -> sourceTableDefs.put(table.assetName(), table));
    for (Relation relation : sources) {
      SourceTableDef table = sourceTableDefs.get(relation.asset());
      catalogTable(
          sourceTables,
          relation,
          table == null ? relation.table() : new TableName(table.source(), table.name()));
    }
    catalog.putNull("errors");
    return catalog;
  }

  /** One table of the catalog, named as the manifest names its node. */
  private void catalogTable(ObjectNode tables, Relation relation, TableName name) {
    String id = uniqueId(relation.asset());
    ObjectNode table = tables.putObject(id);
    ObjectNode metadata = table.putObject("metadata");
    metadata.put("type", relation.view() ? "VIEW" : "BASE TABLE");
    metadata.put("schema", name.zone());
    metadata.put("name", name.name());
    metadata.put("database", database());
    metadata.putNull("comment");
    metadata.putNull("owner");
    ObjectNode columns = table.putObject("columns");
    int index = 1;
    for (Column column : relation.columns()) {
      ObjectNode entry = columns.putObject(column.name());
      entry.put("type", column.type());
      entry.put("index", index++);
      entry.put("name", column.name());
      if (column.comment() == null) {
        entry.putNull("comment");
      } else {
        entry.put("comment", column.comment());
      }
    }
    ObjectNode stats = table.putObject("stats");
    boolean hasStats = relation.rows() != null;
    stat(
        stats,
        "has_stats",
        "Has Stats?",
        hasStats,
        false,
        "Indicates whether there are statistics for this table");
    if (hasStats) {
      stat(
          stats,
          "row_count",
          "Row Count",
          relation.rows(),
          true,
          "Rows in the table's current Iceberg snapshot");
    }
    if (relation.bytes() != null) {
      stat(
          stats,
          "bytes",
          "Approximate Size",
          relation.bytes(),
          true,
          "Bytes of the data files of the table's current Iceberg snapshot");
    }
    table.put("unique_id", id);
  }

  private static void stat(
      ObjectNode stats,
      String id,
      String label,
      Object value,
      boolean include,
      String description) {
    ObjectNode stat = stats.putObject(id);
    stat.put("id", id);
    stat.put("label", label);
    stat.putPOJO("value", value);
    stat.put("include", include);
    stat.put("description", description);
  }

  /** run_results.json (v6) of a run: each step's model, seed or snapshot, and each of its tests. */
  public ObjectNode runResults(
      String invocationId,
      Instant generatedAt,
      double elapsedSeconds,
      List<NodeResult> results,
      Map<String, Object> arguments) {
    ObjectNode runResults = JSON.createObjectNode();
    runResults.set(
        "metadata",
        metadata("https://schemas.getdbt.com/dbt/run-results/v6.json", invocationId, generatedAt));
    ArrayNode array = runResults.putArray("results");
    for (NodeResult result : results) {
      ObjectNode entry = array.addObject();
      entry.put("status", result.status());
      entry.putArray("timing");
      entry.put("thread_id", "Thread-1");
      entry.put("execution_time", result.executionSeconds());
      entry.putObject("adapter_response");
      if (result.message() == null) {
        entry.putNull("message");
      } else {
        entry.put("message", result.message());
      }
      if (result.failures() == null) {
        entry.putNull("failures");
      } else {
        entry.put("failures", result.failures());
      }
      entry.put("unique_id", result.uniqueId());
      entry.put("compiled", true);
      if (result.compiledCode() == null) {
        entry.putNull("compiled_code");
      } else {
        entry.put("compiled_code", result.compiledCode());
      }
      if (result.relationName() == null) {
        entry.putNull("relation_name");
      } else {
        entry.put("relation_name", result.relationName());
      }
      if (result.batches() != null) {
        ObjectNode batches = entry.putObject("batch_results");
        addWindows(batches.putArray("successful"), result.batches().successful());
        addWindows(batches.putArray("failed"), result.batches().failed());
      }
    }
    runResults.put("elapsed_time", elapsedSeconds);
    runResults.putPOJO("args", arguments);
    return runResults;
  }

  private static void addWindows(ArrayNode array, List<List<String>> windows) {
    for (List<String> window : windows) {
      ArrayNode pair = array.addArray();
      window.forEach(pair::add);
    }
  }

  /**
   * One node's outcome in run_results.json.
   *
   * @param status dbt's: {@code success}, {@code error}, {@code skipped}, {@code partial success}
   *     (a microbatch model some of whose batches failed) for models, seeds and snapshots; {@code
   *     pass}, {@code fail}, {@code warn}, {@code error} for tests
   * @param failures a test's failures, else null
   * @param compiledCode the SQL the node ran, rendered, when it was rendered in the run; else null
   * @param batches a microbatch model's batches by outcome, else null
   */
  public record NodeResult(
      String uniqueId,
      String status,
      double executionSeconds,
      String message,
      Long failures,
      String relationName,
      String compiledCode,
      BatchResults batches) {}

  /**
   * dbt's {@code batch_results} of a microbatch model: the windows of its batches that were built
   * and of those that failed, each {@code [start, end]} as ISO timestamps with their offset.
   */
  public record BatchResults(List<List<String>> successful, List<List<String>> failed) {
    public BatchResults {
      successful = List.copyOf(successful);
      failed = List.copyOf(failed);
    }
  }

  /**
   * Where a model's SQL goes as a run renders it, as dbt writes it: {@code compiled/} (the compiled
   * SELECT) or {@code run/} (what ran), then {@code <project>/<its file>}, in the target path.
   */
  public Path sqlFile(String kind, ModelDef model) {
    return targetDirectory().resolve(kind).resolve(packageName).resolve(model.sqlFileName());
  }

  /**
   * Adds to a manifest's nodes the SQL a run rendered for them, as dbt's manifest gives a compiled
   * node: {@code compiled}, {@code compiled_code} and {@code compiled_path}.
   *
   * @param compiledCode the rendered SQL of models, by name
   */
  public void addCompiledCode(ObjectNode manifest, Map<String, String> compiledCode) {
    ObjectNode nodes = (ObjectNode) manifest.get("nodes");
    compiledCode.forEach(
        (asset, sql) -> {
          ModelDef model = project.models().get(asset);
          if (nodes != null
              && model != null
              && nodes.get(uniqueId(asset)) instanceof ObjectNode node) {
            node.put("compiled", true);
            node.put("compiled_code", sql);
            node.put(
                "compiled_path",
                project
                    .root()
                    .relativize(sqlFile("compiled", model))
                    .toString()
                    .replace('\\', '/'));
          }
        });
  }

  /**
   * Where a test's SQL goes as a run renders it, as dbt writes it: {@code compiled/} or {@code
   * run/}, then {@code <project>/}: a singular test's file, or the properties file that declares a
   * generic test and the test's name ({@code models/schema.yml/not_null_orders_id.sql}).
   */
  public Path testSqlFile(String kind, String asset, CheckDef check) {
    Path base = targetDirectory().resolve(kind).resolve(packageName);
    String file = check.location().file();
    return check.arguments().containsKey(DbtSingularTests.SINGULAR_TEST)
        ? base.resolve(file)
        : base.resolve(file).resolve(testName(asset, check) + ".sql");
  }

  /**
   * Adds to a manifest's test nodes the SQL a run ran for them, as dbt's manifest gives a compiled
   * test: {@code compiled}, {@code compiled_code} and {@code compiled_path}.
   *
   * @param compiledCode the SQL of tests, by unique id
   * @param paths where each was written ({@link #testSqlFile}), by unique id
   */
  public void addTestCompiledCode(
      ObjectNode manifest, Map<String, String> compiledCode, Map<String, Path> paths) {
    ObjectNode nodes = (ObjectNode) manifest.get("nodes");
    compiledCode.forEach(
        (id, sql) -> {
          if (nodes != null && nodes.get(id) instanceof ObjectNode node) {
            node.put("compiled", true);
            node.put("compiled_code", sql);
            node.put(
                "compiled_path",
                project.root().relativize(paths.get(id)).toString().replace('\\', '/'));
          }
        });
  }

  /** A test's unique id, for run_results.json. */
  public String testUniqueId(String asset, CheckDef check) {
    String name = testName(asset, check);
    return "test."
        + packageName
        + "."
        + name
        + (check.arguments().containsKey(DbtSingularTests.SINGULAR_TEST)
            ? ""
            : "." + sha256(name).substring(0, 10));
  }

  /** What dbt-duckdb names an asset's relation: {@code "db"."schema"."table"}. */
  public String relationName(TableName table) {
    return "\"" + database() + "\".\"" + table.zone() + "\".\"" + table.name() + "\"";
  }

  /** Writes an artifact into the target directory. */
  public Path write(String fileName, ObjectNode artifact) {
    Path file = targetDirectory().resolve(fileName);
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, JSON.writeValueAsString(artifact), StandardCharsets.UTF_8);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  /** An artifact of the given dbt schema, with its {@code metadata}. */
  public ObjectNode artifact(String schema, String invocationId, Instant generatedAt) {
    ObjectNode artifact = JSON.createObjectNode();
    artifact.set("metadata", metadata(schema, invocationId, generatedAt));
    return artifact;
  }

  private ObjectNode metadata(String schema, String invocationId, Instant generatedAt) {
    ObjectNode metadata = JSON.createObjectNode();
    metadata.put("dbt_schema_version", schema);
    metadata.put("dbt_version", DBT_VERSION);
    metadata.put("generated_at", generatedAt.toString());
    metadata.put("invocation_id", invocationId);
    metadata.putObject("env");
    return metadata;
  }

  private String database() {
    return dbt.targetDatabase();
  }

  /** A file's path within its resource directory ({@code models/staging/x.sql}: staging/x.sql). */
  private static String withinDirectory(String file) {
    int slash = file.indexOf('/');
    return slash < 0 ? file : file.substring(slash + 1);
  }

  private String fileText(Path file) {
    try {
      return Files.readString(project.root().resolve(file), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  private static String nullToEmpty(String text) {
    return text == null ? "" : text;
  }

  static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from the JVM", e);
    }
  }
}
