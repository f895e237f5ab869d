package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator.ExecutionStatus;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The command's logging configured in code: Sluice's warnings as plain lines on stderr, its info
 * lines and libraries' warnings not on the console; only when the command asked for it.
 */
class LogConfiguratorTest {
  @Test
  void sluiceWarningsArePlainLinesOnStderrAndLibrariesAreQuiet() {
    LoggerContext context = new LoggerContext();
    // what logback's SLF4J provider gives the context it starts
    context.setMDCAdapter(new LogbackMDCAdapter());
    PrintStream originalErr = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setProperty(LogConfigurator.PROPERTY, "true");
    try {
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      LogConfigurator configurator = new LogConfigurator();
      configurator.setContext(context);
      assertThat(configurator.configure(context))
          .isEqualTo(ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);
      context.getLogger("dev.sluice.core.Example").info("an info line");
      context.getLogger("dev.sluice.core.Example").warn("the table is large");
      context.getLogger("dev.sluice.core.Example").error("the step failed");
      context.getLogger("org.apache.iceberg.Example").warn("a library's warning");
      assertThat(context.getLogger("org.apache.hadoop").getLevel()).isEqualTo(Level.ERROR);
    } finally {
      System.setErr(originalErr);
      System.clearProperty(LogConfigurator.PROPERTY);
      context.stop();
    }
    assertThat(err.toString(StandardCharsets.UTF_8))
        .isEqualTo("warning: the table is large\nerror: the step failed\n");
  }

  @Test
  void otherJvmsKeepTheirOwnConfiguration() {
    LoggerContext context = new LoggerContext();
    LogConfigurator configurator = new LogConfigurator();
    configurator.setContext(context);
    assertThat(configurator.configure(context)).isEqualTo(ExecutionStatus.INVOKE_NEXT_IF_ANY);
    assertThat(context.getLogger("dev.sluice").getAppender("MESSAGES")).isNull();
  }
}
