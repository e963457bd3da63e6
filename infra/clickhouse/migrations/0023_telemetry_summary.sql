-- Per-unit telemetry figures the warranty rules need, kept current as samples arrive, so an evaluation reads one row
-- per unit however much history the fleet streams: the newest sample, and for the trailing write rate and the
-- temperature review, the earliest wear reading and the temperature extremes of the unit's current period in two
-- series of 60-day periods, the second offset by 30 days (series a: day / 60, series b: (day + 30) / 60, days since
-- 1970-01-01 UTC). The older of the two current periods is the trailing window: it starts 30 to 60 days before the
-- newest sample. processors/warranty/sql.ts reads it; trailingPeriodDays in processors/warranty/rules.ts names the 60.
--
-- Every column is the max of a tuple that starts with what should win (the newest sample; the latest period, then the
-- earliest time or the extreme value within it), so merges are order-free and a redelivered or late sample changes
-- nothing it should not. A reading without the counter or temperature sorts below every period (period 0).
--
-- POPULATE fills it from the samples stored before this migration, which runs before any consumer writes.
CREATE MATERIALIZED VIEW IF NOT EXISTS telemetry_summary
(
    serial      String,
    latest      SimpleAggregateFunction(max, Tuple(DateTime64(3, 'UTC'), Nullable(UInt64), Nullable(UInt32), Nullable(Int16))),
    hbw_a       SimpleAggregateFunction(max, Tuple(UInt32, Int64, UInt64)),
    hbw_b       SimpleAggregateFunction(max, Tuple(UInt32, Int64, UInt64)),
    pe_a        SimpleAggregateFunction(max, Tuple(UInt32, Int64, UInt32)),
    pe_b        SimpleAggregateFunction(max, Tuple(UInt32, Int64, UInt32)),
    temp_max_a  SimpleAggregateFunction(max, Tuple(UInt32, Int16)),
    temp_max_b  SimpleAggregateFunction(max, Tuple(UInt32, Int16)),
    -- The temperature negated: the max of (period, -t) is the minimum of the period.
    temp_min_a  SimpleAggregateFunction(max, Tuple(UInt32, Int16)),
    temp_min_b  SimpleAggregateFunction(max, Tuple(UInt32, Int16))
)
ENGINE = AggregatingMergeTree
ORDER BY serial
POPULATE AS
WITH
    toUnixTimestamp64Milli(collected_at) AS ms,
    toUInt32(intDiv(ms, 86400000)) AS day,
    toUInt32(intDiv(day, 60)) AS period_a,
    toUInt32(intDiv(day + 30, 60)) AS period_b
SELECT
    serial,
    (collected_at, host_bytes_written, avg_pe_cycles, temperature_c) AS latest,
    if(host_bytes_written IS NULL, (0, 0, 0), (period_a, -ms, assumeNotNull(host_bytes_written)))::Tuple(UInt32, Int64, UInt64) AS hbw_a,
    if(host_bytes_written IS NULL, (0, 0, 0), (period_b, -ms, assumeNotNull(host_bytes_written)))::Tuple(UInt32, Int64, UInt64) AS hbw_b,
    if(avg_pe_cycles IS NULL, (0, 0, 0), (period_a, -ms, assumeNotNull(avg_pe_cycles)))::Tuple(UInt32, Int64, UInt32) AS pe_a,
    if(avg_pe_cycles IS NULL, (0, 0, 0), (period_b, -ms, assumeNotNull(avg_pe_cycles)))::Tuple(UInt32, Int64, UInt32) AS pe_b,
    if(temperature_c IS NULL, (0, 0), (period_a, assumeNotNull(temperature_c)))::Tuple(UInt32, Int16) AS temp_max_a,
    if(temperature_c IS NULL, (0, 0), (period_b, assumeNotNull(temperature_c)))::Tuple(UInt32, Int16) AS temp_max_b,
    if(temperature_c IS NULL, (0, 0), (period_a, -assumeNotNull(temperature_c)))::Tuple(UInt32, Int16) AS temp_min_a,
    if(temperature_c IS NULL, (0, 0), (period_b, -assumeNotNull(temperature_c)))::Tuple(UInt32, Int16) AS temp_min_b
FROM telemetry;
