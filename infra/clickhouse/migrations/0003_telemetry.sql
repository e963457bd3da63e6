-- Telemetry samples. The sort key (serial, collected_at) serves per-serial history and makes a redelivered
-- sample collapse onto the row it duplicates; monthly partitions serve trends and retention.
CREATE TABLE IF NOT EXISTS telemetry
(
    serial               String,
    fleet_id             LowCardinality(String),
    collected_at         DateTime64(3, 'UTC'),
    model                LowCardinality(String),
    firmware             LowCardinality(String),
    host_bytes_written   Nullable(UInt64),
    nand_bytes_written   Nullable(UInt64),
    avg_pe_cycles        Nullable(UInt32),
    percentage_used      Nullable(UInt16),
    available_spare_pct  Nullable(UInt8),
    media_errors         Nullable(UInt64),
    power_on_hours       Nullable(UInt32),
    power_cycles         Nullable(UInt32),
    unsafe_shutdowns     Nullable(UInt32),
    temperature_c        Nullable(Int16),
    critical_warning     Nullable(UInt8),
    source               LowCardinality(String),
    ingested_at          DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(collected_at)
ORDER BY (serial, collected_at);

-- Fleet-wide latest state: one row per serial, the newest sample wins, kept current as samples arrive.
CREATE TABLE IF NOT EXISTS telemetry_latest AS telemetry
ENGINE = ReplacingMergeTree(collected_at)
ORDER BY serial;

CREATE MATERIALIZED VIEW IF NOT EXISTS telemetry_latest_mv TO telemetry_latest AS
SELECT * FROM telemetry;
