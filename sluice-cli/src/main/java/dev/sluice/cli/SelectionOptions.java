package dev.sluice.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** {@code --select} and {@code --exclude}, shared by the commands that take a selection. */
final class SelectionOptions {
  @Option(
      names = {"-s", "--select"},
      arity = "1..*",
      paramLabel = "SELECTOR",
      description =
          "Only these assets: name, +name (with upstream), name+ (with downstream), 2+name,"
              + " tag:x, zone:x, path:x, source:x; a,b intersects.")
  List<String> select = new ArrayList<>();

  @Option(
      names = {"-x", "--exclude"},
      arity = "1..*",
      paramLabel = "SELECTOR",
      description = "Leave out these assets (same syntax as --select).")
  List<String> exclude = new ArrayList<>();
}
