-- Enrolment: a drive joins a fleet. One row per serial survives merges (the latest enrolment);
-- queries read it with FINAL so a redelivered enrolment never counts twice.
CREATE TABLE IF NOT EXISTS drives
(
    serial             String,
    model              LowCardinality(String),
    fleet_id           LowCardinality(String),
    purchase_date      Nullable(Date32),
    proof_of_purchase  Nullable(String),
    price_paid         Decimal(12, 2),
    currency           LowCardinality(String),
    enrolled_at        DateTime64(3, 'UTC'),
    ingested_at        DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(enrolled_at)
ORDER BY serial;
