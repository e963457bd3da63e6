import type { GroundTruth } from './truth.ts';

const n = (value: number) => value.toLocaleString('en-US');

/** A few lines a person reads after a run: what was produced and the truth the analytics should find. */
export function describeTruth(truth: GroundTruth): string[] {
  const badFirmware = truth.bad_firmware.map((fw) => {
    const row = truth.by_firmware[fw];
    const others = Object.entries(truth.by_firmware).filter(([name, r]) => r.line === row?.line && name !== fw);
    const otherDays = others.reduce((sum, [, r]) => sum + r.unit_days, 0);
    const otherFailures = others.reduce((sum, [, r]) => sum + r.failures, 0);
    const otherAfr = otherDays ? (otherFailures / (otherDays / 365)) * 100 : 0;
    return `${fw} AFR ${row?.afr_pct ?? 0} % (rest of ${row?.line ?? '?'} ${otherAfr.toFixed(2)} %)`;
  });
  const badBatches = truth.bad_batches.map((b) => `${b.batch} AFR ${b.afr_pct} % (rest of ${b.line} ${b.line_afr_pct_excluding_batch} %)`);
  const outcomes = Object.entries(truth.claims.outcomes).map(([outcome, count]) => `${outcome} ${n(count)}`);
  return [
    `fleet: ${n(truth.units.initial)} units + ${n(truth.units.replacements)} replacements, ${truth.start} to ${truth.end} (exclusive), seed ${truth.seed}, a sample every ${truth.sample_every} day(s)`,
    `events: ${n(truth.events.total)} (enrollment ${n(truth.events.enrollment)}, telemetry ${n(truth.events.telemetry)}, rma ${n(truth.events.rma)})`,
    `failures: ${n(truth.failures)}; bad firmware: ${badFirmware.join('; ') || 'none'}; bad batches: ${badBatches.join('; ') || 'none'}`,
    `claims: ${n(truth.claims.filed)} filed, ${n(truth.claims.closed)} closed, ${n(truth.claims.open)} open — ${outcomes.join(', ')}`,
  ];
}

export function formatCount(value: number): string {
  return n(value);
}
