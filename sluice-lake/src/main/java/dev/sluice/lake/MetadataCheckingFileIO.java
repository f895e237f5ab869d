package dev.sluice.lake;

import com.fasterxml.jackson.core.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import org.apache.iceberg.exceptions.NotFoundException;
import org.apache.iceberg.inmemory.InMemoryInputFile;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.io.SeekableInputStream;
import org.apache.iceberg.util.JsonUtil;

/**
 * The catalog's file access, checking every table and view metadata file before Iceberg reads it: a
 * file outside the warehouse (the project was moved or copied), a missing file and a file that is
 * not JSON (truncated, overwritten) fail at once with {@link UnreadableMetadataException}, which
 * Iceberg does not retry. Other files pass through unchanged. Metadata files, manifests and
 * manifest lists are timed while open ({@link TimedFiles}).
 */
final class MetadataCheckingFileIO implements FileIO {
  private static final long serialVersionUID = 1L;
  private static final String METADATA_SUFFIX = ".metadata.json";

  private final FileIO delegate;
  private final String warehousePrefix;

  /**
   * @param warehousePrefix the local warehouse directory every metadata file must be in, or null
   *     for a warehouse in object storage (whose location does not move with the project)
   */
  MetadataCheckingFileIO(FileIO delegate, String warehousePrefix) {
    this.delegate = delegate;
    this.warehousePrefix =
        warehousePrefix == null || warehousePrefix.endsWith("/")
            ? warehousePrefix
            : warehousePrefix + "/";
  }

  /** The file access this checks. */
  FileIO delegate() {
    return delegate;
  }

  @Override
  public InputFile newInputFile(String location) {
    return TimedFiles.timed(checked(location, delegate.newInputFile(location)));
  }

  @Override
  public InputFile newInputFile(String location, long length) {
    return TimedFiles.timed(checked(location, delegate.newInputFile(location, length)));
  }

  private InputFile checked(String location, InputFile file) {
    if (!location.endsWith(METADATA_SUFFIX)) {
      return file;
    }
    if (warehousePrefix != null && !LocalPaths.toLocalPath(location).startsWith(warehousePrefix)) {
      throw new UnreadableMetadataException(
          UnreadableMetadataException.Reason.OUTSIDE_WAREHOUSE,
          location,
          "outside the warehouse " + warehousePrefix);
    }
    return new CheckedInputFile(file);
  }

  /** Checks that the file exists and is one complete JSON document before handing out a stream. */
  private static final class CheckedInputFile implements InputFile {
    private final InputFile file;

    CheckedInputFile(InputFile file) {
      this.file = file;
    }

    @Override
    public long getLength() {
      return file.getLength();
    }

    /**
     * The file's contents, read once: checked, then handed to Iceberg from memory. Checking a
     * stream and opening another read every table's metadata file twice (bench suite environments,
     * 1,000 tables loaded to compare a project with production).
     */
    @Override
    public SeekableInputStream newStream() {
      if (location().endsWith(".gz" + METADATA_SUFFIX)) {
        return file.newStream(); // compressed: Iceberg's own parser reports a damaged file
      }
      byte[] contents = read();
      check(contents);
      return new InMemoryInputFile(location(), contents).newStream();
    }

    private byte[] read() {
      try (InputStream stream = file.newStream()) {
        return stream.readAllBytes();
      } catch (NotFoundException e) {
        if (e instanceof UnreadableMetadataException) {
          throw e;
        }
        throw new UnreadableMetadataException(
            UnreadableMetadataException.Reason.MISSING, location(), "is missing");
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot read " + location(), e);
      }
    }

    private void check(byte[] contents) {
      try (JsonParser parser = JsonUtil.factory().createParser(contents)) {
        if (parser.nextToken() == null) {
          throw notJson("is empty");
        }
        parser.skipChildren();
        if (parser.nextToken() != null) {
          throw notJson("holds more than one JSON document");
        }
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw notJson("is not valid JSON (" + e.getOriginalMessage() + ")");
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot read " + location(), e);
      }
    }

    private UnreadableMetadataException notJson(String detail) {
      return new UnreadableMetadataException(
          UnreadableMetadataException.Reason.NOT_JSON, location(), detail);
    }

    @Override
    public String location() {
      return file.location();
    }

    @Override
    public boolean exists() {
      return file.exists();
    }
  }

  @Override
  public OutputFile newOutputFile(String location) {
    return TimedFiles.timed(delegate.newOutputFile(location));
  }

  @Override
  public void deleteFile(String location) {
    delegate.deleteFile(location);
  }

  @Override
  public Map<String, String> properties() {
    return delegate.properties();
  }

  @Override
  public void initialize(Map<String, String> properties) {
    delegate.initialize(properties);
  }

  @Override
  public void close() {
    delegate.close();
  }
}
