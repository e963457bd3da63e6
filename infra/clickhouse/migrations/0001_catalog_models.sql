-- Product catalog (model -> kind, capacity, ratings, warranty term, rated temperature, serial format).
-- The catalog file in the repo is the source of truth; each load writes its version, and the newest load wins.
CREATE TABLE IF NOT EXISTS catalog_models
(
    model            LowCardinality(String),
    product_line     LowCardinality(String),
    kind             Enum8('ssd' = 1, 'tf' = 2),
    capacity_gb      UInt32,
    tbw_tb           Nullable(Float64),
    pe_cycles        Nullable(UInt32),
    warranty_months  UInt16,
    temp_min_c       Int16,
    temp_max_c       Int16,
    serial_format    String,
    catalog_version  String,
    loaded_at        DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(loaded_at)
ORDER BY model;
