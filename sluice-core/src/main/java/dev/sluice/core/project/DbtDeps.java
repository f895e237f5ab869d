package dev.sluice.core.project;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.sluice.api.Location;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * dbt's {@code deps} in a dbt project: installs the packages {@code packages.yml} (or {@code
 * dependencies.yml}) declares into the {@code packages-install-path} ({@code dbt_packages/}) and
 * writes {@code package-lock.yml}, as dbt 1.7+ does. A {@code local:} package is linked there (dbt
 * makes a symbolic link named by the package's project name). Sluice cannot download from the dbt
 * Hub, git or a tarball here: such a package counts as installed when a directory of the install
 * path holds it (its {@code dbt_project.yml} has its name and, when packages.yml gives one, a
 * version it accepts), and is otherwise reported missing, with how to vendor it. Unlike dbt, which
 * empties the install path first, Sluice leaves what is there: a vendored package cannot be
 * downloaded again.
 */
public final class DbtDeps {
  /** dbt's lock file, beside dbt_project.yml. */
  public static final String LOCK_FILE = "package-lock.yml";

  /** What became of one declared package. */
  public enum Status {
    /** A local package, linked into the install path now (or already linked there). */
    LINKED,
    /** Present in the install path (vendored), in a version packages.yml accepts. */
    INSTALLED,
    /** Not in the install path, or there in a version packages.yml does not accept. */
    MISSING
  }

  /**
   * One declared package.
   *
   * @param kind {@code local}, {@code package} (the dbt Hub), {@code git} or {@code tarball}
   * @param spec what packages.yml names: a directory, {@code dbt-labs/dbt_utils}, a URL
   * @param versions the versions asked for, or empty
   * @param name the package's project name (or, when missing, the likeliest)
   * @param version the version of the installed package, or null
   * @param directory where it is (or is to be) in the install path, relative to the project
   * @param status what became of it
   * @param message what was done or is wrong, and how to fix it
   * @param location its line in packages.yml
   */
  public record Outcome(
      String kind,
      String spec,
      List<String> versions,
      String name,
      String version,
      String directory,
      Status status,
      String message,
      Location location) {
    public Outcome {
      requireNonNull(kind, "kind is null");
      requireNonNull(spec, "spec is null");
      versions = List.copyOf(versions);
      requireNonNull(name, "name is null");
      requireNonNull(directory, "directory is null");
      requireNonNull(status, "status is null");
      requireNonNull(message, "message is null");
      requireNonNull(location, "location is null");
    }
  }

  /**
   * What {@code deps} did.
   *
   * @param packagesFile the file the packages were declared in, or null when there is none
   * @param lockFile the lock file written, or null (nothing declared, or a package missing)
   */
  public record Result(String packagesFile, List<Outcome> packages, String lockFile) {
    public Result {
      packages = List.copyOf(packages);
    }

    /** The packages that are missing. */
    public List<Outcome> missing() {
      return packages.stream().filter(outcome -> outcome.status() == Status.MISSING).toList();
    }
  }

  private DbtDeps() {}

  /**
   * Installs the declared packages of the dbt project in {@code root}.
   *
   * @throws dev.sluice.api.ProjectException when dbt_project.yml or packages.yml cannot be read
   */
  public static Result install(Path root) {
    Problems problems = new Problems();
    DbtProjectFile project = projectFile(root, problems);
    String installPath = project.packagesInstallPath();
    DbtPackages packages = DbtPackages.read(root, installPath, problems);
    problems.throwIfAny();
    String packagesFile =
        DbtPackages.FILES.stream()
            .filter(file -> Files.isRegularFile(root.resolve(file)))
            .findFirst()
            .orElse(null);
    List<Outcome> outcomes = new ArrayList<>();
    for (DbtPackages.Declared declared : packages.declared()) {
      outcomes.add(
          declared.kind().equals("local")
              ? link(root, installPath, declared)
              : vendored(root, installPath, declared));
    }
    String lockFile = null;
    if (!outcomes.isEmpty() && outcomes.stream().noneMatch(o -> o.status() == Status.MISSING)) {
      writeLock(root, packages.declared(), outcomes);
      lockFile = LOCK_FILE;
    }
    return new Result(packagesFile, outcomes, lockFile);
  }

  /** dbt_project.yml, whose problems are thrown. */
  static DbtProjectFile projectFile(Path root, Problems problems) {
    Path path = root.resolve(DbtProjectFile.FILE);
    if (!Files.isRegularFile(path)) {
      problems.add(
          Location.of(DbtProjectFile.FILE),
          "This is not a dbt project: " + root + " has no dbt_project.yml",
          "run it in a dbt project's directory, or give it with --project DIR");
      problems.throwIfAny();
    }
    Optional<DbtProjectFile> file =
        YamlFiles.read(root, path, problems).flatMap(node -> DbtProjectFile.parse(node, problems));
    problems.throwIfAny();
    return file.orElseThrow();
  }

  /** A local package: a symbolic link to its directory, named by its project, as dbt makes it. */
  private static Outcome link(Path root, String installPath, DbtPackages.Declared declared) {
    Path source = root.resolve(declared.spec()).normalize();
    Optional<DbtPackages.Installed> local =
        Files.isRegularFile(source.resolve(DbtProjectFile.FILE))
            ? DbtPackages.readPackage(root, source, new Problems())
            : Optional.empty();
    if (local.isEmpty()) {
      return outcome(
          declared,
          declared.directoryName(),
          null,
          declared.spec(),
          Status.MISSING,
          "the local package "
              + declared.spec()
              + " has no dbt_project.yml: give the directory of a dbt package ("
              + declared.location()
              + ")");
    }
    String name = local.get().name();
    Path link = root.resolve(installPath).resolve(name);
    String directory = installPath + "/" + name;
    try {
      Files.createDirectories(link.getParent());
      if (Files.isSymbolicLink(link)) {
        Files.delete(link); // dbt replaces what it installed before
      } else if (Files.exists(link, LinkOption.NOFOLLOW_LINKS)) {
        return outcome(
            declared,
            name,
            version(source),
            directory,
            Status.INSTALLED,
            directory
                + " is a copy, left as it is: remove it to link "
                + declared.spec()
                + " instead");
      }
      Files.createSymbolicLink(link, source.toAbsolutePath());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot link " + directory + " to " + source, e);
    }
    return outcome(
        declared,
        name,
        version(source),
        directory,
        Status.LINKED,
        "linked " + directory + " to " + declared.spec());
  }

  /** A package of the dbt Hub, git or a tarball: installed only when vendored. */
  private static Outcome vendored(Path root, String installPath, DbtPackages.Declared declared) {
    String what =
        declared.spec()
            + (declared.versions().isEmpty() ? "" : " " + String.join(", ", declared.versions()))
            + (declared.settings().get("revision") == null
                ? ""
                : " (revision " + declared.settings().get("revision") + ")");
    String source =
        switch (declared.kind()) {
          case "package" -> "the dbt Hub";
          case "git" -> "git";
          default -> "a tarball's URL";
        };
    if (declared.installed().isPresent()) {
      DbtPackages.Installed installed = declared.installed().get();
      String directory = root.relativize(installed.directory()).toString().replace('\\', '/');
      String version = version(installed.directory());
      Optional<String> refused = refusedVersion(declared.versions(), version);
      if (refused.isEmpty()) {
        return outcome(
            declared,
            installed.name(),
            version,
            directory,
            Status.INSTALLED,
            "present in " + directory + (version == null ? "" : " (version " + version + ")"));
      }
      return outcome(
          declared,
          installed.name(),
          version,
          directory,
          Status.MISSING,
          what
              + " is asked for, and "
              + directory
              + " holds "
              + refused.get()
              + ": Sluice cannot download from "
              + source
              + " here; replace it with the version asked for (a copy of the package, as dbt"
              + " deps installs it)");
    }
    String directory = installPath + "/" + declared.directoryName();
    return outcome(
        declared,
        declared.directoryName(),
        null,
        directory,
        Status.MISSING,
        what
            + " is not installed: Sluice cannot download from "
            + source
            + " here; vendor it: copy the package (the directory with its dbt_project.yml, e.g."
            + " from a machine where dbt deps ran) into "
            + directory);
  }

  private static Outcome outcome(
      DbtPackages.Declared declared,
      String name,
      String version,
      String directory,
      Status status,
      String message) {
    return new Outcome(
        declared.kind(),
        declared.spec(),
        declared.versions(),
        name,
        version,
        directory,
        status,
        message,
        declared.location());
  }

  /** The {@code version} of a package's dbt_project.yml, or null. */
  private static String version(Path packageDirectory) {
    Problems ignored = new Problems();
    return YamlFiles.read(packageDirectory, packageDirectory.resolve(DbtProjectFile.FILE), ignored)
        .flatMap(
            node ->
                YamlMap.lenient(DbtProjectFile.FILE, node, "a package", Set.of("version"), ignored))
        .map(map -> map.string("version"))
        .orElse(null);
  }

  /**
   * Why an installed version is not one of those asked for (exact versions, or bounds written with
   * an operator such as greater or equal, all of which it must meet, as dbt's ranges), or empty
   * when it is (or nothing is asked for). Versions compare as {@link Runtime.Version}s do.
   */
  static Optional<String> refusedVersion(List<String> asked, String installed) {
    if (asked.isEmpty()) {
      return Optional.empty();
    }
    if (installed == null) {
      return Optional.of("a package whose dbt_project.yml gives no version");
    }
    com.fasterxml.jackson.core.Version have = version(installed);
    if (have.isUnknownVersion()) {
      return Optional.of("version '" + installed + "', which is not a version number");
    }
    for (String requirement : asked) {
      String text = requirement.strip();
      String operator = "==";
      for (String candidate : List.of(">=", "<=", "==", ">", "<", "=")) {
        if (text.startsWith(candidate)) {
          operator = candidate;
          text = text.substring(candidate.length()).strip();
          break;
        }
      }
      com.fasterxml.jackson.core.Version wanted = version(text);
      if (wanted.isUnknownVersion()) {
        return Optional.of("version " + installed + ", and '" + requirement + "' is no version");
      }
      int comparison = have.compareTo(wanted);
      boolean met =
          switch (operator) {
            case ">=" -> comparison >= 0;
            case "<=" -> comparison <= 0;
            case ">" -> comparison > 0;
            case "<" -> comparison < 0;
            default -> comparison == 0;
          };
      if (!met) {
        return Optional.of("version " + installed);
      }
    }
    return Optional.empty();
  }

  /** A semantic version ({@code 1.3.0}, {@code 0.9}); unknown when it is none. */
  private static com.fasterxml.jackson.core.Version version(String text) {
    String value = text.strip();
    if (value.startsWith("v")) {
      value = value.substring(1);
    }
    if (!value.matches("[0-9]+(\\.[0-9]+){0,2}([-+].*)?")) {
      return com.fasterxml.jackson.core.Version.unknownVersion();
    }
    return com.fasterxml.jackson.core.util.VersionUtil.parseVersion(value, "", "");
  }

  /**
   * package-lock.yml as dbt 1.7+ writes it: each package as packages.yml gives it, with its {@code
   * name} (and a Hub package's installed {@code version}), keys in order, and the {@code sha1_hash}
   * of the declared packages, by which dbt knows whether packages.yml changed since.
   */
  private static void writeLock(
      Path root, List<DbtPackages.Declared> declared, List<Outcome> outcomes) {
    List<Map<String, Object>> locked = new ArrayList<>();
    for (int i = 0; i < declared.size(); i++) {
      Map<String, Object> entry = new TreeMap<>(declared.get(i).settings());
      entry.values().removeIf(java.util.Objects::isNull);
      Outcome outcome = outcomes.get(i);
      if (outcome.kind().equals("package") && outcome.version() != null) {
        entry.put("version", outcome.version());
      }
      entry.put("name", outcome.name());
      locked.add(entry);
    }
    Map<String, Object> lock = new TreeMap<>();
    lock.put("packages", locked);
    lock.put("sha1_hash", sha1(declared));
    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    options.setIndent(2);
    options.setIndicatorIndent(2);
    options.setIndentWithIndicator(true);
    try {
      Files.writeString(
          root.resolve(LOCK_FILE), new Yaml(options).dump(lock), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + LOCK_FILE, e);
    }
  }

  /**
   * dbt's {@code sha1_hash}: the SHA-1 of the declared packages, each as JSON with sorted keys (as
   * Python's {@code json.dumps} writes it), sorted, one a line.
   */
  static String sha1(List<DbtPackages.Declared> declared) {
    JsonMapper json = JsonMapper.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();
    List<String> lines = new ArrayList<>();
    for (DbtPackages.Declared entry : declared) {
      StringBuilder line = new StringBuilder("{");
      Map<String, Object> sorted = new TreeMap<>(entry.settings());
      sorted.values().removeIf(java.util.Objects::isNull);
      int index = 0;
      for (Map.Entry<String, Object> setting : sorted.entrySet()) {
        line.append(index++ == 0 ? "" : ", ")
            .append(quoted(json, setting.getKey()))
            .append(": ")
            .append(pythonJson(json, setting.getValue()));
      }
      lines.add(line.append('}').toString());
    }
    java.util.Collections.sort(lines);
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-1")
                  .digest(String.join("\n", lines).getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is missing", e);
    }
  }

  private static String pythonJson(JsonMapper json, Object value) {
    if (value instanceof List<?> list) {
      List<String> items = new ArrayList<>();
      list.forEach(item -> items.add(quoted(json, String.valueOf(item))));
      return "[" + String.join(", ", items) + "]";
    }
    return quoted(json, String.valueOf(value));
  }

  private static String quoted(JsonMapper json, String text) {
    try {
      return json.writeValueAsString(text);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("Cannot write a string as JSON", e);
    }
  }
}
