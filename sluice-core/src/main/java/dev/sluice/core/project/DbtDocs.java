package dev.sluice.core.project;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.Location;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A dbt project's docs blocks: the {@code {% docs name %} ... {% enddocs %}} blocks of the {@code
 * .md} files in its resource paths (dbt's default {@code docs-paths}), which {@code {{ doc('name')
 * }}} in a description of a properties file gives, and which the manifest lists.
 */
public final class DbtDocs {
  /**
   * One docs block.
   *
   * @param contents its text, rendered as dbt renders it (without variables) and stripped
   * @param location the file (relative to the project) and line of its {@code {% docs %}} tag
   */
  public record Block(String name, String contents, Location location) {
    public Block {
      requireNonNull(name, "name is null");
      requireNonNull(contents, "contents is null");
      requireNonNull(location, "location is null");
    }
  }

  /**
   * The docs blocks of an installed package.
   *
   * @param directory the package's directory, relative to the project
   */
  public record PackageDocs(String name, String directory, Map<String, Block> blocks) {
    public PackageDocs {
      requireNonNull(name, "name is null");
      requireNonNull(directory, "directory is null");
      blocks = Copies.orderedMap(blocks);
    }

    /** A block's file relative to the package, as dbt's manifest gives it. */
    public String fileInPackage(Block block) {
      String file = block.location().file();
      return file.startsWith(directory + "/") ? file.substring(directory.length() + 1) : file;
    }
  }

  private final String packageName;
  private final Map<String, Block> blocks;
  private final Map<String, Object> vars;
  private final Map<String, PackageDocs> packages;

  private DbtDocs(
      String packageName,
      Map<String, Block> blocks,
      Map<String, Object> vars,
      Map<String, PackageDocs> packages) {
    this.packageName = packageName;
    this.blocks = blocks;
    this.vars = vars;
    this.packages = packages;
  }

  /**
   * Reads the docs blocks of the {@code .md} files under the directories; a block name given twice
   * is a problem, as dbt refuses it.
   *
   * @param vars what {@code var()} gives in a description
   */
  static DbtDocs read(
      Path root,
      String packageName,
      List<Path> directories,
      Map<String, Object> vars,
      Problems problems) {
    return new DbtDocs(
        packageName, blocks(root, directories, problems), Copies.orderedMap(vars), Map.of());
  }

  /**
   * These docs with the blocks of the installed packages, which {@code doc('package', 'name')}
   * reads and {@code doc('name')} finds when the project has no such block, as in dbt.
   */
  DbtDocs withPackages(Path root, List<DbtPackages.Installed> installed, Problems problems) {
    Map<String, PackageDocs> all = new TreeMap<>();
    for (DbtPackages.Installed pack : installed) {
      if (!pack.name().equals(packageName)) {
        all.put(
            pack.name(),
            new PackageDocs(
                pack.name(),
                YamlFiles.relative(root, pack.directory()),
                blocks(root, pack.docsDirectories(), problems)));
      }
    }
    return new DbtDocs(packageName, blocks, vars, Collections.unmodifiableMap(all));
  }

  private static Map<String, Block> blocks(Path root, List<Path> directories, Problems problems) {
    Map<String, Block> blocks = new TreeMap<>();
    for (Path file : markdownFiles(directories, problems)) {
      String name = YamlFiles.relative(root, file);
      String text;
      try {
        text = Files.readString(file, StandardCharsets.UTF_8);
      } catch (IOException e) {
        problems.add(Location.of(name), "Cannot read the file: " + e.getMessage());
        continue;
      }
      if (!text.contains("{%")) {
        continue; // no block: most .md files are a README
      }
      for (Block block : SqlRenderer.docsBlocks(name, text, problems)) {
        Block previous = blocks.putIfAbsent(block.name(), block);
        if (previous != null) {
          problems.add(
              block.location(),
              "dbt found two docs with the same name: '"
                  + block.name()
                  + "' (also "
                  + previous.location()
                  + ")",
              "rename one of them; doc('" + block.name() + "') must name one block");
        }
      }
    }
    return blocks;
  }

  private static List<Path> markdownFiles(List<Path> directories, Problems problems) {
    Set<Path> files = new java.util.TreeSet<>();
    for (Path directory : directories) {
      try (Stream<Path> stream = Files.walk(directory)) {
        stream
            .filter(Files::isRegularFile)
            .filter(path -> path.toString().toLowerCase(Locale.ROOT).endsWith(".md"))
            .forEach(files::add);
      } catch (IOException | UncheckedIOException e) {
        problems.add(
            Location.of(directory.toString()), "Cannot list the directory: " + e.getMessage());
      }
    }
    return new ArrayList<>(files);
  }

  /** dbt's unique id of a resource of the project: {@code model.shop.orders}. */
  String uniqueId(String resourceType, String name) {
    return resourceType + "." + packageName + "." + name;
  }

  /** The blocks, by name. */
  public Map<String, Block> blocks() {
    return blocks;
  }

  Set<String> names() {
    return blocks.keySet();
  }

  /** The installed packages' docs blocks, by package. */
  public Map<String, PackageDocs> packages() {
    return packages;
  }

  /**
   * A block by its name: in the named package (the project's, or an installed one's), else (no
   * package given) in the project, then in the installed packages, as dbt resolves {@code doc()};
   * or null.
   */
  Block find(String packageName, String name) {
    if (packageName != null && !packageName.equals(this.packageName)) {
      PackageDocs pack = packages.get(packageName);
      return pack == null ? null : pack.blocks().get(name);
    }
    Block block = blocks.get(name);
    if (block != null || packageName != null) {
      return block;
    }
    for (PackageDocs pack : packages.values()) {
      if (pack.blocks().containsKey(name)) {
        return pack.blocks().get(name);
      }
    }
    return null;
  }

  /**
   * The {@code description} of a properties entry, rendered as dbt renders descriptions: {@code
   * doc()}, {@code var()} and {@code env_var()} are available; a missing doc is a problem at the
   * description's line. Null when there is none.
   *
   * @param node the unique id of what is described (dbt's: {@code model.shop.orders})
   */
  String description(YamlMap map, String node) {
    String description = map.string("description");
    if (description == null || (!description.contains("{{") && !description.contains("{%"))) {
      return description;
    }
    TemplateSession session =
        new TemplateSession(
                map.location("description"),
                false,
                false,
                false,
                vars,
                name -> null,
                (source, table) -> null,
                map.problems())
            .withDocs(this, node);
    return SqlRenderer.renderBound(description, session, Map.of());
  }
}
