package dev.sluice.core.project;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.Location;
import dev.sluice.api.TableName;
import dev.sluice.core.project.DbtConfigTree.Setting;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Names a dbt model's or seed's table as dbt does: its schema is what the macro {@code
 * generate_schema_name} gives (dbt's default: the target's schema, or {@code
 * <target_schema>_<custom_schema>} for a model with a custom {@code schema}), its name what {@code
 * generate_alias_name} gives (its {@code alias}, else its name). A project's own {@code
 * generate_schema_name} or {@code generate_alias_name} in its macro paths is rendered with Jinjava
 * instead, as dbt renders it. The table is the Iceberg table {@code <schema>.<name>}, the schema in
 * lower case (DuckDB's names, which dbt-duckdb creates, ignore case).
 */
final class DbtNames {
  /** dbt's own macros around naming, which a project's macros may call. */
  static final DbtMacros.MacroFile BUILT_IN =
      new DbtMacros.MacroFile(
          "dbt's built-in macros",
          """
          {% macro default__generate_schema_name(custom_schema_name, node) -%}
            {%- set default_schema = target.schema -%}
            {%- if custom_schema_name is none -%}
              {{ default_schema }}
            {%- else -%}
              {{ default_schema }}_{{ custom_schema_name | trim }}
            {%- endif -%}
          {%- endmacro %}
          {% macro generate_schema_name(custom_schema_name, node) -%}
            {{ default__generate_schema_name(custom_schema_name, node) }}
          {%- endmacro %}
          {% macro generate_schema_name_for_env(custom_schema_name, node) -%}
            {%- set default_schema = target.schema -%}
            {%- if target.name == 'prod' and custom_schema_name is not none -%}
              {{ custom_schema_name | trim }}
            {%- else -%}
              {{ default_schema }}
            {%- endif -%}
          {%- endmacro %}
          {% macro default__generate_alias_name(custom_alias_name, node) -%}
            {%- if custom_alias_name -%}
              {{ custom_alias_name | trim }}
            {%- else -%}
              {{ node.name }}
            {%- endif -%}
          {%- endmacro %}
          {% macro generate_alias_name(custom_alias_name, node) -%}
            {{ default__generate_alias_name(custom_alias_name, node) }}
          {%- endmacro %}
          """,
          DbtMacros.DBT_PACKAGE);

  private final String projectName;
  private final DbtProfile profile;
  private final DbtMacros macros;
  private final Map<String, Object> vars;
  private final Map<String, Object> globals;

  /**
   * @param globals what the project's templates see besides the functions ({@link DbtGlobals#of})
   */
  DbtNames(
      String projectName,
      DbtProfile profile,
      DbtMacros macros,
      Map<String, Object> vars,
      Map<String, Object> globals) {
    this.projectName = requireNonNull(projectName, "projectName is null");
    this.profile = requireNonNull(profile, "profile is null");
    this.macros = requireNonNull(macros, "macros is null");
    this.vars = requireNonNull(vars, "vars is null");
    this.globals = Copies.orderedMap(globals);
  }

  /**
   * The table of a model or seed.
   *
   * @param resourceType {@code model} or {@code seed}
   * @param fqn its path in the config tree: package, directories, name
   * @param file its file, relative to the project
   * @param settings its configs (the tree's, its properties', its SQL's), with their lines
   */
  TableName table(
      String resourceType,
      String name,
      List<String> fqn,
      String file,
      Map<String, Setting> settings,
      Problems problems) {
    Setting schemaSetting = settings.get("schema");
    Setting aliasSetting = settings.get("alias");
    String customSchema = text(schemaSetting);
    String alias = text(aliasSetting);
    Location fileLocation = new Location(file, 1);
    String schema;
    if (macros.overrides("generate_schema_name")) {
      schema =
          render(
              "generate_schema_name",
              customSchema,
              resourceType,
              name,
              fqn,
              file,
              settings,
              problems);
    } else {
      schema =
          customSchema == null ? profile.schema() : profile.schema() + "_" + customSchema.strip();
    }
    String table;
    if (macros.overrides("generate_alias_name")) {
      table =
          render("generate_alias_name", alias, resourceType, name, fqn, file, settings, problems);
    } else {
      table = alias == null ? name : alias.strip();
    }
    schema = schema.toLowerCase(Locale.ROOT);
    Location schemaLocation = schemaSetting == null ? fileLocation : schemaSetting.location();
    if (!TableName.isIdentifier(schema)) {
      problems.add(
          schemaLocation,
          "The schema of " + resourceType + " '" + name + "' is '" + schema + "'",
          "Sluice names a dbt schema's Iceberg namespace after it: letters, digits and '_'");
      schema = profile.schema();
    }
    if (!TableName.isIdentifier(table)) {
      problems.add(
          aliasSetting == null ? fileLocation : aliasSetting.location(),
          "The alias of " + resourceType + " '" + name + "' is '" + table + "'",
          "Sluice names tables with letters, digits and '_'");
      table = name;
    }
    return new TableName(schema, table);
  }

  private String render(
      String macro,
      String custom,
      String resourceType,
      String name,
      List<String> fqn,
      String file,
      Map<String, Setting> settings,
      Problems problems) {
    DbtMacros.MacroFile definedIn = macros.fileOf(macro);
    Location location = new Location(definedIn.file(), 1);
    Map<String, Object> bindings = new LinkedHashMap<>();
    bindings.put("node", node(resourceType, name, fqn, file, settings));
    if (custom != null) {
      bindings.put("custom_name", custom);
    }
    String argument = custom == null ? "none" : "custom_name";
    Problems renderProblems = new Problems();
    TemplateSession renderSession =
        new TemplateSession(
                location,
                false,
                false,
                false,
                vars,
                ref -> ref.isEmpty() ? null : new TableName("curated", ref),
                (source, table) -> null,
                renderProblems)
            .withDbt(macros, globals);
    String rendered =
        SqlRenderer.renderBound(
                "{{ " + macro + "(" + argument + ", node) }}", renderSession, bindings)
            .strip();
    if (!renderProblems.isEmpty()) {
      renderProblems
          .sorted()
          .forEach(
              problem ->
                  problems.add(
                      location,
                      "Cannot name the table of "
                          + resourceType
                          + " '"
                          + name
                          + "' with macro '"
                          + macro
                          + "': "
                          + problem.message(),
                      problem.hint()));
      return name;
    }
    return rendered;
  }

  private Map<String, Object> node(
      String resourceType,
      String name,
      List<String> fqn,
      String file,
      Map<String, Setting> settings) {
    Map<String, Object> config = new LinkedHashMap<>();
    settings.forEach((key, setting) -> config.put(key, setting.value()));
    Map<String, Object> node = new LinkedHashMap<>();
    node.put("name", name);
    node.put("resource_type", resourceType);
    // a package's node: its fqn starts with its package's name
    String packageName = fqn.isEmpty() ? projectName : fqn.get(0);
    node.put("package_name", packageName);
    node.put("unique_id", resourceType + "." + packageName + "." + name);
    node.put("fqn", fqn);
    node.put("original_file_path", file);
    node.put("path", file);
    node.put("config", config);
    return node;
  }

  private static String text(Setting setting) {
    if (setting == null || setting.value() == null) {
      return null;
    }
    String text = String.valueOf(setting.value());
    return text.isBlank() ? null : text;
  }
}
