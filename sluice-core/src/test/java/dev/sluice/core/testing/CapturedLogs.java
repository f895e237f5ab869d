package dev.sluice.core.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Everything Sluice and the libraries it drives (Iceberg, the AWS SDK, DuckDB's JDBC driver) log at
 * any level while it is open, with the messages and stack traces of logged exceptions: for tests
 * that a secret is never logged. Test servers' own logs are left out.
 */
public final class CapturedLogs extends AppenderBase<ILoggingEvent> implements AutoCloseable {
  private static final List<String> LOGGED =
      List.of("dev.sluice", "org.apache.iceberg", "software.amazon.awssdk", "org.duckdb");

  private final List<Logger> loggers = new ArrayList<>();
  private final List<Level> previousLevels = new ArrayList<>();
  private final List<Boolean> previousAdditivity = new ArrayList<>();
  private final List<String> lines = new ArrayList<>();

  private CapturedLogs() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    for (String name : LOGGED) {
      Logger logger = context.getLogger(name);
      loggers.add(logger);
      previousLevels.add(logger.getLevel());
      previousAdditivity.add(logger.isAdditive());
    }
    setContext(context);
  }

  /** Captures, with Sluice's and its libraries' loggers at TRACE. */
  public static CapturedLogs capture() {
    CapturedLogs logs = new CapturedLogs();
    logs.start0();
    return logs;
  }

  private void start0() {
    super.start();
    // captured only here, not printed: at TRACE, the console would drown in the SDK's messages
    for (Logger logger : loggers) {
      logger.addAppender(this);
      logger.setAdditive(false);
      logger.setLevel(Level.TRACE);
    }
  }

  @Override
  protected synchronized void append(ILoggingEvent event) {
    if (LOGGED.stream().noneMatch(event.getLoggerName()::startsWith)) {
      return;
    }
    lines.add(event.getLoggerName() + " " + event.getFormattedMessage());
    for (IThrowableProxy proxy = event.getThrowableProxy();
        proxy != null;
        proxy = proxy.getCause()) {
      lines.add(proxy.getClassName() + ": " + proxy.getMessage());
      for (StackTraceElementProxy element : proxy.getStackTraceElementProxyArray()) {
        lines.add(element.toString());
      }
    }
  }

  /** The captured lines, joined. */
  public synchronized String text() {
    return String.join("\n", lines);
  }

  public synchronized int size() {
    return lines.size();
  }

  @Override
  public void close() {
    for (int i = 0; i < loggers.size(); i++) {
      loggers.get(i).detachAppender(this);
      loggers.get(i).setAdditive(previousAdditivity.get(i));
      loggers.get(i).setLevel(previousLevels.get(i));
    }
    stop();
  }
}
