package dev.sluice.connectors.file;

import dev.sluice.api.InvalidInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Stream;

/**
 * Finds the files of a source table's {@code path}: a file, a directory (its files), or a glob
 * ({@link java.nio.file.FileSystem#getPathMatcher "glob:"} syntax, where {@code *} stays within a
 * directory and {@code **} crosses directories). Relative paths start at the project directory.
 * Hidden files and directories (names starting with '.') are skipped.
 */
final class SourceFiles {
  private static final String GLOB_CHARACTERS = "*?[{";

  private SourceFiles() {}

  /**
   * The matching regular files, sorted by path; empty when nothing matches or the directory does
   * not exist.
   *
   * @throws InvalidInputException for an invalid glob
   */
  static List<Path> resolve(Path projectDirectory, String pattern) {
    String normalized = pattern.strip().replace('\\', '/');
    if (normalized.isEmpty()) {
      throw new InvalidInputException("The path of a file source is empty");
    }
    List<String> segments = List.of(normalized.split("/", -1));
    int firstGlob = 0;
    while (firstGlob < segments.size() && !isGlob(segments.get(firstGlob))) {
      firstGlob++;
    }
    String fixed = String.join("/", segments.subList(0, firstGlob));
    Path base =
        normalized.startsWith("/") && fixed.isEmpty()
            ? Path.of("/")
            : projectDirectory.resolve(fixed.isEmpty() ? "." : fixed);
    base = base.toAbsolutePath().normalize();
    if (firstGlob == segments.size()) {
      if (Files.isRegularFile(base)) {
        return List.of(base);
      }
      return Files.isDirectory(base) ? walk(base, "*", 1) : List.of();
    }
    if (!Files.isDirectory(base)) {
      return List.of();
    }
    String rest = String.join("/", segments.subList(firstGlob, segments.size()));
    int depth = rest.contains("**") ? Integer.MAX_VALUE : segments.size() - firstGlob;
    return walk(base, rest, depth);
  }

  private static List<Path> walk(Path base, String glob, int depth) {
    PathMatcher matcher;
    try {
      matcher = FileSystems.getDefault().getPathMatcher("glob:" + glob);
    } catch (PatternSyntaxException e) {
      throw new InvalidInputException(
          "Invalid glob '" + glob + "' in a source path: " + e.getDescription(), e);
    }
    List<Path> files = new ArrayList<>();
    try (Stream<Path> stream = Files.walk(base, depth, FileVisitOption.FOLLOW_LINKS)) {
      stream
          .filter(Files::isRegularFile)
          .filter(path -> !isHidden(base.relativize(path)))
          .filter(path -> matcher.matches(base.relativize(path)))
          .forEach(files::add);
    } catch (IOException e) {
      throw InputFile.unreadable(base.toString(), e);
    } catch (UncheckedIOException e) {
      throw InputFile.unreadable(base.toString(), e.getCause());
    }
    files.sort(Comparator.comparing(Path::toString));
    return List.copyOf(files);
  }

  private static boolean isHidden(Path relative) {
    for (Path part : relative) {
      if (part.toString().startsWith(".")) {
        return true;
      }
    }
    return false;
  }

  /** Whether a path segment holds a glob character: a star, question mark, bracket or brace. */
  static boolean isGlob(String segment) {
    for (int i = 0; i < segment.length(); i++) {
      if (GLOB_CHARACTERS.indexOf(segment.charAt(i)) >= 0) {
        return true;
      }
    }
    return false;
  }
}
