package dev.sluice.bench.report;

/**
 * One target of the benchmark issue, judged against what was measured.
 *
 * @param target what the issue asks, e.g. "transform total at most 1.2 × DuckDB-direct"
 * @param measured what was measured, e.g. "1.07 ×"
 * @param met whether the target is met
 */
public record TargetCheck(String target, String measured, boolean met) {}
