-- Columns that follow from others of the same row are computed on read instead of being written for every unit by
-- every run: writing the snapshot is a large share of a bulk evaluation. Each expression is the one the evaluation
-- used (processors/warranty/bulk-sql.ts), so reads return the same values as before.
ALTER TABLE warranty_status
    MODIFY COLUMN wear_used_pct Nullable(Float64) ALIAS wear_used / wear_limit * 100,
    MODIFY COLUMN wear_remaining Nullable(Float64) ALIAS if(wear_used IS NULL, NULL, greatest(0, wear_limit - wear_used)),
    MODIFY COLUMN wear_remaining_pct Nullable(Float64) ALIAS if(wear_used IS NULL, NULL, greatest(0, 100 - wear_used / wear_limit * 100)),
    MODIFY COLUMN wear_metric LowCardinality(String) ALIAS multiIf(kind = 'ssd', 'tbw', kind = 'tf', 'pe', ''),
    MODIFY COLUMN days_left Nullable(Int32) ALIAS
        if(coverage_end IS NULL, NULL, toInt32(greatest(0, dateDiff('day', snapshot_date, coverage_end + 1)))),
    MODIFY COLUMN remaining_life_days Nullable(Int32) ALIAS
        multiIf(wear_used >= wear_limit, 0, projected_wearout IS NULL, NULL, toInt32(greatest(0, dateDiff('day', snapshot_date, projected_wearout)))),
    MODIFY COLUMN claim_eligible UInt8 ALIAS failing_mask = 0;
