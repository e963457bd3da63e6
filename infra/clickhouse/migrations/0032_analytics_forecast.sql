-- Saved warranty-load forecasts: each run's expected claims per month and model, so Grafana and the pages can show
-- forecast against actual claims as the months arrive. A year and a month of runs is kept.
CREATE TABLE IF NOT EXISTS analytics_forecast
(
    run_at           DateTime64(3, 'UTC'),
    as_of            Date32,
    month            Date32,
    model            LowCardinality(String),
    expected_claims  Float64,
    units_covered    UInt32
)
ENGINE = MergeTree
ORDER BY (run_at, month, model)
TTL toDateTime(run_at) + INTERVAL 400 DAY;
