-- Everything the bulk evaluation reads about a unit, in one row per serial: the latest enrolment, the manufacturing date
-- decoded from the serial, the telemetry summary (until now the table telemetry_summary, same figures and meaning) and
-- the flag bits the unit had after the last evaluation run that changed them. A run then reads one table in serial
-- order instead of joining enrolments, telemetry and the previous run's flags: at ten million units those hash joins
-- took more than a third of a run.
--
-- Every column is the max of a value whose high bits say which value wins, so each source writes only its own columns
-- (the others default to 0, which loses to any real value) and merges are order-free: a redelivered or late row changes
-- nothing it should not. The figures are packed into one unsigned integer each rather than kept as tuples because the
-- table is read with FINAL, which merges every row as soon as a recent part exists (samples arrive all day): the max of
-- an integer merges four to five times faster than the max of a tuple. processors/warranty/sql.ts unpacks them.
--
-- Times are epoch milliseconds; a time before 1970 counts as 1970-01-01 (a drive clock never set), and DateTime64 ends
-- in 2299, well inside 44 bits. Bit ranges are [from, to), bit 0 the lowest.
CREATE TABLE IF NOT EXISTS unit_facts
(
    serial      String,
    -- The latest enrolment (the newest enrolled_at wins, as in drives). Strings: max over a tuple drops LowCardinality.
    -- Read its elements by position (drive.2, not drive.model): under FINAL a named element is read from the unmerged
    -- rows (ClickHouse 26.7), so it can come from another source's default.
    drive       SimpleAggregateFunction(max, Tuple(enrolled_at DateTime64(3, 'UTC'), model String, fleet_id String,
                    purchase_date Nullable(Date32), proof_of_purchase Nullable(String), price_paid Decimal(12, 2), currency String)),
    -- Written by the bulk evaluation (processors/warranty/bulk-sql.ts): the manufacturing date the serial encodes under
    -- the serial format with fingerprint `format`. A unit is decoded again when its model's format changes (a new
    -- catalog, a re-enrolment as another model); the newest decode wins.
    --   [65, 128) decoded at (ms)   [33, 65) format fingerprint   [0, 32) date: days since 1900-01-01 + 1, 0 if none
    decoded     SimpleAggregateFunction(max, UInt128),
    -- The newest sample:
    --   [128, 192) collected_at (ms)   [64, 128) host_bytes_written   [32, 64) avg_pe_cycles
    --   [18] [17] [16] host_bytes_written, avg_pe_cycles, temperature_c present   [0, 16) temperature_c + 32768
    latest      SimpleAggregateFunction(max, UInt256),
    -- For the trailing write rate and the temperature review, the earliest wear reading and the temperature extremes of
    -- the unit's current period in two series of 60-day periods, the second offset by 30 days (series a: day / 60,
    -- series b: (day + 30) / 60, days since 1970-01-01 UTC). The older of the two current periods is the trailing
    -- window: it starts 30 to 60 days before the newest sample. rules.ts (trailingPeriodDays) names the 60.
    -- The latest period wins, then within it the earliest reading (its time subtracted from 2^44 - 1) or the extreme
    -- temperature; 0 when the sample had no such reading.
    --   hbw_*, pe_*: [108, 128) period   [64, 108) 2^44 - 1 - collected_at (ms)   [0, 64) counter
    --   temp_max_*: [17, 64) period   [16] 1   [0, 16) temperature_c + 32768
    --   temp_min_*: [17, 64) period   [16] 1   [0, 16) 32767 - temperature_c (the max is then the minimum)
    hbw_a       SimpleAggregateFunction(max, UInt128),
    hbw_b       SimpleAggregateFunction(max, UInt128),
    pe_a        SimpleAggregateFunction(max, UInt128),
    pe_b        SimpleAggregateFunction(max, UInt128),
    temp_max_a  SimpleAggregateFunction(max, UInt64),
    temp_max_b  SimpleAggregateFunction(max, UInt64),
    temp_min_a  SimpleAggregateFunction(max, UInt64),
    temp_min_b  SimpleAggregateFunction(max, UInt64),
    -- The unit's flag bits (warranty_status.flag_mask) as of the evaluation run that last changed them. Each run first
    -- records the changes of the previous successful run, then compares its own flags with these.
    --   [8, 72) run_id   [0, 8) flag_mask
    flags       SimpleAggregateFunction(max, UInt128)
)
ENGINE = AggregatingMergeTree
ORDER BY serial;

CREATE MATERIALIZED VIEW IF NOT EXISTS unit_facts_drives_mv TO unit_facts AS
SELECT
    serial,
    (enrolled_at, toString(model), toString(fleet_id), purchase_date, proof_of_purchase, price_paid, toString(currency))
        ::Tuple(DateTime64(3, 'UTC'), String, String, Nullable(Date32), Nullable(String), Decimal(12, 2), String) AS drive
FROM drives;

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
    if(temperature_c IS NULL, 0, temp_b + t_low) AS temp_min_b
FROM telemetry;

-- Filled from what is stored already; migrations run before any consumer writes. The telemetry figures are those of
-- telemetry_summary (migration 0023), one row per unit, repacked: a reading is absent there when its period is 0.
INSERT INTO unit_facts (serial, drive)
SELECT serial, (enrolled_at, toString(model), toString(fleet_id), purchase_date, proof_of_purchase, price_paid, toString(currency))
FROM drives;

INSERT INTO unit_facts (serial, latest, hbw_a, hbw_b, pe_a, pe_b, temp_max_a, temp_max_b, temp_min_a, temp_min_b)
WITH
    arrayMap(w -> if(w.1 = 0, 0, bitShiftLeft(toUInt128(w.1), 108) + bitShiftLeft(toUInt128(17592186044415 + least(w.2, 0)), 64) + w.3),
        [hbw_a, hbw_b, pe_a::Tuple(UInt32, Int64, UInt64), pe_b::Tuple(UInt32, Int64, UInt64)]) AS wear,
    arrayMap((t, low) -> if(t.1 = 0, 0, bitShiftLeft(toUInt64(t.1), 17) + 65536 + toUInt64(if(low, 32767 + t.2, t.2 + 32768))),
        [temp_max_a, temp_max_b, temp_min_a, temp_min_b], [false, false, true, true]) AS temp
SELECT
    serial,
    bitShiftLeft(toUInt256(greatest(toUnixTimestamp64Milli(latest.1), 0)), 128)
        + bitShiftLeft(toUInt256(coalesce(latest.2, 0)), 64) + bitShiftLeft(toUInt256(coalesce(latest.3, 0)), 32)
        + if(latest.2 IS NULL, 0, 262144) + if(latest.3 IS NULL, 0, 131072)
        + if(latest.4 IS NULL, 0, 65536 + toUInt64(toInt32(assumeNotNull(latest.4)) + 32768)),
    wear[1], wear[2], wear[3], wear[4], temp[1], temp[2], temp[3], temp[4]
FROM telemetry_summary;

-- The flags of the last successful run, so the next run reports only what changes.
INSERT INTO unit_facts (serial, flags)
SELECT serial, bitShiftLeft(toUInt128(run_id), 8) + flag_mask
FROM warranty_status
WHERE run_id = (SELECT maxIf(run_id, outcome = 'ok') FROM scheduler_runs FINAL WHERE job = 'warranty') AND flag_mask != 0;

DROP TABLE IF EXISTS telemetry_summary;
