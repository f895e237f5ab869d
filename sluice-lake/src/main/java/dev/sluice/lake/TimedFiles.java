package dev.sluice.lake;

import dev.sluice.api.timing.PhaseTimer;
import dev.sluice.api.timing.StepPhase;
import java.io.IOException;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.io.PositionOutputStream;
import org.apache.iceberg.io.SeekableInputStream;

/**
 * Iceberg's metadata files, timed while they are open: a table metadata file as {@link
 * StepPhase#METADATA}, a manifest or manifest list (Avro) as {@link StepPhase#MANIFEST}, in the
 * {@link PhaseTimer} of the step whose thread opens them. Other files pass through unchanged.
 */
final class TimedFiles {
  private TimedFiles() {}

  /** The phase reading or writing the file at {@code location} counts as, or null. */
  static StepPhase phaseOf(String location) {
    if (location.endsWith(".metadata.json")) {
      return StepPhase.METADATA;
    }
    if (location.endsWith(".avro")) {
      return StepPhase.MANIFEST;
    }
    return null;
  }

  static InputFile timed(InputFile file) {
    StepPhase phase = phaseOf(file.location());
    return phase == null ? file : new TimedInputFile(file, phase);
  }

  static OutputFile timed(OutputFile file) {
    StepPhase phase = phaseOf(file.location());
    return phase == null ? file : new TimedOutputFile(file, phase);
  }

  private static final class TimedInputFile implements InputFile {
    private final InputFile file;
    private final StepPhase phase;

    TimedInputFile(InputFile file, StepPhase phase) {
      this.file = file;
      this.phase = phase;
    }

    @Override
    public long getLength() {
      return file.getLength();
    }

    @Override
    public SeekableInputStream newStream() {
      PhaseTimer.Mark open = PhaseTimer.enter(phase);
      try {
        return new TimedInputStream(file.newStream(), open);
      } catch (RuntimeException e) {
        open.close();
        throw e;
      }
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

  private static final class TimedInputStream extends SeekableInputStream {
    private final SeekableInputStream stream;
    private final PhaseTimer.Mark open;

    TimedInputStream(SeekableInputStream stream, PhaseTimer.Mark open) {
      this.stream = stream;
      this.open = open;
    }

    @Override
    public long getPos() throws IOException {
      return stream.getPos();
    }

    @Override
    public void seek(long newPos) throws IOException {
      stream.seek(newPos);
    }

    @Override
    public int read() throws IOException {
      return stream.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      return stream.read(b, off, len);
    }

    @Override
    public long skip(long n) throws IOException {
      return stream.skip(n);
    }

    @Override
    public int available() throws IOException {
      return stream.available();
    }

    @Override
    public void close() throws IOException {
      try {
        stream.close();
      } finally {
        open.close();
      }
    }
  }

  private static final class TimedOutputFile implements OutputFile {
    private final OutputFile file;
    private final StepPhase phase;

    TimedOutputFile(OutputFile file, StepPhase phase) {
      this.file = file;
      this.phase = phase;
    }

    @Override
    public PositionOutputStream create() {
      PhaseTimer.Mark open = PhaseTimer.enter(phase);
      try {
        return new TimedOutputStream(file.create(), open);
      } catch (RuntimeException e) {
        open.close();
        throw e;
      }
    }

    @Override
    public PositionOutputStream createOrOverwrite() {
      PhaseTimer.Mark open = PhaseTimer.enter(phase);
      try {
        return new TimedOutputStream(file.createOrOverwrite(), open);
      } catch (RuntimeException e) {
        open.close();
        throw e;
      }
    }

    @Override
    public String location() {
      return file.location();
    }

    @Override
    public InputFile toInputFile() {
      return timed(file.toInputFile());
    }
  }

  private static final class TimedOutputStream extends PositionOutputStream {
    private final PositionOutputStream stream;
    private final PhaseTimer.Mark open;

    TimedOutputStream(PositionOutputStream stream, PhaseTimer.Mark open) {
      this.stream = stream;
      this.open = open;
    }

    @Override
    public long getPos() throws IOException {
      return stream.getPos();
    }

    @Override
    public long storedLength() throws IOException {
      return stream.storedLength();
    }

    @Override
    public void write(int b) throws IOException {
      stream.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      stream.write(b, off, len);
    }

    @Override
    public void flush() throws IOException {
      stream.flush();
    }

    @Override
    public void close() throws IOException {
      try {
        stream.close();
      } finally {
        open.close();
      }
    }
  }
}
