-- The highest lifetime counters a unit has reported, kept per unit as samples arrive: wear at a date is the highest
-- reading at or before it, so one sample that reads low (a counter reset, a bad read) never lowers a unit's wear.
-- warranty/unit-facts-sql.ts reads them with the newest sample; a unit with samples after the evaluation date is read
-- from its history instead (warranty/bulk-sql.ts, asOfTelemetry). NULL: the unit never reported the counter.
ALTER TABLE unit_facts
    ADD COLUMN IF NOT EXISTS hbw_max SimpleAggregateFunction(max, Nullable(UInt64)),
    ADD COLUMN IF NOT EXISTS pe_max SimpleAggregateFunction(max, Nullable(UInt32));

CREATE MATERIALIZED VIEW IF NOT EXISTS unit_facts_wear_max_mv TO unit_facts AS
SELECT serial, host_bytes_written AS hbw_max, avg_pe_cycles AS pe_max
FROM telemetry;

-- Filled from the samples stored already; migrations run before any consumer writes.
INSERT INTO unit_facts (serial, hbw_max, pe_max)
SELECT serial, max(host_bytes_written), max(avg_pe_cycles)
FROM telemetry
GROUP BY serial;
