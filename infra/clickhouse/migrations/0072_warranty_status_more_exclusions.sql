-- Three more clause III exclusions an inspector can record: unsafe operating environment, software conflicts or malware
-- as the cause, and write limits exceeded as read at the bench. They join the exclusions in failing_mask, whose bit
-- order is the status precedence (failingRuleOrder in warranty/rules.ts): bits 0-1 undetermined, 2-10 exclusions,
-- 11 unit_replaced, 12 not_started, 13 tbw_reached, 14 pe_reached, 15 term_ended. Snapshots written before this
-- migration keep their meaning: their bits from unit_replaced on move up by the three new exclusions.
ALTER TABLE warranty_status
    UPDATE failing_mask = bitAnd(failing_mask, 255) + bitShiftLeft(bitAnd(failing_mask, 7936), 3) WHERE 1
    SETTINGS mutations_sync = 2;

ALTER TABLE warranty_status
    MODIFY COLUMN failing_rules Array(String) ALIAS arrayFilter((code, bit) -> bitTest(failing_mask, bit),
        ['model_unknown', 'start_undeterminable', 'physical_damage', 'liquid_damage', 'tampered_label',
         'unauthorised_modification', 'unofficial_accessory', 'unintended_use', 'unsafe_environment', 'software_fault',
         'write_limit_exceeded', 'unit_replaced', 'not_started', 'tbw_reached', 'pe_reached', 'term_ended'], range(16)),
    MODIFY COLUMN exclusions Array(String) ALIAS arrayFilter((code, bit) -> bitTest(failing_mask, bit + 2),
        ['physical_damage', 'liquid_damage', 'tampered_label', 'unauthorised_modification', 'unofficial_accessory',
         'unintended_use', 'unsafe_environment', 'software_fault', 'write_limit_exceeded'], range(9));
