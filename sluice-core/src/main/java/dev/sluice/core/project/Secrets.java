package dev.sluice.core.project;

import dev.sluice.api.Location;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resolves secrets given by reference: {@code ${env:NAME}} (an environment variable) or {@code
 * ${file:path}} (a file's content without its final line break; relative to the project). Messages
 * name the variable or file, never a value.
 */
final class Secrets {
  private static final Pattern ENV = Pattern.compile("\\$\\{env:([A-Za-z_][A-Za-z0-9_]*)}");
  private static final Pattern FILE = Pattern.compile("\\$\\{file:([^}]+)}");

  private final Path root;
  private final Function<String, String> environment;
  private final Problems problems;

  Secrets(Path root, Function<String, String> environment, Problems problems) {
    this.root = root;
    this.environment = environment;
    this.problems = problems;
  }

  /**
   * Resolves a reference.
   *
   * @param key the setting, for messages, e.g. {@code catalog.password}
   * @return the secret, or empty with a problem reported
   */
  Optional<String> resolve(String reference, String key, Location location) {
    String text = reference.trim();
    Matcher env = ENV.matcher(text);
    if (env.matches()) {
      String name = env.group(1);
      String value = environment.apply(name);
      if (value == null) {
        problems.add(
            location,
            "Environment variable " + name + " (for " + key + ") is not set",
            "set it before running sluice, e.g. export " + name + "=...");
        return Optional.empty();
      }
      return Optional.of(value);
    }
    Matcher file = FILE.matcher(text);
    if (file.matches()) {
      Path path = root.resolve(file.group(1).trim()).normalize();
      if (!Files.isRegularFile(path)) {
        problems.add(
            location,
            "Secret file " + file.group(1).trim() + " (for " + key + ") does not exist",
            "the path is relative to the project directory");
        return Optional.empty();
      }
      try {
        return Optional.of(stripFinalLineBreak(Files.readString(path, StandardCharsets.UTF_8)));
      } catch (IOException e) {
        problems.add(
            location,
            "Cannot read secret file " + file.group(1).trim() + " (for " + key + ")",
            "check that the file is readable");
        return Optional.empty();
      }
    }
    problems.add(
        location,
        "Secrets must be given by reference: " + key + " holds a literal value",
        "write ${env:NAME} to read an environment variable or ${file:path} to read a file,"
            + " and keep the value out of the project");
    return Optional.empty();
  }

  private static String stripFinalLineBreak(String value) {
    if (value.endsWith("\r\n")) {
      return value.substring(0, value.length() - 2);
    }
    if (value.endsWith("\n")) {
      return value.substring(0, value.length() - 1);
    }
    return value;
  }
}
