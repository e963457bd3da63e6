-- One materialized view writes a sample's unit_facts columns, and the telemetry door reads a unit's known maxima from
-- unit_facts: until now three views (unit_facts_telemetry_mv, unit_facts_wear_max_mv, telemetry_maxima_mv) each
-- wrote their own part for every inserted batch, which cost ingest a part per view and left the bulk evaluation twice
-- the fresh unit_facts parts to merge under FINAL. The packed columns are computed exactly as in migration 0024
-- (test/unit/unit-facts-layout.test.ts checks both); migrations run before any consumer writes.
ALTER TABLE unit_facts
    ADD COLUMN IF NOT EXISTS power_on_hours_max SimpleAggregateFunction(max, Nullable(UInt32)),
    ADD COLUMN IF NOT EXISTS power_cycles_max SimpleAggregateFunction(max, Nullable(UInt32));

DROP VIEW IF EXISTS unit_facts_wear_max_mv;

DROP VIEW IF EXISTS telemetry_maxima_mv;

DROP VIEW IF EXISTS unit_facts_telemetry_mv;

CREATE MATERIALIZED VIEW IF NOT EXISTS unit_facts_telemetry_mv TO unit_facts AS
WITH
    toUInt64(greatest(toUnixTimestamp64Milli(collected_at), 0)) AS ms,
    17592186044415 - ms AS earliest_first,
    toUInt32(intDiv(ms, 86400000)) AS day,
    bitShiftLeft(toUInt128(intDiv(day, 60)), 108) + bitShiftLeft(toUInt128(earliest_first), 64) AS wear_a,
    bitShiftLeft(toUInt128(intDiv(day + 30, 60)), 108) + bitShiftLeft(toUInt128(earliest_first), 64) AS wear_b,
    bitShiftLeft(toUInt64(intDiv(day, 60)), 17) + 65536 AS temp_a,
    bitShiftLeft(toUInt64(intDiv(day + 30, 60)), 17) + 65536 AS temp_b,
    toUInt64(toInt32(assumeNotNull(temperature_c)) + 32768) AS t_high,
    toUInt64(32767 - toInt32(assumeNotNull(temperature_c))) AS t_low
SELECT
    serial,
    bitShiftLeft(toUInt256(ms), 128)
        + bitShiftLeft(toUInt256(coalesce(host_bytes_written, 0)), 64)
        + bitShiftLeft(toUInt256(coalesce(avg_pe_cycles, 0)), 32)
        + if(host_bytes_written IS NULL, 0, 262144) + if(avg_pe_cycles IS NULL, 0, 131072)
        + if(temperature_c IS NULL, 0, 65536 + t_high) AS latest,
    if(host_bytes_written IS NULL, 0, wear_a + assumeNotNull(host_bytes_written)) AS hbw_a,
    if(host_bytes_written IS NULL, 0, wear_b + assumeNotNull(host_bytes_written)) AS hbw_b,
    if(avg_pe_cycles IS NULL, 0, wear_a + assumeNotNull(avg_pe_cycles)) AS pe_a,
    if(avg_pe_cycles IS NULL, 0, wear_b + assumeNotNull(avg_pe_cycles)) AS pe_b,
    if(temperature_c IS NULL, 0, temp_a + t_high) AS temp_max_a,
    if(temperature_c IS NULL, 0, temp_b + t_high) AS temp_max_b,
    if(temperature_c IS NULL, 0, temp_a + t_low) AS temp_min_a,
    if(temperature_c IS NULL, 0, temp_b + t_low) AS temp_min_b,
    host_bytes_written AS hbw_max,
    avg_pe_cycles AS pe_max,
    power_on_hours AS power_on_hours_max,
    power_cycles AS power_cycles_max
FROM telemetry;

INSERT INTO unit_facts (serial, power_on_hours_max, power_cycles_max)
SELECT serial, max(power_on_hours), max(power_cycles)
FROM telemetry
GROUP BY serial;

DROP TABLE IF EXISTS telemetry_maxima;
