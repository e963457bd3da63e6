-- Analytics definitions. Each is one view that rollups, failure-cause analysis, forecast, API, pages and Grafana
-- panels all read, so a number means the same everywhere. Every view tolerates redelivered rows: it only uses
-- idempotent aggregates (min, max, has, groupUniqArray) or FINAL.

-- Daily state of each drive: firmware, hottest reading, unsafe shutdowns, wear (% of TBW for SSDs, % of P/E for TF).
CREATE VIEW IF NOT EXISTS analytics_drive_state AS
SELECT
    d.serial AS serial,
    d.day AS day,
    d.model AS model,
    d.fleet_id AS fleet_id,
    d.firmware AS firmware,
    d.max_temp_c AS max_temp_c,
    d.unsafe_shutdowns AS unsafe_shutdowns,
    d.host_bytes_written AS host_bytes_written,
    d.avg_pe_cycles AS avg_pe_cycles,
    d.critical_warning AS critical_warning,
    multiIf(
        c.kind = 'ssd' AND c.tbw_tb > 0, d.host_bytes_written / (c.tbw_tb * 1e12) * 100,
        c.kind = 'tf' AND c.pe_cycles > 0, d.avg_pe_cycles / c.pe_cycles * 100,
        NULL) AS wear_pct
FROM
(
    SELECT
        serial,
        day,
        anyLast(model) AS model,
        anyLast(fleet_id) AS fleet_id,
        argMaxMerge(firmware) AS firmware,
        max(max_temp_c) AS max_temp_c,
        max(unsafe_shutdowns) AS unsafe_shutdowns,
        max(host_bytes_written) AS host_bytes_written,
        max(avg_pe_cycles) AS avg_pe_cycles,
        groupBitOr(critical_warning) AS critical_warning
    FROM analytics_drive_days
    GROUP BY serial, day
) AS d
LEFT JOIN (SELECT model, kind, tbw_tb, pe_cycles FROM catalog_models FINAL) AS c ON c.model = d.model;

-- One row per RMA (a warranty claim): opened when its first event happened, its outcome, reasons and findings.
-- A defect is confirmed when the unit was repaired or replaced, or inspection confirmed a defect and the claim was
-- not rejected (a rejected claim failed through an exclusion such as physical damage, not a product defect).
CREATE VIEW IF NOT EXISTS analytics_claims AS
SELECT
    r.rma_number AS rma_number,
    r.serial AS serial,
    ifNull(u.model, '') AS model,
    ifNull(u.fleet_id, '') AS fleet_id,
    r.opened_on AS opened_on,
    r.outcome AS outcome,
    r.reasons AS reasons,
    r.findings AS findings,
    r.outcome IN ('repaired', 'replaced') OR (has(r.findings, 'defect_confirmed') AND r.outcome != 'rejected') AS defect_confirmed
FROM
(
    SELECT
        rma_number,
        any(serial) AS serial,
        toDate32(min(occurred_at)) AS opened_on,
        groupUniqArray(toString(event_type)) AS types,
        multiIf(has(types, 'replaced'), 'replaced', has(types, 'repaired'), 'repaired', has(types, 'rejected'), 'rejected',
                has(types, 'closed'), 'closed', 'open') AS outcome,
        arraySort(groupUniqArrayArray(reasons)) AS reasons,
        arraySort(groupUniqArrayArray(findings)) AS findings
    FROM rma_events
    GROUP BY rma_number
) AS r
LEFT JOIN (SELECT serial, toNullable(toString(model)) AS model, toNullable(toString(fleet_id)) AS fleet_id FROM drives FINAL) AS u
    ON u.serial = r.serial;

-- THE failure definition: a drive fails on the day its first confirmed-defect claim was opened, or the first day its
-- telemetry reported a critical warning, whichever is earlier. A drive fails at most once: a replacement is a new serial.
CREATE VIEW IF NOT EXISTS analytics_failures AS
SELECT serial, min(evidence_on) AS failed_on, argMin(source, evidence_on) AS source
FROM
(
    SELECT serial, opened_on AS evidence_on, 'claim' AS source FROM analytics_claims WHERE defect_confirmed
    UNION ALL
    SELECT serial, day AS evidence_on, 'critical_warning' AS source
    FROM analytics_drive_days
    GROUP BY serial, day
    HAVING groupBitOr(critical_warning) != 0
)
GROUP BY serial;

-- Exposure: each drive-day row covers the days until the drive's next report (sparse reporting still counts every
-- day in service) and stops at the failure, which is attributed to the state the drive was in when it failed.
-- Time-varying factors (firmware, temperature, unsafe shutdowns, age) take the value of that row.
CREATE VIEW IF NOT EXISTS analytics_exposure AS
SELECT
    s.serial AS serial,
    s.day AS day,
    toStartOfMonth(s.day) AS month,
    s.model AS model,
    s.fleet_id AS fleet_id,
    s.firmware AS firmware,
    ifNull(nullIf(toString(un.batch), ''), 'unknown') AS batch,
    s.wear_pct AS wear_pct,
    f.failed_on AS failed_on,
    dateDiff('day', s.day, ifNull(
        leadInFrame(toNullable(s.day)) OVER (PARTITION BY s.serial ORDER BY s.day ROWS BETWEEN CURRENT ROW AND 1 FOLLOWING),
        greatest(s.day + 1, ifNull(f.failed_on, s.day)))) AS drive_days,
    toUInt8(f.failed_on IS NOT NULL AND
        leadInFrame(toNullable(s.day)) OVER (PARTITION BY s.serial ORDER BY s.day ROWS BETWEEN CURRENT ROW AND 1 FOLLOWING) IS NULL) AS failed,
    if(s.max_temp_c IS NULL, 'unknown',
       ['<40 °C', '40-49 °C', '50-59 °C', '60-69 °C', '70+ °C'][1 + arrayCount(b -> b <= assumeNotNull(s.max_temp_c), [40, 50, 60, 70])]) AS temp_band,
    if(s.unsafe_shutdowns IS NULL, 'unknown',
       ['0', '1-9', '10-49', '50+'][1 + arrayCount(b -> b <= assumeNotNull(s.unsafe_shutdowns), [1, 10, 50])]) AS shutdown_band,
    if(un.in_service_from IS NULL, 'unknown',
       ['0-5 months', '6-11 months', '12-23 months', '24-35 months', '36+ months'][
           1 + arrayCount(b -> b <= floor(dateDiff('day', assumeNotNull(un.in_service_from), s.day) / 30.4375), [6, 12, 24, 36])]) AS age_band
FROM analytics_drive_state AS s
LEFT JOIN (SELECT serial, toNullable(failed_on) AS failed_on FROM analytics_failures) AS f ON f.serial = s.serial
LEFT JOIN
(
    SELECT
        d.serial AS serial,
        toNullable(toString(a.batch)) AS batch,
        if(d.proof_of_purchase IS NOT NULL AND d.purchase_date IS NOT NULL, d.purchase_date,
           coalesce(a.manufactured_on, d.purchase_date)) AS in_service_from
    FROM (SELECT serial, purchase_date, proof_of_purchase FROM drives FINAL) AS d
    LEFT JOIN (SELECT serial, batch, manufactured_on FROM analytics_units FINAL) AS a ON a.serial = d.serial
) AS un ON un.serial = s.serial
WHERE f.failed_on IS NULL OR s.day <= f.failed_on;

-- Daily fleet wear per model: how worn the drives reporting that day are.
CREATE VIEW IF NOT EXISTS analytics_wear_daily AS
SELECT
    day,
    model,
    count() AS drives,
    quantileExact(0.5)(wear_pct) AS wear_p50,
    quantileExact(0.9)(wear_pct) AS wear_p90,
    max(wear_pct) AS wear_max
FROM analytics_drive_state
WHERE wear_pct IS NOT NULL
GROUP BY day, model;

-- Latest wear of every drive (the near-limit table and the wear distribution read this).
CREATE VIEW IF NOT EXISTS analytics_wear_latest AS
SELECT
    s.serial AS serial,
    argMax(s.model, s.day) AS model,
    argMax(s.fleet_id, s.day) AS fleet_id,
    argMax(s.firmware, s.day) AS firmware,
    max(s.day) AS last_seen,
    argMax(s.wear_pct, s.day) AS wear_pct
FROM analytics_drive_state AS s
WHERE s.wear_pct IS NOT NULL
GROUP BY s.serial;

-- Failures and drive-days per month, model and firmware; AFR = failures / drive_days * 365 after any re-grouping.
CREATE VIEW IF NOT EXISTS analytics_afr_monthly AS
SELECT
    month,
    model,
    firmware,
    sum(e.drive_days) AS drive_days,
    sum(e.failed) AS failures,
    if(drive_days = 0, 0, failures / drive_days * 365 * 100) AS afr_pct
FROM analytics_exposure AS e
GROUP BY month, model, firmware;

-- Claims opened per month by model, outcome and reason (a claim with several reasons counts once under each).
CREATE VIEW IF NOT EXISTS analytics_claims_monthly AS
SELECT
    toStartOfMonth(opened_on) AS month,
    model,
    outcome,
    reason,
    count() AS claims
FROM analytics_claims
ARRAY JOIN if(empty(reasons), ['none'], reasons) AS reason
GROUP BY month, model, outcome, reason;
