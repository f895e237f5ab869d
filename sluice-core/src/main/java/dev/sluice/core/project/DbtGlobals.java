package dev.sluice.core.project;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The names a dbt project's templates see besides the functions, as dbt's Jinja context has them:
 * {@code target}, {@code adapter}, {@code exceptions}, {@code flags}, {@code modules} ({@code
 * datetime}, {@code re}), {@code invocation_id}, {@code run_started_at} ({@code execute} is the
 * rendering's own: {@link TemplateSession#execute()}).
 */
final class DbtGlobals {
  private DbtGlobals() {}

  /**
   * The globals of one invocation: its id and start are fixed when the project is loaded, as dbt
   * fixes them when it starts.
   *
   * @param searchOrders the {@code dispatch} config of dbt_project.yml
   * @param invocationFlags the invocation's flags ({@code --full-refresh}, ...) by dbt's names,
   *     over those of a plain {@code dbt run}
   */
  static Map<String, Object> of(
      String projectName,
      DbtProfile profile,
      Map<String, List<String>> searchOrders,
      Map<String, Object> invocationFlags,
      Clock clock) {
    Map<String, Object> flags = flags();
    flags.putAll(invocationFlags);
    Map<String, Object> globals = new LinkedHashMap<>();
    globals.put("target", target(profile, flags.get("THREADS")));
    globals.put("adapter", new DbtDispatch(projectName, searchOrders, profile.database()));
    globals.put("api", DbtIntrospection.api(profile.database()));
    globals.put("exceptions", DbtExceptions.INSTANCE);
    globals.put("flags", flags);
    globals.put("modules", DbtModules.MODULES);
    globals.put("invocation_id", UUID.randomUUID().toString());
    globals.put(
        "run_started_at",
        new DbtModules.DateTime(
            Instant.now(clock).atOffset(ZoneOffset.UTC).toLocalDateTime(), true));
    globals.put("project_name", projectName);
    return globals;
  }

  /** dbt's {@code target}. */
  private static Map<String, Object> target(DbtProfile profile, Object threads) {
    Map<String, Object> target = new LinkedHashMap<>();
    target.put("name", profile.name());
    target.put("target_name", profile.name());
    target.put("schema", profile.schema());
    target.put("type", "duckdb");
    target.put("profile_name", profile.profileName());
    target.put(
        "threads", threads != null ? threads : profile.threads() == null ? 1 : profile.threads());
    target.put("database", profile.database());
    return target;
  }

  /** dbt's {@code flags}: the values of a plain {@code dbt run}. */
  private static Map<String, Object> flags() {
    Map<String, Object> flags = new LinkedHashMap<>();
    flags.put("FULL_REFRESH", false);
    flags.put("STORE_FAILURES", false);
    flags.put("WHICH", "run");
    flags.put("FAIL_FAST", false);
    flags.put("WARN_ERROR", false);
    flags.put("USE_COLORS", false);
    flags.put("LOG_FORMAT", "default");
    return flags;
  }
}
