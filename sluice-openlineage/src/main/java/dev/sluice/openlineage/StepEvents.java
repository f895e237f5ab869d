package dev.sluice.openlineage;

import dev.sluice.core.project.Asset;
import dev.sluice.core.project.Project;
import dev.sluice.core.run.CheckOutcome;
import dev.sluice.core.run.RunListener;
import dev.sluice.core.run.RunResult;
import dev.sluice.core.run.StepResult;
import dev.sluice.core.state.RunStatus;
import dev.sluice.core.state.StepKey;
import dev.sluice.core.state.StepKind;
import dev.sluice.core.state.StepStatus;
import io.openlineage.client.OpenLineage;
import io.openlineage.client.OpenLineage.RunEvent.EventType;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The OpenLineage events of one run. The run is a job named after the project; each step is a job
 * named after its asset, with the run as its parent ({@code parent} facet). A step's events hold:
 *
 * <ul>
 *   <li>its inputs (upstream tables with their {@code schema}; a seed's file; a source's system);
 *   <li>its output table with its {@code schema}, its {@code columnLineage} (from the parsed SQL),
 *       and on COMPLETE the {@code outputStatistics} (rows and bytes written);
 *   <li>the checks it ran, as a child job {@code ASSET.checks} whose input (the step's table)
 *       carries the {@code dataQualityAssertions};
 *   <li>on FAIL, the step's error ({@code errorMessage}).
 * </ul>
 *
 * A step that never started (skipped because an upstream step failed) sends nothing.
 */
final class StepEvents implements RunListener {
  private static final String INTEGRATION = "SLUICE";

  private final OpenLineage ol;
  private final Consumer<OpenLineage.RunEvent> emit;
  private final Project project;
  private final Datasets datasets;
  private final String namespace;
  private final String runId;
  private final UUID runUuid;
  private final Clock clock;
  private final Set<String> started = ConcurrentHashMap.newKeySet();

  StepEvents(
      OpenLineage ol,
      Consumer<OpenLineage.RunEvent> emit,
      Project project,
      Datasets datasets,
      String namespace,
      String runId,
      String command,
      Clock clock) {
    this.ol = ol;
    this.emit = emit;
    this.project = project;
    this.datasets = datasets;
    this.namespace = namespace;
    this.runId = runId;
    this.runUuid = uuid("run:" + runId);
    this.clock = clock;
  }

  /** A UUID for a Sluice id: the id itself when it is one, else one derived from it. */
  private static UUID uuid(String key) {
    String id = key.substring(key.indexOf(':') + 1);
    try {
      return UUID.fromString(id);
    } catch (IllegalArgumentException notUuid) {
      return UUID.nameUUIDFromBytes(("sluice:" + key).getBytes(StandardCharsets.UTF_8));
    }
  }

  @Override
  public void runStarted(String id, int steps) {
    emit.accept(runEvent(EventType.START, null));
  }

  @Override
  public void runFinished(RunResult result) {
    EventType type =
        switch (result.status()) {
          case SUCCEEDED -> EventType.COMPLETE;
          case CANCELLED -> EventType.ABORT;
          default -> EventType.FAIL;
        };
    String error =
        result.status() == RunStatus.SUCCEEDED
            ? null
            : result.steps().stream().filter(step -> step.status() == StepStatus.FAILED).count()
                + " step(s) failed";
    emit.accept(runEvent(type, result.status() == RunStatus.FAILED ? error : null));
  }

  private OpenLineage.RunEvent runEvent(EventType type, String error) {
    OpenLineage.RunFacetsBuilder facets = ol.newRunFacetsBuilder();
    if (error != null) {
      facets.errorMessage(
          ol.newErrorMessageRunFacetBuilder().message(error).programmingLanguage("SQL").build());
    }
    return ol.newRunEventBuilder()
        .eventType(type)
        .eventTime(ZonedDateTime.now(clock))
        .run(ol.newRunBuilder().runId(runUuid).facets(facets.build()).build())
        .job(
            ol.newJobBuilder()
                .namespace(namespace)
                .name(project.config().name())
                .facets(ol.newJobFacetsBuilder().jobType(jobType("RUN")).build())
                .build())
        .inputs(List.of())
        .outputs(List.of())
        .build();
  }

  @Override
  public void stepStarted(String step, StepKind kind) {
    started.add(step);
    emit.accept(stepEvent(EventType.START, step, null));
  }

  @Override
  public void stepFinished(StepResult result) {
    if (!started.remove(result.asset())) {
      return;
    }
    if (!result.checks().isEmpty()) {
      checkEvents(result);
    }
    EventType type = result.status() == StepStatus.FAILED ? EventType.FAIL : EventType.COMPLETE;
    emit.accept(stepEvent(type, result.asset(), result));
  }

  /**
   * The checks a step ran on the data it was about to publish, as a job of their own ({@code
   * ASSET.checks}, a child of the step) that reads the step's table: its input carries the {@code
   * dataQualityAssertions}, where OpenLineage puts assertions (an input facet: what a job found
   * about the data it read).
   */
  private void checkEvents(StepResult result) {
    Asset asset = project.asset(StepKey.parse(result.asset()).asset());
    UUID stepUuid = stepUuid(result.asset());
    List<OpenLineage.DataQualityAssertionsDatasetFacetAssertions> assertions = new ArrayList<>();
    boolean blocked = false;
    for (CheckOutcome check : result.checks()) {
      assertions.add(
          ol.newDataQualityAssertionsDatasetFacetAssertionsBuilder()
              .assertion(check.check().name())
              .success(check.passed())
              .column(check.check().column())
              .build());
      blocked |= check.blocks();
    }
    OpenLineage.InputDataset checked =
        ol.newInputDatasetBuilder()
            .namespace(datasets.warehouse())
            .name(asset.tableName().toString())
            .inputFacets(
                ol.newInputDatasetInputFacetsBuilder()
                    .dataQualityAssertions(
                        ol.newDataQualityAssertionsDatasetFacetBuilder()
                            .assertions(assertions)
                            .build())
                    .build())
            .build();
    UUID checksUuid = uuid("checks:" + runId + "/" + result.asset());
    OpenLineage.RunFacets parent =
        ol.newRunFacetsBuilder()
            .parent(
                ol.newParentRunFacetBuilder()
                    .run(ol.newParentRunFacetRunBuilder().runId(stepUuid).build())
                    .job(
                        ol.newParentRunFacetJobBuilder()
                            .namespace(namespace)
                            .name(asset.name())
                            .build())
                    .build())
            .build();
    OpenLineage.Job job =
        ol.newJobBuilder()
            .namespace(namespace)
            .name(asset.name() + ".checks")
            .facets(ol.newJobFacetsBuilder().jobType(jobType("CHECKS")).build())
            .build();
    for (EventType type : List.of(EventType.START, blocked ? EventType.FAIL : EventType.COMPLETE)) {
      emit.accept(
          ol.newRunEventBuilder()
              .eventType(type)
              .eventTime(ZonedDateTime.now(clock))
              .run(ol.newRunBuilder().runId(checksUuid).facets(parent).build())
              .job(job)
              .inputs(List.of(checked))
              .outputs(List.of())
              .build());
    }
  }

  private UUID stepUuid(String step) {
    return uuid("step:" + runId + "/" + step);
  }

  private OpenLineage.RunEvent stepEvent(EventType type, String step, StepResult result) {
    Asset asset = project.asset(StepKey.parse(step).asset());
    OpenLineage.RunFacetsBuilder runFacets =
        ol.newRunFacetsBuilder()
            .parent(
                ol.newParentRunFacetBuilder()
                    .run(ol.newParentRunFacetRunBuilder().runId(runUuid).build())
                    .job(
                        ol.newParentRunFacetJobBuilder()
                            .namespace(namespace)
                            .name(project.config().name())
                            .build())
                    .build());
    if (type == EventType.FAIL && result.error() != null) {
      runFacets.errorMessage(
          ol.newErrorMessageRunFacetBuilder()
              .message(result.error())
              .programmingLanguage(asset instanceof Asset.Model ? "SQL" : "Java")
              .build());
    }
    return ol.newRunEventBuilder()
        .eventType(type)
        .eventTime(ZonedDateTime.now(clock))
        .run(ol.newRunBuilder().runId(stepUuid(step)).facets(runFacets.build()).build())
        .job(
            ol.newJobBuilder()
                .namespace(namespace)
                .name(asset.name())
                .facets(ol.newJobFacetsBuilder().jobType(jobType(asset.stepKind().name())).build())
                .build())
        .inputs(datasets.inputs(ol, asset))
        .outputs(List.of(output(asset, type == EventType.COMPLETE ? result : null)))
        .build();
  }

  /** The table {@code asset} writes; with what the step did when it completed. */
  private OpenLineage.OutputDataset output(Asset asset, StepResult completed) {
    OpenLineage.DatasetFacetsBuilder facets =
        ol.newDatasetFacetsBuilder()
            .schema(datasets.schema(ol, asset.tableName()).orElse(null))
            .columnLineage(datasets.columnLineage(ol, asset.name()).orElse(null));
    OpenLineage.OutputDatasetBuilder output =
        ol.newOutputDatasetBuilder()
            .namespace(datasets.warehouse())
            .name(asset.tableName().toString());
    if (completed != null) {
      output.outputFacets(
          ol.newOutputDatasetOutputFacetsBuilder()
              .outputStatistics(
                  ol.newOutputStatisticsOutputDatasetFacetBuilder()
                      .rowCount(completed.rowsOut())
                      .size(completed.bytesOut())
                      .build())
              .build());
    }
    return output.facets(facets.build()).build();
  }

  private OpenLineage.JobTypeJobFacet jobType(String jobType) {
    return ol.newJobTypeJobFacetBuilder()
        .processingType("BATCH")
        .integration(INTEGRATION)
        .jobType(jobType.toUpperCase(Locale.ROOT))
        .build();
  }
}
