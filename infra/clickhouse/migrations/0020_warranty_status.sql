-- Dated warranty-status snapshot: one row per enrolled unit per evaluation date, written by the bulk evaluation.
-- Re-running a date replaces that date's rows (newest evaluated_at wins); read one date with FINAL or by run_id.
-- Column meanings follow the single-unit evaluator (processors/warranty/evaluate.ts); coverage_end is the last covered day.
CREATE TABLE IF NOT EXISTS warranty_status
(
    snapshot_date        Date32,
    serial               String,
    fleet_id             LowCardinality(String),
    model                LowCardinality(String),
    kind                 LowCardinality(String),
    status               LowCardinality(String),
    status_reason        LowCardinality(String),
    coverage_start       Nullable(Date32),
    coverage_basis       LowCardinality(String),
    coverage_end         Nullable(Date32),
    days_left            Nullable(Int32),
    manufactured         Nullable(Date32),
    replacement_of       Nullable(String),
    replaced_by          Nullable(String),
    wear_metric          LowCardinality(String),
    wear_limit           Nullable(Float64),
    wear_used            Nullable(Float64),
    wear_remaining       Nullable(Float64),
    wear_used_pct        Nullable(Float64),
    wear_remaining_pct   Nullable(Float64),
    wear_rate_per_day    Nullable(Float64),
    projected_wearout    Nullable(Date32),
    remaining_life_days  Nullable(Int32),
    temp_observed_min    Nullable(Int16),
    temp_observed_max    Nullable(Int16),
    temperature_review   UInt8,
    -- Failing claim rules as bits, in the order of failingRuleOrder (processors/warranty/rules.ts): writing a bit mask is
    -- far cheaper than building an array per unit; the ALIAS columns spell the rules out on read.
    failing_mask         UInt16,
    failing_rules        Array(String) ALIAS arrayFilter((code, bit) -> bitTest(failing_mask, bit),
                             ['model_unknown', 'start_undeterminable', 'physical_damage', 'liquid_damage', 'tampered_label',
                              'unauthorised_modification', 'unofficial_accessory', 'unintended_use', 'unit_replaced',
                              'not_started', 'tbw_reached', 'pe_reached', 'term_ended'], range(13)),
    exclusions           Array(String) ALIAS arrayFilter((code, bit) -> bitTest(failing_mask, bit + 2),
                             ['physical_damage', 'liquid_damage', 'tampered_label', 'unauthorised_modification',
                              'unofficial_accessory', 'unintended_use'], range(6)),
    claim_eligible       UInt8,
    liability_cap        Nullable(Decimal(12, 2)),
    currency             LowCardinality(String),
    -- Near-limit flags raised, as bits: 1 near limit (warn), 2 near limit (critical), 4 wear-out before coverage end,
    -- 8 coverage ending soon, 16 temperature outside the rated range. warranty_flags has one row per raised flag.
    flag_mask            UInt8,
    run_id               UInt64,
    evaluated_at         DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(evaluated_at)
PARTITION BY toYYYYMM(snapshot_date)
ORDER BY (snapshot_date, serial);

-- Near-limit flags of each evaluation run, one row per raised flag (from warranty_status.flag_mask); the current set is
-- the latest successful run's.
CREATE TABLE IF NOT EXISTS warranty_flags
(
    run_id         UInt64,
    snapshot_date  Date32,
    serial         String,
    fleet_id       LowCardinality(String),
    flag           LowCardinality(String),
    level          LowCardinality(String),
    value          Float64,
    threshold      Float64
)
ENGINE = MergeTree
PARTITION BY run_id
ORDER BY (fleet_id, serial, flag);

-- Flag raises / clears found by comparing a run's flags with the previous successful run's: the outbox that is
-- produced to wearwatch.alerts.v1. A run's events are published once the run is recorded as published.
CREATE TABLE IF NOT EXISTS warranty_flag_events
(
    run_id     UInt64,
    serial     String,
    fleet_id   LowCardinality(String),
    flag       LowCardinality(String),
    level      LowCardinality(String),
    action     Enum8('raised' = 1, 'cleared' = 2),
    at         DateTime64(3, 'UTC'),
    value      Nullable(Float64),
    threshold  Nullable(Float64)
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(at)
ORDER BY (run_id, serial, flag);

-- Replacement chains resolved for one run: a replacement unit's direct original, replacement day, the coverage end
-- it inherits along the chain, and the price paid for the first unit of the chain.
CREATE TABLE IF NOT EXISTS warranty_lineage
(
    serial          String,
    parent          String,
    start_day       Date32,
    end_exclusive   Date32,
    paid_known      UInt8,
    paid            Decimal(12, 2),
    currency        LowCardinality(String)
)
ENGINE = MergeTree
ORDER BY serial;

-- Scheduler runs (evaluation + flagging): start, end, units, outcome. Newest version of a run wins.
CREATE TABLE IF NOT EXISTS scheduler_runs
(
    run_id         UInt64,
    job            LowCardinality(String),
    snapshot_date  Date32,
    started_at     DateTime64(3, 'UTC'),
    finished_at    Nullable(DateTime64(3, 'UTC')),
    units          UInt64,
    flags          UInt64,
    raised         UInt64,
    cleared        UInt64,
    published      UInt8,
    outcome        LowCardinality(String),
    error          String,
    updated_at     DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY (job, run_id);
