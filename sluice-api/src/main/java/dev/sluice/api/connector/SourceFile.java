package dev.sluice.api.connector;

/** A file a load read: its path relative to the project, SHA-256 checksum and size. */
public record SourceFile(String path, String checksum, long sizeInBytes) {}
