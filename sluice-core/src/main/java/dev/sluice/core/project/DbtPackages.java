package dev.sluice.core.project;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.Location;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * A dbt project's packages: those installed in its {@code packages-install-path} ({@code
 * dbt_packages/}, each a directory with a {@code dbt_project.yml}, all of them loaded as dbt loads
 * them) and those {@code packages.yml} (or {@code dependencies.yml}) declares as {@code local:}
 * directories. Sluice cannot download from the dbt Hub or git here: a declared package that is not
 * installed is reported, naming where to put it.
 */
final class DbtPackages {
  /** The files that declare packages, in dbt's order of preference. */
  static final List<String> FILES = List.of("packages.yml", "dependencies.yml");

  /**
   * One package.
   *
   * @param name its name (its dbt_project.yml's), which templates use: {@code dbt_utils.star()}
   * @param directory where it is, absolute
   * @param macroPaths its macro paths, relative to the directory
   * @param docsPaths the directories of its docs blocks, relative to the directory
   * @param file its dbt_project.yml: its resource paths, config trees and vars
   */
  record Installed(
      String name,
      Path directory,
      List<String> macroPaths,
      List<String> docsPaths,
      DbtProjectFile file) {
    Installed {
      requireNonNull(name, "name is null");
      requireNonNull(directory, "directory is null");
      macroPaths = List.copyOf(macroPaths);
      docsPaths = List.copyOf(docsPaths);
      requireNonNull(file, "file is null");
    }

    /** Its model paths' directories: dbt loads a package's models into the one graph. */
    List<Path> modelDirectories() {
      return existing(file.modelPaths());
    }

    /** Its seed paths' directories. */
    List<Path> seedDirectories() {
      return existing(file.seedPaths());
    }

    /** The directories whose YAML files may hold its properties (models, seeds, tests). */
    List<Path> propertyDirectories() {
      return existing(file.propertyPaths());
    }

    private List<Path> existing(List<String> paths) {
      return paths.stream().distinct().map(directory::resolve).filter(Files::isDirectory).toList();
    }

    List<Path> macroDirectories() {
      return macroPaths.stream().map(directory::resolve).filter(Files::isDirectory).toList();
    }

    /** Where its docs blocks are: its docs-paths, else dbt's default (its resource paths). */
    List<Path> docsDirectories() {
      return docsPaths.stream()
          .distinct()
          .map(directory::resolve)
          .filter(Files::isDirectory)
          .toList();
    }
  }

  /**
   * A package packages.yml declares.
   *
   * @param kind {@code package} (the dbt Hub), {@code git}, {@code tarball} or {@code local}
   * @param spec what it names: {@code dbt-labs/dbt_utils}, a URL, a directory
   * @param location its line in packages.yml
   * @param installed the package, or empty when it is not installed
   * @param settings the entry as written, in order: each key's text, or its list of texts (a
   *     version range)
   */
  record Declared(
      String kind,
      String spec,
      Location location,
      Optional<Installed> installed,
      Map<String, Object> settings) {
    Declared {
      requireNonNull(kind, "kind is null");
      requireNonNull(spec, "spec is null");
      requireNonNull(location, "location is null");
      requireNonNull(installed, "installed is null");
      settings = Copies.orderedMap(settings);
    }

    /** The versions asked for (e.g. {@code 1.3.0}, or a range); empty when none is. */
    List<String> versions() {
      Object version = settings.get("version");
      if (version instanceof List<?> list) {
        return list.stream().map(String::valueOf).toList();
      }
      return version == null ? List.of() : List.of(String.valueOf(version));
    }

    /** The name its directory in the install path has: its project's, else the likeliest. */
    String directoryName() {
      return installed.map(Installed::name).orElse(guessedName(spec));
    }

    /** Where a package of this kind is expected: its directory in the install path. */
    String expectedDirectory(String installPath) {
      if (kind.equals("local")) {
        return spec;
      }
      return installPath + "/" + guessedName(spec);
    }
  }

  private final List<Installed> installed;
  private final List<Declared> declared;

  private DbtPackages(List<Installed> installed, List<Declared> declared) {
    this.installed = List.copyOf(installed);
    this.declared = List.copyOf(declared);
  }

  /** Every installed package: those of the install path, then the local ones declared. */
  List<Installed> installed() {
    return installed;
  }

  /** What packages.yml declares, each with its installed package if there is one. */
  List<Declared> declared() {
    return declared;
  }

  /** The declared packages that are not installed. */
  List<Declared> missing() {
    return declared.stream().filter(entry -> entry.installed().isEmpty()).toList();
  }

  /**
   * Reads the packages of a project; problems of the files are added. Missing packages are not
   * problems here: {@link #reportMissing} adds them when the project is loaded.
   */
  static DbtPackages read(Path root, String installPath, Problems problems) {
    List<Installed> installed = new ArrayList<>();
    Path installDirectory = root.resolve(installPath);
    if (Files.isDirectory(installDirectory)) {
      List<Path> directories;
      try (Stream<Path> stream = Files.list(installDirectory)) {
        directories =
            stream
                .filter(path -> Files.isRegularFile(path.resolve(DbtProjectFile.FILE)))
                .sorted()
                .toList();
      } catch (IOException e) {
        problems.add(Location.of(installPath), "Cannot list the directory: " + e.getMessage());
        directories = List.of();
      }
      for (Path directory : directories) {
        readPackage(root, directory, problems).ifPresent(installed::add);
      }
    }
    List<Declared> declared = new ArrayList<>();
    for (String fileName : FILES) {
      Path file = root.resolve(fileName);
      if (!Files.isRegularFile(file)) {
        continue;
      }
      YamlFiles.read(root, file, problems)
          .ifPresent(node -> declared(root, fileName, node, installed, declared, problems));
      break;
    }
    return new DbtPackages(installed, declared);
  }

  /** Adds a problem for each declared package that is not installed. */
  void reportMissing(String installPath, Problems problems) {
    for (Declared entry : missing()) {
      problems.add(
          entry.location(),
          "Package '" + entry.spec() + "' is not installed",
          entry.kind().equals("local")
              ? "the directory " + entry.spec() + " has no dbt_project.yml"
              : "Sluice cannot download from the dbt Hub or git here: copy the package into "
                  + entry.expectedDirectory(installPath)
                  + " (what dbt deps installs), or declare it as local: <directory>");
    }
  }

  private static void declared(
      Path root,
      String fileName,
      Node node,
      List<Installed> installed,
      List<Declared> declared,
      Problems problems) {
    Optional<YamlMap> map = YamlMap.lenient(fileName, node, fileName, Set.of("packages"), problems);
    if (map.isEmpty() || !map.get().has("packages")) {
      return;
    }
    Node packages = map.get().node("packages").get();
    if (!(packages instanceof SequenceNode sequence)) {
      problems.add(
          map.get().location("packages"),
          "'packages' is not a list",
          "list the packages: packages: [{package: dbt-labs/dbt_utils, version: 1.3.0}]");
      return;
    }
    for (Node entryNode : sequence.getValue()) {
      Optional<YamlMap> entry =
          YamlMap.lenient(
              fileName,
              entryNode,
              "a package",
              Set.of("package", "git", "local", "tarball"),
              problems);
      if (entry.isEmpty()) {
        continue;
      }
      String kind =
          Stream.of("local", "package", "git", "tarball")
              .filter(entry.get()::has)
              .findFirst()
              .orElse(null);
      if (kind == null) {
        problems.add(
            entry.get().location(),
            "A package names none of package, git, local or tarball",
            "e.g. - package: dbt-labs/dbt_utils, or - local: ../shared_macros");
        continue;
      }
      String spec = entry.get().string(kind);
      Location location = entry.get().location(kind);
      if (spec == null) {
        continue;
      }
      Optional<Installed> found;
      if (kind.equals("local")) {
        Path directory = root.resolve(spec).normalize();
        found =
            Files.isRegularFile(directory.resolve(DbtProjectFile.FILE))
                ? readPackage(root, directory, problems)
                : Optional.empty();
        found.ifPresent(
            local -> {
              if (installed.stream().noneMatch(other -> other.name().equals(local.name()))) {
                installed.add(local);
              }
            });
      } else {
        String name = normalized(guessedName(spec));
        // a git repository dbt-labs/dbt-audit-helper holds the project audit_helper, which dbt
        // deps installs as dbt_packages/audit_helper (its project's name)
        String withoutPrefix =
            kind.equals("git") && name.startsWith("dbt_") ? name.substring("dbt_".length()) : name;
        found =
            installed.stream()
                .filter(
                    candidate ->
                        normalized(candidate.name()).equals(name)
                            || normalized(candidate.directory().getFileName().toString())
                                .equals(name))
                .findFirst()
                .or(
                    () ->
                        installed.stream()
                            .filter(candidate -> normalized(candidate.name()).equals(withoutPrefix))
                            .findFirst());
      }
      Map<String, Object> settings = new java.util.LinkedHashMap<>();
      for (String key : entry.get().keys()) {
        List<String> values = entry.get().stringList(key);
        settings.put(
            key,
            entry.get().node(key).orElse(null) instanceof SequenceNode
                ? values
                : values.isEmpty() ? null : values.get(0));
      }
      declared.add(new Declared(kind, spec, location, found, settings));
    }
  }

  static Optional<Installed> readPackage(Path root, Path directory, Problems problems) {
    Problems packageProblems = new Problems();
    Optional<DbtProjectFile> file =
        YamlFiles.read(root, directory.resolve(DbtProjectFile.FILE), packageProblems)
            .flatMap(node -> DbtProjectFile.parse(node, packageProblems));
    if (file.isEmpty()) {
      problems.addAll(packageProblems);
      return Optional.empty();
    }
    // generic tests are in the macro paths and in the test paths' generic/ directories
    List<String> macroPaths = new ArrayList<>(file.get().macroPaths());
    file.get().testPaths().forEach(path -> macroPaths.add(path + "/generic"));
    List<String> docsPaths = new ArrayList<>(file.get().docsPaths());
    if (docsPaths.isEmpty()) {
      docsPaths.addAll(file.get().modelPaths());
      docsPaths.addAll(file.get().seedPaths());
      docsPaths.addAll(file.get().snapshotPaths());
      docsPaths.addAll(file.get().testPaths());
      docsPaths.addAll(file.get().macroPaths());
    }
    return Optional.of(
        new Installed(file.get().name(), directory, macroPaths, docsPaths, file.get()));
  }

  /** The project name a Hub or git package most likely has: dbt-labs/dbt_utils → dbt_utils. */
  private static String guessedName(String spec) {
    String name = spec.strip();
    while (name.endsWith("/")) {
      name = name.substring(0, name.length() - 1);
    }
    name = name.substring(name.lastIndexOf('/') + 1);
    if (name.endsWith(".git")) {
      name = name.substring(0, name.length() - 4);
    }
    return name;
  }

  private static String normalized(String name) {
    return name.toLowerCase(Locale.ROOT).replace('-', '_');
  }
}
