-- Clause V caps a settlement at the price actually paid. A unit registered by a retail customer, or enrolled without
-- its price, has no known price: NULL, which the rules report as "unknown, desk review", never as a cap of 0.
-- The enrolment's copy in unit_facts and the replacement chains' first price (warranty_lineage, rebuilt every run) follow (its view is recreated with the new tuple type; migrations run before any
-- consumer writes).
ALTER TABLE drives MODIFY COLUMN price_paid Nullable(Decimal(12, 2));

DROP VIEW IF EXISTS unit_facts_drives_mv;

ALTER TABLE unit_facts
    MODIFY COLUMN drive SimpleAggregateFunction(max, Tuple(enrolled_at DateTime64(3, 'UTC'), model String, fleet_id String,
        purchase_date Nullable(Date32), proof_of_purchase Nullable(String), price_paid Nullable(Decimal(12, 2)), currency String));

CREATE MATERIALIZED VIEW IF NOT EXISTS unit_facts_drives_mv TO unit_facts AS
SELECT
    serial,
    (enrolled_at, toString(model), toString(fleet_id), purchase_date, proof_of_purchase, price_paid, toString(currency))
        ::Tuple(DateTime64(3, 'UTC'), String, String, Nullable(Date32), Nullable(String), Nullable(Decimal(12, 2)), String) AS drive
FROM drives;

ALTER TABLE warranty_lineage MODIFY COLUMN paid Nullable(Decimal(12, 2));
