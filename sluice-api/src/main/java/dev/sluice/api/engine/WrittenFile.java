package dev.sluice.api.engine;

import java.nio.file.Path;

/** A data file an engine wrote. */
public record WrittenFile(Path path, long rowCount, long sizeInBytes) {}
