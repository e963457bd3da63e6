import { z } from 'zod';
import { anyInstant, fleetId, nonNegativeInt, serial, uint64 } from './common.ts';

/**
 * One telemetry sample with fields already normalised: bytes in bytes, temperature in °C. Counters are lifetime totals
 * as the drive reports them; anything the drive does not report is omitted.
 */
export const telemetrySample = z.object({
  schema: z.literal('wearwatch.telemetry.v1'),
  serial,
  fleet_id: fleetId,
  collected_at: anyInstant,
  model: z.string().trim().min(1).max(128),
  firmware: z.string().trim().max(64).default(''),
  host_bytes_written: uint64.optional(),
  nand_bytes_written: uint64.optional(),
  avg_pe_cycles: nonNegativeInt.max(1_000_000).optional(),
  percentage_used: nonNegativeInt.max(255).optional(),
  available_spare_pct: nonNegativeInt.max(100).optional(),
  media_errors: uint64.optional(),
  power_on_hours: nonNegativeInt.max(2_000_000).optional(),
  // Bounded by the UInt32 columns they land in, so an out-of-range value is rejected here rather than by the insert.
  power_cycles: nonNegativeInt.max(4_294_967_295).optional(),
  unsafe_shutdowns: nonNegativeInt.max(4_294_967_295).optional(),
  temperature_c: z.number().int().min(-60).max(200).optional(),
  critical_warning: nonNegativeInt.max(255).optional(),
  // SAS/SCSI: defects the drive added to its grown defect list (reassigned blocks).
  grown_defects: uint64.optional(),
  // smartctl's exit status when the sample came from a smartctl document: bit 2 (a SMART command failed, what the
  // document holds was still used) and bits 3-7 (disk failing, attributes past threshold, error logs) are evidence
  // about the drive; smartctl_warning says in words what bit 2 and smartctl's own messages reported.
  smartctl_exit_status: nonNegativeInt.max(255).optional(),
  smartctl_warning: z.string().max(1024).optional(),
  // bench: read by the RMA desk's inspector from a returned unit.
  source: z.enum(['agent', 'smartctl', 'simulator', 'backblaze', 'gateway', 'bench']).default('agent'),
});
export type TelemetrySample = z.output<typeof telemetrySample>;

/** A raw `smartctl --json -a` document with the fleet and collection time around it; ingest normalises it. */
const smartctlTelemetry = z.object({
  schema: z.literal('wearwatch.telemetry.smartctl.v1'),
  fleet_id: fleetId,
  collected_at: anyInstant,
  smartctl: z.record(z.string(), z.unknown()),
});
export type SmartctlTelemetry = z.output<typeof smartctlTelemetry>;

/** What `wearwatch.telemetry.v1` carries: either form, told apart by `schema`. */
export const telemetryMessage = z.discriminatedUnion('schema', [telemetrySample, smartctlTelemetry]);
export type TelemetryMessage = z.output<typeof telemetryMessage>;
