-- Analytics rollup: one row per drive per day of telemetry, kept current by a materialized view as samples arrive.
-- Every column is an idempotent aggregate (max, bit-or, argMax), so a redelivered sample changes nothing.
CREATE TABLE IF NOT EXISTS analytics_drive_days
(
    serial              String,
    day                 Date32,
    model               SimpleAggregateFunction(anyLast, LowCardinality(String)),
    fleet_id            SimpleAggregateFunction(anyLast, LowCardinality(String)),
    firmware            AggregateFunction(argMax, String, DateTime64(3, 'UTC')),
    max_temp_c          SimpleAggregateFunction(max, Nullable(Int16)),
    unsafe_shutdowns    SimpleAggregateFunction(max, Nullable(UInt32)),
    host_bytes_written  SimpleAggregateFunction(max, Nullable(UInt64)),
    avg_pe_cycles       SimpleAggregateFunction(max, Nullable(UInt32)),
    critical_warning    SimpleAggregateFunction(groupBitOr, UInt8)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (serial, day);

CREATE MATERIALIZED VIEW IF NOT EXISTS analytics_drive_days_mv TO analytics_drive_days AS
SELECT
    serial,
    toDate32(collected_at) AS day,
    anyLast(model) AS model,
    anyLast(fleet_id) AS fleet_id,
    argMaxState(toString(firmware), collected_at) AS firmware,
    max(temperature_c) AS max_temp_c,
    max(unsafe_shutdowns) AS unsafe_shutdowns,
    max(host_bytes_written) AS host_bytes_written,
    max(avg_pe_cycles) AS avg_pe_cycles,
    groupBitOr(ifNull(critical_warning, toUInt8(0))) AS critical_warning
FROM telemetry
GROUP BY serial, day;

-- Backfill samples that arrived before this rollup existed; repeating rows is harmless (idempotent aggregates).
INSERT INTO analytics_drive_days
SELECT
    serial,
    toDate32(collected_at) AS day,
    anyLast(model),
    anyLast(fleet_id),
    argMaxState(toString(firmware), collected_at),
    max(temperature_c),
    max(unsafe_shutdowns),
    max(host_bytes_written),
    max(avg_pe_cycles),
    groupBitOr(ifNull(critical_warning, toUInt8(0)))
FROM telemetry
GROUP BY serial, day;

-- Manufacturing batch and date decoded from each serial by the catalog's serial formats (written by the analytics
-- refresh, which decodes only serials not yet here). SQL cannot apply the catalog's named-group patterns itself.
CREATE TABLE IF NOT EXISTS analytics_units
(
    serial           String,
    batch            LowCardinality(String),
    manufactured_on  Nullable(Date32),
    decoded_at       DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(decoded_at)
ORDER BY serial;
