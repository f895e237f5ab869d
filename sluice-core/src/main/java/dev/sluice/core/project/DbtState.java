package dev.sluice.core.project;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.api.InvalidInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * dbt's {@code state:} selectors: the project's nodes compared with those of a previous run's
 * {@code manifest.json} ({@code --state DIR}), as dbt compares them: a node is {@code new} when the
 * old manifest does not have it, {@code modified.body} when its file's checksum differs, {@code
 * modified.configs} when its config differs, {@code modified.relation} when its schema or alias
 * differs (a new node is all three); {@code modified} is any of those, {@code old} and {@code
 * unmodified} their opposites. Source tables are compared by their properties ({@link #sourceIn}).
 */
final class DbtState {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> STATES =
      Set.of(
          "modified",
          "new",
          "modified.body",
          "modified.configs",
          "modified.relation",
          "unmodified",
          "old");

  private DbtState() {}

  /**
   * The assets in a state.
   *
   * @throws InvalidInputException without {@code --state}, for a directory without a readable
   *     manifest.json, an unknown state, or a project that is not a dbt project
   */
  static Set<String> select(Project project, String state) {
    String wanted = state.toLowerCase(Locale.ROOT);
    if (!STATES.contains(wanted)) {
      throw new InvalidInputException(
          "Unknown state 'state:"
              + state
              + "': "
              + Suggestions.hint(wanted, STATES, "the states are"));
    }
    Path directory = project.invocation().state();
    if (directory == null) {
      throw new InvalidInputException(
          "state:"
              + state
              + " compares with a previous run's manifest.json: give its directory with --state"
              + " DIR (e.g. --state prod-artifacts/, a copy of a run's target/)");
    }
    if (project.dbt() == null) {
      throw new InvalidInputException(
          "state:" + state + " compares dbt's manifest.json, which only a dbt project has");
    }
    Path file = directory.resolve("manifest.json");
    if (!Files.isRegularFile(file)) {
      throw new InvalidInputException(
          "No manifest.json in the --state directory "
              + directory
              + ": give the target/ directory of a previous run (sluice run and sluice compile"
              + " write manifest.json there)");
    }
    JsonNode old;
    try {
      old = JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new InvalidInputException(
          "Cannot read " + file + " as a dbt manifest: " + e.getMessage(), e);
    }
    DbtArtifacts artifacts = new DbtArtifacts(project);
    JsonNode manifest = artifacts.manifest("state", Instant.EPOCH);
    JsonNode current = manifest.path("nodes");
    JsonNode currentSources = manifest.path("sources");
    JsonNode oldNodes = old.path("nodes");
    JsonNode oldSources = old.path("sources");
    Set<String> selected = new LinkedHashSet<>();
    for (String asset : project.graph().topologicalOrder()) {
      String id = artifacts.uniqueId(asset);
      JsonNode now = current.path(id);
      if (now.isMissingNode()) {
        JsonNode source = currentSources.path(id);
        if (!source.isMissingNode() && sourceIn(wanted, source, oldSources.path(id))) {
          selected.add(asset);
        }
        continue;
      }
      JsonNode before = oldNodes.path(id);
      if (in(wanted, now, before)) {
        selected.add(asset);
      }
    }
    return selected;
  }

  /**
   * A source table's state, as dbt's {@code SourceDefinition.same_contents} judges it: its relation
   * ({@code database}, {@code schema}, {@code identifier}), its fqn, its config, its {@code
   * quoting}, {@code freshness} with {@code loaded_at_field}, and {@code external}; its
   * description, columns, meta and tags are no change. A source has no body.
   */
  private static boolean sourceIn(String state, JsonNode now, JsonNode before) {
    boolean isNew = before.isMissingNode();
    boolean relation =
        isNew
            || !(same(now, before, "database")
                && same(now, before, "schema")
                && same(now, before, "identifier"));
    boolean configs = isNew || !same(now, before, "unrendered_config");
    boolean modified =
        relation
            || configs
            || !same(now, before, "fqn")
            || !same(now, before, "quoting")
            || !same(now, before, "freshness")
            || !same(now, before, "loaded_at_field")
            || !same(now, before, "external");
    return switch (state) {
      case "new" -> isNew;
      case "old" -> !isNew;
      case "modified.body" -> false; // dbt's sources have no same_body
      case "modified.configs" -> configs;
      case "modified.relation" -> relation;
      case "unmodified" -> !modified;
      default -> modified;
    };
  }

  /** Whether a field is the same in both (missing and null are the same, as dbt's defaults). */
  private static boolean same(JsonNode now, JsonNode before, String field) {
    JsonNode a = now.path(field);
    JsonNode b = before.path(field);
    boolean noA = a.isMissingNode() || a.isNull();
    boolean noB = b.isMissingNode() || b.isNull();
    return (noA && noB) || a.equals(b);
  }

  private static boolean in(String state, JsonNode now, JsonNode before) {
    // as dbt's checks: a node the old manifest lacks is new, and modified in every respect
    boolean isNew = before.isMissingNode();
    boolean body =
        isNew
            || !now.path("checksum")
                .path("checksum")
                .asText()
                .equals(before.path("checksum").path("checksum").asText());
    boolean configs = isNew || !configs(now).equals(configs(before));
    boolean relation =
        isNew
            || !(now.path("schema").asText().equals(before.path("schema").asText())
                && now.path("alias").asText().equals(before.path("alias").asText()));
    boolean modified = isNew || body || configs || relation;
    return switch (state) {
      case "new" -> isNew;
      case "old" -> !isNew;
      case "modified.body" -> body;
      case "modified.configs" -> configs;
      case "modified.relation" -> relation;
      case "unmodified" -> !modified;
      default -> modified;
    };
  }

  /** A node's config as a map, so that the order of keys does not count. */
  private static Map<String, Object> configs(JsonNode node) {
    JsonNode config = node.path("config");
    return config.isObject() ? JSON.convertValue(config, CONFIG) : Map.of();
  }

  private static final com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>> CONFIG =
      new com.fasterxml.jackson.core.type.TypeReference<>() {};
}
