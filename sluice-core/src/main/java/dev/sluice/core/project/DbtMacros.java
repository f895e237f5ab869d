package dev.sluice.core.project;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The macros of a dbt project: every {@code .sql} file under its macro paths (and test paths, which
 * hold generic tests), defined in each rendering of the project's templates before the template
 * itself, as dbt makes them callable from every model, after dbt's own macros that a project's may
 * call or replace ({@link DbtNames#BUILT_IN}). Which file defines which macro is found by rendering
 * the files once with Jinjava when the project is loaded, never by reading the text.
 */
final class DbtMacros {
  /** No macros: Sluice's own projects. */
  static final DbtMacros NONE = new DbtMacros("", List.of(), Map.of(), Map.of());

  /** The package of dbt's own macros, as templates name it: {@code dbt.date_trunc(...)}. */
  static final String DBT_PACKAGE = "dbt";

  /**
   * One file of macros.
   *
   * @param file the file, relative to the project, as messages name it
   * @param text its text, with the calls Jinjava cannot parse rewritten ({@link
   *     DbtDispatch#rewriteCalls})
   * @param packageName the package that defines the file's macros: the project's name, a package's
   *     of dbt_packages/, or {@value #DBT_PACKAGE}
   */
  record MacroFile(String file, String text, String packageName) {
    MacroFile {
      requireNonNull(file, "file is null");
      requireNonNull(text, "text is null");
      requireNonNull(packageName, "packageName is null");
      text = DbtMacroSignatures.rewrite(DbtDispatch.rewriteCalls(text));
    }
  }

  /**
   * The directories of one package's macros.
   *
   * @param name the package's name (its dbt_project.yml's {@code name})
   * @param directories its macro paths (and test paths, for generic tests)
   */
  record PackageMacros(String name, List<Path> directories) {
    PackageMacros {
      requireNonNull(name, "name is null");
      directories = List.copyOf(directories);
    }
  }

  private final String rootPackage;
  private final List<MacroFile> files;
  private final Map<String, MacroFile> definedIn;
  private final Map<MacroFile, Map<String, Signature>> namesByFile;

  /** Each file's template, parsed once: Jinjava's trees are only read when they are rendered. */
  private final Map<MacroFile, com.hubspot.jinjava.tree.Node> parsed =
      new java.util.concurrent.ConcurrentHashMap<>();

  private DbtMacros(
      String rootPackage,
      List<MacroFile> files,
      Map<String, MacroFile> definedIn,
      Map<MacroFile, Map<String, Signature>> namesByFile) {
    this.rootPackage = rootPackage;
    this.files = List.copyOf(files);
    this.definedIn = Copies.orderedMap(definedIn);
    this.namesByFile = Map.copyOf(namesByFile);
  }

  /**
   * Reads the {@code .sql} files of the packages' directories (dbt's own macros first, then the
   * installed packages', then the project's, which win where names are the same); a file Jinjava
   * cannot parse is a problem.
   */
  static DbtMacros read(Path root, List<PackageMacros> packages, Problems problems) {
    String rootPackage = packages.get(packages.size() - 1).name();
    List<MacroFile> all = new ArrayList<>(DbtBuiltInMacros.FILES);
    Map<String, MacroFile> definedIn = new LinkedHashMap<>();
    Map<MacroFile, Map<String, Signature>> namesByFile = new java.util.HashMap<>();
    for (MacroFile file : DbtBuiltInMacros.FILES) {
      namesByFile.put(file, SqlRenderer.macrosDefinedBy(file, problems));
    }
    for (PackageMacros packageMacros : packages) {
      List<MacroFile> files = files(root, packageMacros, problems);
      for (MacroFile file : files) {
        Map<String, Signature> names = SqlRenderer.macrosDefinedBy(file, problems);
        namesByFile.put(file, names);
        if (!packageMacros.name().equals(rootPackage)) {
          continue;
        }
        for (String macro : names.keySet()) {
          MacroFile previous = definedIn.putIfAbsent(macro, file);
          if (previous != null && !previous.equals(file)) {
            problems.add(
                dev.sluice.api.Location.of(file.file()),
                "Macro '" + macro + "' is defined twice: also in " + previous.file(),
                "macro names must be unique in the project; rename one of them");
          }
        }
      }
      all.addAll(files);
    }
    return new DbtMacros(rootPackage, all, definedIn, namesByFile);
  }

  private static List<MacroFile> files(Path root, PackageMacros packageMacros, Problems problems) {
    List<MacroFile> files = new ArrayList<>();
    for (Path directory : packageMacros.directories()) {
      if (!Files.isDirectory(directory)) {
        continue;
      }
      List<Path> paths;
      try (Stream<Path> stream = Files.walk(directory)) {
        paths =
            stream
                .filter(Files::isRegularFile)
                .filter(path -> path.toString().toLowerCase(Locale.ROOT).endsWith(".sql"))
                .filter(path -> !hidden(directory.relativize(path)))
                .sorted()
                .toList();
      } catch (IOException e) {
        problems.add(
            dev.sluice.api.Location.of(YamlFiles.relative(root, directory)),
            "Cannot list the directory: " + e.getMessage());
        continue;
      }
      for (Path path : paths) {
        String name = YamlFiles.relative(root, path);
        if (files.stream().anyMatch(file -> file.file().equals(name))) {
          continue; // a directory both a macro and a test path
        }
        try {
          files.add(
              new MacroFile(
                  name, Files.readString(path, StandardCharsets.UTF_8), packageMacros.name()));
        } catch (IOException e) {
          problems.add(dev.sluice.api.Location.of(name), "Cannot read the file: " + e.getMessage());
        }
      }
    }
    return files;
  }

  private static boolean hidden(Path relative) {
    for (Path part : relative) {
      if (part.toString().startsWith(".")) {
        return true;
      }
    }
    return false;
  }

  List<MacroFile> files() {
    return files;
  }

  /** The macros a file defines. */
  java.util.Set<String> namesIn(MacroFile file) {
    return namesByFile.getOrDefault(file, Map.of()).keySet();
  }

  /** A file's template, parsed by the interpreter the first time and kept. */
  com.hubspot.jinjava.tree.Node parsed(
      MacroFile file, com.hubspot.jinjava.interpret.JinjavaInterpreter interpreter) {
    return parsed.computeIfAbsent(file, key -> interpreter.parse(key.text()));
  }

  /**
   * A generic test's macro ({@code {% test name(...) %}} defines {@code test_name}), as dbt finds
   * it: {@code package.name} in that package; a plain name in the project, else in the installed
   * packages (dbt's own generic tests are Sluice's checks, not macros).
   */
  java.util.Optional<GenericTest> genericTest(String name) {
    int dot = name.indexOf('.');
    String packageName = dot < 0 ? null : name.substring(0, dot);
    String macro = DbtTestTag.PREFIX + name.substring(dot + 1);
    List<String> packages = new ArrayList<>();
    if (packageName != null) {
      packages.add(packageName);
    } else {
      packages.add(rootPackage);
      packageNames().stream()
          .filter(other -> !other.equals(rootPackage) && !other.equals(DBT_PACKAGE))
          .forEach(packages::add);
    }
    for (String candidate : packages) {
      for (MacroFile file : files) {
        Signature signature = namesByFile.getOrDefault(file, Map.of()).get(macro);
        if (file.packageName().equals(candidate) && signature != null) {
          String call = candidate.equals(rootPackage) ? macro : candidate + "." + macro;
          return java.util.Optional.of(new GenericTest(name, call, signature, file.file()));
        }
      }
    }
    return java.util.Optional.empty();
  }

  /** The names of the generic tests the project and its packages define, for "did you mean". */
  java.util.Set<String> genericTestNames() {
    java.util.Set<String> names = new java.util.TreeSet<>();
    for (MacroFile file : files) {
      for (String macro : namesIn(file)) {
        if (macro.startsWith(DbtTestTag.PREFIX) && !file.packageName().equals(DBT_PACKAGE)) {
          String test = macro.substring(DbtTestTag.PREFIX.length());
          names.add(
              file.packageName().equals(rootPackage) ? test : file.packageName() + "." + test);
        }
      }
    }
    return names;
  }

  /**
   * A generic test a project or package defines.
   *
   * @param name the name the properties use ({@code is_even}, {@code dbt_utils.not_constant})
   * @param call how a template calls its macro ({@code test_is_even}, {@code
   *     dbt_utils.test_not_constant})
   * @param signature the macro's arguments ({@code model}, {@code column_name}, ...)
   * @param file the file that defines it
   */
  record GenericTest(String name, String call, Signature signature, String file) {
    GenericTest {
      requireNonNull(name, "name is null");
      requireNonNull(call, "call is null");
      requireNonNull(signature, "signature is null");
      requireNonNull(file, "file is null");
    }
  }

  /**
   * A macro's arguments.
   *
   * @param arguments their names, in order
   * @param optional those with a default value
   */
  record Signature(List<String> arguments, java.util.Set<String> optional) {
    Signature {
      arguments = List.copyOf(arguments);
      optional = java.util.Set.copyOf(optional);
    }

    /** The arguments a call must give. */
    List<String> required() {
      return arguments.stream().filter(argument -> !optional.contains(argument)).toList();
    }
  }

  /** The project's own package: its name. */
  String rootPackage() {
    return rootPackage;
  }

  /** The packages whose macros are read: dbt's, the installed ones', the project's. */
  java.util.Set<String> packageNames() {
    java.util.Set<String> names = new java.util.LinkedHashSet<>();
    files.forEach(file -> names.add(file.packageName()));
    return names;
  }

  /** Whether the project defines a macro of that name (dbt's built-in ones left aside). */
  boolean overrides(String macro) {
    return definedIn.containsKey(macro);
  }

  /** The project's file that defines a macro, or null. */
  MacroFile fileOf(String macro) {
    return definedIn.get(macro);
  }

  /** The names of the macros defined, in the order of their files. */
  java.util.Set<String> names() {
    return definedIn.keySet();
  }

  boolean isEmpty() {
    return files.isEmpty();
  }
}
