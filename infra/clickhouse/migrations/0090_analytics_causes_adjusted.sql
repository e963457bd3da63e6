-- Adjusted failure causes, stored by each analytics run: per factor level the rate ratio from the Poisson regression
-- with all factors together (analytics/adjusted-causes.ts), so Grafana can show what the regression found. The
-- regression runs in the application (IRLS), not in SQL. A year and a month of runs is kept.
CREATE TABLE IF NOT EXISTS analytics_causes_adjusted
(
    run_at      DateTime64(3, 'UTC'),
    factor      LowCardinality(String),
    rank        UInt16,
    level       String,
    status      LowCardinality(String),
    failures    UInt64,
    drive_days  Float64,
    ratio       Nullable(Float64),
    lower       Nullable(Float64),
    upper       Nullable(Float64),
    verdict     LowCardinality(String),
    factor_p    Float64
)
ENGINE = MergeTree
ORDER BY (run_at, factor, rank)
TTL toDateTime(run_at) + INTERVAL 400 DAY;
