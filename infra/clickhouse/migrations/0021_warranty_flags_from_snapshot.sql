-- Flags are read from the snapshot instead of being written a second time: each snapshot row carries its flag bits
-- (flag_mask) and the bits of the previous successful run (flags_before), so one pass evaluates, flags and finds
-- what changed. The settings a run applied are kept per run so a flag's threshold can be shown later.
CREATE TABLE IF NOT EXISTS warranty_runs
(
    run_id           UInt64,
    snapshot_date    Date32,
    catalog_version  String,
    warn_pct         Float64,
    critical_pct     Float64,
    ending_days      UInt32,
    started_at       DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree
ORDER BY run_id;

ALTER TABLE warranty_status ADD COLUMN IF NOT EXISTS temp_rated_min Nullable(Int16) AFTER temp_observed_max;
ALTER TABLE warranty_status ADD COLUMN IF NOT EXISTS temp_rated_max Nullable(Int16) AFTER temp_rated_min;
ALTER TABLE warranty_status ADD COLUMN IF NOT EXISTS flags_before UInt8 DEFAULT 0 AFTER flag_mask;

DROP TABLE IF EXISTS warranty_flags;

-- One row per flag that is set in a run or was set in the previous one: level '' means not set. The flag bits of
-- warranty_status.flag_mask: 1 near limit (warn), 2 near limit (critical), 4 wear-out before coverage end,
-- 8 coverage ending soon, 16 temperature outside the rated range. A replaced unit raises none.
CREATE VIEW IF NOT EXISTS warranty_flag_slots AS
SELECT
    s.run_id AS run_id,
    s.snapshot_date AS snapshot_date,
    s.serial AS serial,
    s.fleet_id AS fleet_id,
    s.flag_mask AS flag_mask,
    s.flags_before AS flags_before,
    slot.1 AS flag,
    slot.2 AS level,
    slot.3 AS previous_level,
    if(slot.2 = '', NULL, slot.4) AS value,
    if(slot.2 = '', NULL, slot.5) AS threshold
FROM warranty_status AS s
INNER JOIN warranty_runs AS r ON r.run_id = s.run_id
ARRAY JOIN [
    (if(s.wear_metric = 'tbw', 'near_tbw', 'near_pe'),
     multiIf(bitTest(s.flag_mask, 1), 'critical', bitTest(s.flag_mask, 0), 'warn', ''),
     multiIf(bitTest(s.flags_before, 1), 'critical', bitTest(s.flags_before, 0), 'warn', ''),
     toNullable(s.wear_used_pct),
     toNullable(if(bitTest(s.flag_mask, 1), r.critical_pct, r.warn_pct))),
    ('wearout_before_coverage_end',
     if(bitTest(s.flag_mask, 2), 'warn', ''),
     if(bitTest(s.flags_before, 2), 'warn', ''),
     toNullable(toFloat64(dateDiff('day', s.projected_wearout, s.coverage_end) + 1)),
     toNullable(0.)),
    ('warranty_ending',
     if(bitTest(s.flag_mask, 3), 'info', ''),
     if(bitTest(s.flags_before, 3), 'info', ''),
     toNullable(toFloat64(s.days_left)),
     toNullable(toFloat64(r.ending_days))),
    ('temperature_out_of_range',
     if(bitTest(s.flag_mask, 4), 'review', ''),
     if(bitTest(s.flags_before, 4), 'review', ''),
     toNullable(toFloat64(if(s.temp_observed_max > s.temp_rated_max, s.temp_observed_max, s.temp_observed_min))),
     toNullable(toFloat64(if(s.temp_observed_max > s.temp_rated_max, s.temp_rated_max, s.temp_rated_min))))
] AS slot
WHERE (s.flag_mask != 0 OR s.flags_before != 0) AND (slot.2 != '' OR slot.3 != '');

-- The flags raised by each run: read with run_id (and fleet_id) to get one run's set.
CREATE VIEW IF NOT EXISTS warranty_flags AS
SELECT run_id, snapshot_date, serial, fleet_id, flag, level, assumeNotNull(value) AS value, assumeNotNull(threshold) AS threshold
FROM warranty_flag_slots
WHERE level != '';
