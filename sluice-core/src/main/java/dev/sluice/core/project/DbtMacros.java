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
  static final DbtMacros NONE = new DbtMacros(List.of(), Map.of());

  /**
   * One file of macros.
   *
   * @param file the file, relative to the project, as messages name it
   * @param text its text
   */
  record MacroFile(String file, String text) {
    MacroFile {
      requireNonNull(file, "file is null");
      requireNonNull(text, "text is null");
    }
  }

  private final List<MacroFile> files;
  private final Map<String, MacroFile> definedIn;

  private DbtMacros(List<MacroFile> files, Map<String, MacroFile> definedIn) {
    this.files = List.copyOf(files);
    this.definedIn = Copies.orderedMap(definedIn);
  }

  /** Reads the {@code .sql} files of the directories; a file Jinjava cannot parse is a problem. */
  static DbtMacros read(Path root, List<Path> directories, Problems problems) {
    List<MacroFile> files = new ArrayList<>();
    for (Path directory : directories) {
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
          files.add(new MacroFile(name, Files.readString(path, StandardCharsets.UTF_8)));
        } catch (IOException e) {
          problems.add(dev.sluice.api.Location.of(name), "Cannot read the file: " + e.getMessage());
        }
      }
    }
    Map<String, MacroFile> definedIn = new LinkedHashMap<>();
    for (MacroFile file : files) {
      for (String macro : SqlRenderer.macrosDefinedBy(file, problems)) {
        MacroFile previous = definedIn.putIfAbsent(macro, file);
        if (previous != null && !previous.equals(file)) {
          problems.add(
              dev.sluice.api.Location.of(file.file()),
              "Macro '" + macro + "' is defined twice: also in " + previous.file(),
              "macro names must be unique in the project; rename one of them");
        }
      }
    }
    List<MacroFile> all = new ArrayList<>();
    all.add(DbtNames.BUILT_IN);
    all.addAll(files);
    return new DbtMacros(all, definedIn);
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
