-- RMA lifecycle events. Each event carries a producer-assigned id, so a redelivered event collapses onto itself.
-- Sorted by serial first: warranty evaluation reads a unit's whole RMA history; lookups by RMA number use the index.
CREATE TABLE IF NOT EXISTS rma_events
(
    event_id            UUID,
    rma_number          String,
    serial              String,
    event_type          Enum8('requested' = 1, 'authorised' = 2, 'received' = 3, 'inspected' = 4,
                              'repaired' = 5, 'replaced' = 6, 'rejected' = 7, 'closed' = 8),
    occurred_at         DateTime64(3, 'UTC'),
    findings            Array(LowCardinality(String)),
    reasons             Array(LowCardinality(String)),
    replacement_serial  Nullable(String),
    details             String,
    ingested_at         DateTime64(3, 'UTC') DEFAULT now64(3),
    INDEX rma_number_idx rma_number TYPE bloom_filter GRANULARITY 4
)
ENGINE = ReplacingMergeTree
ORDER BY (serial, rma_number, occurred_at, event_id);
