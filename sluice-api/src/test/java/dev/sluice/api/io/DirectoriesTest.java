package dev.sluice.api.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoriesTest {
  @TempDir Path temp;

  @Test
  void deletesTheDirectoryWithEverythingInIt() throws Exception {
    Path root = temp.resolve("root");
    Files.createDirectories(root.resolve("a/b/c"));
    Files.writeString(root.resolve("a/file.txt"), "x");
    Files.writeString(root.resolve("a/b/c/deep.txt"), "y");

    Directories.deleteRecursively(root);

    assertThat(root).doesNotExist();
    assertThat(temp).exists();
  }

  @Test
  void aMissingDirectoryIsNothingToDo() {
    Directories.deleteRecursively(temp.resolve("missing"));

    assertThat(temp).exists();
  }

  @Test
  void deletesALinkWithoutFollowingIt() throws Exception {
    Path kept = temp.resolve("kept");
    Files.createDirectories(kept);
    Files.writeString(kept.resolve("keep.txt"), "x");
    Path root = temp.resolve("root");
    Files.createDirectories(root);
    Files.createSymbolicLink(root.resolve("link"), kept);

    Directories.deleteRecursively(root);

    assertThat(root).doesNotExist();
    assertThat(kept.resolve("keep.txt")).exists();
  }

  @Test
  void aFileThatCannotBeDeletedNamesTheDirectory() throws Exception {
    Path root = temp.resolve("root");
    Path locked = root.resolve("locked");
    Files.createDirectories(locked);
    Files.writeString(locked.resolve("file.txt"), "x");
    Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("r-xr-xr-x"));
    try {
      org.junit.jupiter.api.Assumptions.assumeFalse(
          Files.isWritable(locked), "running as root: permissions do not stop a delete");
      assertThatThrownBy(() -> Directories.deleteRecursively(root))
          .isInstanceOf(UncheckedIOException.class)
          .hasMessageContaining("Cannot delete " + root);
    } finally {
      Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
  }
}
