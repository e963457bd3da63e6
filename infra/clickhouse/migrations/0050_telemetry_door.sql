-- What ingest needs to decide at the door whether a telemetry sample counts for a unit (telemetry/screen.ts), read
-- for a whole batch's serials in one query (telemetry/door.ts).
--
-- Every enrolment a serial ever had: `drives` keeps only the latest one per serial, but a sample counts for the fleet
-- the unit was enrolled in at the sample's time, so a late sample from before a move still finds its owner.
CREATE TABLE IF NOT EXISTS enrolment_history
(
    serial       String,
    enrolled_at  DateTime64(3, 'UTC'),
    fleet_id     LowCardinality(String)
)
ENGINE = ReplacingMergeTree
ORDER BY (serial, enrolled_at, fleet_id);

CREATE MATERIALIZED VIEW IF NOT EXISTS enrolment_history_mv TO enrolment_history AS
SELECT serial, enrolled_at, fleet_id FROM drives;

INSERT INTO enrolment_history SELECT serial, enrolled_at, fleet_id FROM drives;

-- The highest lifetime counters and newest collection time of the accepted samples of each unit: a new sample that
-- lowers a counter beyond the tolerance is a rollback and is quarantined instead of becoming the reading. 0 = none.
CREATE TABLE IF NOT EXISTS telemetry_maxima
(
    serial              String,
    latest_at           SimpleAggregateFunction(max, DateTime64(3, 'UTC')),
    host_bytes_written  SimpleAggregateFunction(max, UInt64),
    power_on_hours      SimpleAggregateFunction(max, UInt32),
    power_cycles        SimpleAggregateFunction(max, UInt32),
    avg_pe_cycles       SimpleAggregateFunction(max, UInt32)
)
ENGINE = AggregatingMergeTree
ORDER BY serial;

CREATE MATERIALIZED VIEW IF NOT EXISTS telemetry_maxima_mv TO telemetry_maxima AS
SELECT serial, collected_at AS latest_at, coalesce(host_bytes_written, 0) AS host_bytes_written,
       coalesce(power_on_hours, 0) AS power_on_hours, coalesce(power_cycles, 0) AS power_cycles,
       coalesce(avg_pe_cycles, 0) AS avg_pe_cycles
FROM telemetry;

INSERT INTO telemetry_maxima
SELECT serial, max(collected_at), max(coalesce(host_bytes_written, 0)), max(coalesce(power_on_hours, 0)),
       max(coalesce(power_cycles, 0)), max(coalesce(avg_pe_cycles, 0))
FROM telemetry GROUP BY serial;

-- Samples kept apart from `telemetry` (which feeds every warranty reading) for review: `held` for a serial not yet
-- enrolled (attributed, state `attributed`, once it is enrolled in the sample's fleet), `quarantined` for a sample
-- from another fleet than the unit's, a counter rollback or an implausible instant. `sample` is the decoded row as
-- JSON and `collected_at` the instant as sent (text: a far-future instant does not fit DateTime64). The newest
-- `version` of a sample wins, so attributing it is one insert.
CREATE TABLE IF NOT EXISTS telemetry_quarantine
(
    serial          String,
    fleet_id        LowCardinality(String),
    collected_at    String,
    state           Enum8('held' = 1, 'quarantined' = 2, 'attributed' = 3),
    reason_code     LowCardinality(String),
    reason          String,
    sample          String,
    quarantined_at  DateTime64(3, 'UTC'),
    version         UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (serial, fleet_id, collected_at);
