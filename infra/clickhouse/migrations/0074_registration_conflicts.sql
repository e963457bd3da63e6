-- Product registrations that name a serial already enrolled: never applied over the enrolment, kept for the desk to
-- review (the registering customer may be its new owner, or may have mistyped the serial).
CREATE TABLE IF NOT EXISTS registration_conflicts
(
    received_at     DateTime64(3, 'UTC'),
    serial          String,
    model           LowCardinality(String),
    enrolled_fleet  LowCardinality(String),
    registration    String,
    ingested_at     DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = MergeTree
ORDER BY (received_at, serial);
