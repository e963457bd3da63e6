-- What smartctl documents add to a sample: SAS/SCSI grown defects, and smartctl's exit status with a warning in words.
-- Exit status bit 2 (a SMART command failed; the document was still used) and bits 3-7 (disk failing, attributes past
-- threshold, error logs) are evidence about the drive, kept on the sample it came with. telemetry_latest gets the same
-- columns, in the same place, so its view (SELECT * FROM telemetry) keeps matching.
ALTER TABLE telemetry
    ADD COLUMN IF NOT EXISTS grown_defects Nullable(UInt64) AFTER critical_warning,
    ADD COLUMN IF NOT EXISTS smartctl_exit_status Nullable(UInt8) AFTER grown_defects,
    ADD COLUMN IF NOT EXISTS smartctl_warning Nullable(String) AFTER smartctl_exit_status;

ALTER TABLE telemetry_latest
    ADD COLUMN IF NOT EXISTS grown_defects Nullable(UInt64) AFTER critical_warning,
    ADD COLUMN IF NOT EXISTS smartctl_exit_status Nullable(UInt8) AFTER grown_defects,
    ADD COLUMN IF NOT EXISTS smartctl_warning Nullable(String) AFTER smartctl_exit_status;
