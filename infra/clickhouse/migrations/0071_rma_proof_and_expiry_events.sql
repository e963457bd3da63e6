-- RMA events for the desk's verdict on a proof of purchase given with a claim, for an authorisation that lapsed
-- because the unit was not received in time (RMA_AUTHORISATION_DAYS), and for a refund (a monetary settlement, capped by
-- clause V). Appending enum values changes metadata only.
ALTER TABLE rma_events
    MODIFY COLUMN event_type Enum8('requested' = 1, 'authorised' = 2, 'received' = 3, 'inspected' = 4,
                                   'repaired' = 5, 'replaced' = 6, 'rejected' = 7, 'closed' = 8,
                                   'proof_verified' = 9, 'proof_rejected' = 10, 'expired' = 11, 'refunded' = 12);
