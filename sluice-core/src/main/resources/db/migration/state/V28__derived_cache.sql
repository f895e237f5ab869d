-- What a command derived from inputs that did not change, kept so that the next command skips the
-- work (issues 17 and 20): 'sluice validate' keeps each model's output schema by a key of all it
-- depends on (its rendered SQL, its inputs' schemas, the engine and Sluice's version); the
-- comparison of 'sluice run --env' and 'sluice plan' keeps what each table's metadata file says
-- (fingerprint, columns, branches) by the file's location. One row per kind and name: a newer key
-- replaces the row, so the table never holds more than one row per model and per table. A row whose
-- key differs from the inputs' now is not used; losing the table loses nothing but time.
CREATE TABLE sluice_derived_cache (
    kind        VARCHAR(64)  NOT NULL,
    name        TEXT         NOT NULL,
    cache_key   TEXT         NOT NULL,
    value       TEXT         NOT NULL,
    recorded_at BIGINT       NOT NULL,
    PRIMARY KEY (kind, name)
);
