-- Per-fleet near-limit thresholds, versioned: every change is a new row (who, why, when); the newest version of a
-- (fleet, model) pair is in force unless it is a removal. model '' means all models of the fleet.
CREATE TABLE IF NOT EXISTS fleet_thresholds
(
    fleet_id      LowCardinality(String),
    model         LowCardinality(String),
    version       UInt64,
    warn_pct      Float64,
    critical_pct  Float64,
    ending_days   UInt32,
    removed       UInt8,
    changed_by    String,
    reason        String,
    changed_at    DateTime64(3, 'UTC')
)
ENGINE = MergeTree
ORDER BY (fleet_id, model, version);

-- The fleet thresholds each evaluation run applied (the run's defaults stay in warranty_runs), so a flag's threshold
-- is the one its unit was judged by.
CREATE TABLE IF NOT EXISTS warranty_run_thresholds
(
    run_id        UInt64,
    fleet_id      LowCardinality(String),
    model         LowCardinality(String),
    warn_pct      Float64,
    critical_pct  Float64,
    ending_days   UInt32
)
ENGINE = ReplacingMergeTree
ORDER BY (run_id, fleet_id, model);

-- As in 0021, with each flag's threshold taken from the unit's fleet and model entry of the run, else the fleet's
-- entry for all models, else the run's defaults (a missing join row has run_id 0).
CREATE OR REPLACE VIEW warranty_flag_slots AS
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
LEFT JOIN warranty_run_thresholds AS tm ON tm.run_id = s.run_id AND tm.fleet_id = s.fleet_id AND tm.model = s.model
LEFT JOIN (SELECT * FROM warranty_run_thresholds WHERE model = '') AS tf ON tf.run_id = s.run_id AND tf.fleet_id = s.fleet_id
ARRAY JOIN [
    (if(s.wear_metric = 'tbw', 'near_tbw', 'near_pe'),
     multiIf(bitTest(s.flag_mask, 1), 'critical', bitTest(s.flag_mask, 0), 'warn', ''),
     multiIf(bitTest(s.flags_before, 1), 'critical', bitTest(s.flags_before, 0), 'warn', ''),
     toNullable(s.wear_used_pct),
     toNullable(if(bitTest(s.flag_mask, 1),
                   multiIf(tm.run_id != 0, tm.critical_pct, tf.run_id != 0, tf.critical_pct, r.critical_pct),
                   multiIf(tm.run_id != 0, tm.warn_pct, tf.run_id != 0, tf.warn_pct, r.warn_pct)))),
    ('wearout_before_coverage_end',
     if(bitTest(s.flag_mask, 2), 'warn', ''),
     if(bitTest(s.flags_before, 2), 'warn', ''),
     toNullable(toFloat64(dateDiff('day', s.projected_wearout, s.coverage_end) + 1)),
     toNullable(0.)),
    ('warranty_ending',
     if(bitTest(s.flag_mask, 3), 'info', ''),
     if(bitTest(s.flags_before, 3), 'info', ''),
     toNullable(toFloat64(s.days_left)),
     toNullable(toFloat64(multiIf(tm.run_id != 0, tm.ending_days, tf.run_id != 0, tf.ending_days, r.ending_days)))),
    ('temperature_out_of_range',
     if(bitTest(s.flag_mask, 4), 'review', ''),
     if(bitTest(s.flags_before, 4), 'review', ''),
     toNullable(toFloat64(if(s.temp_observed_max > s.temp_rated_max, s.temp_observed_max, s.temp_observed_min))),
     toNullable(toFloat64(if(s.temp_observed_max > s.temp_rated_max, s.temp_rated_max, s.temp_rated_min))))
] AS slot
WHERE (s.flag_mask != 0 OR s.flags_before != 0) AND (slot.2 != '' OR slot.3 != '')
SETTINGS join_use_nulls = 0;
