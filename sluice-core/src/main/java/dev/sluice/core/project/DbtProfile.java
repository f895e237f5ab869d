package dev.sluice.core.project;

import dev.sluice.api.Location;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The target a dbt project runs against, from {@code profiles.yml} in the project directory, in
 * {@code DBT_PROFILES_DIR} or in {@code ~/.dbt}. A {@code duckdb} target maps to Sluice's embedded
 * defaults (its {@code path} is not used: tables are Iceberg tables in the warehouse); another type
 * is a problem, since the project's SQL is written for that database. No profile is no problem:
 * Sluice's defaults apply.
 *
 * @param name the target's name ({@code target:} of the profile), {@code dev} by default
 * @param schema the target's schema, {@code main} (DuckDB's) by default
 * @param threads the target's threads, or null to keep Sluice's default
 * @param file where the profile was read, or null when there is none
 * @param profileName the profile's name, as {@code target.profile_name} gives it
 * @param database the target's database as dbt-duckdb names it: its {@code path}'s file name
 *     without extension, {@code memory} without one
 */
record DbtProfile(
    String name, String schema, Integer threads, String file, String profileName, String database) {
  private static final Logger LOG = LoggerFactory.getLogger(DbtProfile.class);
  static final String FILE = "profiles.yml";
  private static final Set<String> TARGET_KEYS = Set.of("type", "schema", "threads", "path");

  /** No profiles.yml: Sluice's defaults, as a duckdb target named dev. */
  static final DbtProfile DEFAULT = new DbtProfile("dev", "main", null, null, null, "memory");

  /**
   * Reads the profile {@code profileName} (the project's name when null) from the first
   * profiles.yml found.
   *
   * @param asked the output asked for ({@code --target}), or null for the profile's {@code target:}
   */
  static DbtProfile read(
      Path root,
      String profileName,
      String projectName,
      String asked,
      Function<String, String> environment,
      Problems problems) {
    List<Path> candidates = new ArrayList<>();
    candidates.add(root.resolve(FILE));
    String profilesDir = environment.apply("DBT_PROFILES_DIR");
    if (profilesDir != null && !profilesDir.isBlank()) {
      candidates.add(Path.of(profilesDir).resolve(FILE));
    }
    String home = environment.apply("HOME");
    if (home != null && !home.isBlank()) {
      candidates.add(Path.of(home, ".dbt", FILE));
    }
    Optional<Path> found = candidates.stream().filter(Files::isRegularFile).findFirst();
    if (found.isEmpty()) {
      if (asked != null) {
        problems.add(
            Location.of(DbtProjectFile.FILE),
            "Target '" + asked + "' was asked for, but there is no " + FILE + " to declare it",
            "looked in "
                + candidates
                + "; write the profile with an output '"
                + asked
                + "' (docs/dbt.md), or run without --target");
        return DEFAULT;
      }
      LOG.debug("No {} found ({}): Sluice's defaults apply", FILE, candidates);
      return DEFAULT;
    }
    Path path = found.get();
    String file = path.startsWith(root) ? YamlFiles.relative(root, path) : path.toString();
    String profile = profileName != null ? profileName : projectName;
    return YamlFiles.read(path.getParent(), path, problems)
        .flatMap(node -> YamlMap.lenient(file, node, FILE, Set.of(), problems))
        .map(profiles -> target(file, profiles, profile, asked, problems))
        .orElse(DEFAULT);
  }

  private static DbtProfile target(
      String file, YamlMap profiles, String profile, String asked, Problems problems) {
    Optional<YamlMap> maybeProfile =
        profiles
            .node(profile)
            .flatMap(
                node ->
                    YamlMap.lenient(
                        file,
                        node,
                        "profile '" + profile + "'",
                        Set.of("target", "outputs"),
                        problems));
    if (maybeProfile.isEmpty()) {
      if (asked != null) {
        problems.add(
            new Location(file, 1),
            "Target '"
                + asked
                + "' was asked for, but "
                + file
                + " has no profile '"
                + profile
                + "'",
            Suggestions.hint(profile, profiles.keys(), "its profiles are"));
        return DEFAULT;
      }
      LOG.debug("{} has no profile '{}': Sluice's defaults apply", file, profile);
      return DEFAULT;
    }
    YamlMap map = maybeProfile.get();
    String targetName =
        asked != null ? asked : Optional.ofNullable(map.string("target")).orElse("dev");
    if (!map.has("outputs")) {
      return new DbtProfile(targetName, DEFAULT.schema(), null, file, profile, DEFAULT.database());
    }
    Optional<YamlMap> target =
        map.node("outputs")
            .flatMap(node -> YamlMap.lenient(file, node, "outputs", Set.of(), problems))
            .flatMap(
                all -> {
                  if (!all.has(targetName)) {
                    problems.add(
                        asked != null || !map.has("target")
                            ? map.location("outputs")
                            : map.location("target"),
                        "Profile '" + profile + "' has no output '" + targetName + "'",
                        Suggestions.hint(targetName, all.keys(), "its outputs are"));
                    return Optional.empty();
                  }
                  return all.node(targetName)
                      .flatMap(
                          node ->
                              YamlMap.lenient(
                                  file,
                                  node,
                                  "target '" + targetName + "'",
                                  TARGET_KEYS,
                                  problems));
                });
    if (target.isEmpty()) {
      return new DbtProfile(targetName, DEFAULT.schema(), null, file, profile, DEFAULT.database());
    }
    YamlMap output = target.get();
    String type = output.string("type");
    if (type != null && !type.equalsIgnoreCase("duckdb")) {
      problems.add(
          output.location("type"),
          "Target '" + targetName + "' of profile '" + profile + "' is of type '" + type + "'",
          "Sluice runs dbt projects written for dbt-duckdb on its embedded DuckDB engine; add a"
              + " duckdb output and select it with 'target:' (docs/dbt.md)");
    }
    String schema = Optional.ofNullable(output.string("schema")).orElse(DEFAULT.schema());
    Integer threads = null;
    String threadsText = output.string("threads");
    if (threadsText != null && !threadsText.contains("{{")) {
      threads = output.integer("threads", null);
      if (threads != null && threads < 1) {
        problems.add(output.location("threads"), "threads must be at least 1, got " + threads, "");
        threads = null;
      }
    }
    return new DbtProfile(
        targetName, schema, threads, file, profile, database(output.string("path")));
  }

  /** dbt-duckdb's name of the database at a path: the file's name without its extension. */
  private static String database(String path) {
    if (path == null || path.isBlank() || path.strip().equals(":memory:")) {
      return DEFAULT.database();
    }
    String name = Path.of(path.strip()).getFileName().toString();
    int dot = name.lastIndexOf('.');
    return dot > 0 ? name.substring(0, dot) : name;
  }

  /** Where the profile was read, for messages. */
  Location location() {
    return new Location(file == null ? FILE : file, 1);
  }
}
