package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.status.Status;
import java.net.URL;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The logging configuration shipped in the jar is read by logback without an error: a malformed
 * file (once, "--" inside an XML comment) silently left the command without its log file and its
 * warnings, because the configuration's own status listener hides logback's complaints.
 */
class LoggingConfigurationTest {

  @Test
  void theShippedConfigurationLoadsWithoutErrors() throws Exception {
    URL configuration = getClass().getClassLoader().getResource("logback.xml");
    assertThat(configuration).as("logback.xml on the class path").isNotNull();

    LoggerContext context = new LoggerContext();
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    configurator.doConfigure(configuration);

    List<String> errors =
        context.getStatusManager().getCopyOfStatusList().stream()
            .filter(status -> status.getEffectiveLevel() >= Status.WARN)
            .map(Status::toString)
            .collect(Collectors.toList());
    assertThat(errors).isEmpty();
    assertThat(context.getLogger("dev.sluice").iteratorForAppenders().hasNext())
        .as("Sluice's own logger has the console appender")
        .isTrue();
    context.stop();
  }
}
