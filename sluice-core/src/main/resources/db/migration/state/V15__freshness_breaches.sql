-- Freshness SLO breaches (issue 15 item 5): each period in which an asset with freshness: was older
-- than its warn_after (level 'warn') or error_after ('error'), from the moment it crossed the
-- threshold until the write that made it fresh again (ended_at is null while it lasts). Derived
-- from the metric history by every evaluation (sluice slo, the alerts of on: slo_breach) and kept
-- here, so that alerts, dashboards and the history of an SLO read them; the start is computed from
-- the data, not from when an evaluation saw it, so evaluating twice records the same breach once.
CREATE TABLE sluice_freshness_breaches (
    asset       VARCHAR(512) NOT NULL,
    level       VARCHAR(16)  NOT NULL,
    started_at  BIGINT       NOT NULL,
    ended_at    BIGINT,
    recorded_at BIGINT       NOT NULL,
    detail      TEXT         NOT NULL,
    PRIMARY KEY (asset, level, started_at)
);
