-- The open incidents of the alert rules: one row per rule and subject (an asset, an asset's check)
-- from the alert that opened it until the one that resolved it, so that each incident is sent
-- once, followed by one resolved message, whichever process (CLI run, scheduler) sees it. The
-- history of incidents is the audit log's (action 'alert').
CREATE TABLE sluice_alert_incidents (
    rule       VARCHAR(256) NOT NULL,
    subject    VARCHAR(512) NOT NULL,
    opened_at  BIGINT       NOT NULL,
    detail     TEXT         NOT NULL,
    PRIMARY KEY (rule, subject)
);
