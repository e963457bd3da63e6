import { describe, expect, it } from 'vitest';
import { instantProblem, ownerAt, rollbackProblem } from '../../telemetry/plausibility.ts';
import { type DoorFacts, type ScreenedSample, screenSamples } from '../../telemetry/screen.ts';

const rules = { futureSkewMs: 24 * 3_600_000, counterTolerance: 0.01 };
const now = new Date('2026-06-01T12:00:00Z');
const at = (iso: string) => Date.parse(iso);
const facts = (): DoorFacts => ({
  enrolments: new Map([
    ['A1', [{ atMs: at('2025-01-01T00:00:00Z'), fleet: 'fleet-a' }]],
    [
      'MOVED',
      [
        { atMs: at('2025-01-01T00:00:00Z'), fleet: 'fleet-a' },
        { atMs: at('2026-01-01T00:00:00Z'), fleet: 'fleet-b' },
      ],
    ],
  ]),
  known: new Map([
    [
      'A1',
      {
        latestAtMs: at('2026-05-01T00:00:00Z'),
        maxima: { host_bytes_written: 700_000_000_000_000n, power_on_hours: 9000n, power_cycles: 300n, avg_pe_cycles: 0n },
      },
    ],
  ]),
});
const sample = (over: Partial<ScreenedSample>): ScreenedSample => ({
  serial: 'A1',
  fleet_id: 'fleet-a',
  collected_at: '2026-05-20T00:00:00.000Z',
  host_bytes_written: 710e12,
  ...over,
});

describe('telemetry plausibility rules', () => {
  it('refuses instants beyond the skew and before 2000, and accepts the skew itself', () => {
    expect(instantProblem('collected_at', '2026-06-02T12:00:00.000Z', now, rules)).toBeNull();
    expect(instantProblem('collected_at', '2026-06-02T12:00:00.001Z', now, rules)).toMatch(/^collected_at: .* more than 24 h in the future/);
    expect(instantProblem('collected_at', '9999-01-01T00:00:00.000Z', now, rules)).toMatch(/in the future/);
    expect(instantProblem('collected_at', '1999-12-31T23:59:59.999Z', now, rules)).toMatch(/before 2000-01-01/);
    expect(instantProblem('collected_at', '2000-01-01T00:00:00.000Z', now, rules)).toBeNull();
  });

  it('calls a newest sample that lowers a counter beyond the tolerance a rollback, and ignores late history', () => {
    const known = facts().known.get('A1')!;
    expect(rollbackProblem({ collected_at: '2026-05-20T00:00:00Z', host_bytes_written: 1e12 }, known, rules)).toMatch(
      /^host_bytes_written: 1000000000000 is below/,
    );
    // 1 % below is within the tolerance; just beyond it is not.
    expect(rollbackProblem({ collected_at: '2026-05-20T00:00:00Z', host_bytes_written: 693e12 }, known, rules)).toBeNull();
    expect(rollbackProblem({ collected_at: '2026-05-20T00:00:00Z', host_bytes_written: 692.9e12 }, known, rules)).not.toBeNull();
    expect(rollbackProblem({ collected_at: '2026-05-20T00:00:00Z', power_on_hours: 10 }, known, rules)).toMatch(/^power_on_hours/);
    expect(rollbackProblem({ collected_at: '2026-04-01T00:00:00Z', host_bytes_written: 1e12 }, known, rules)).toBeNull();
  });

  it('finds the fleet a unit belonged to at a time', () => {
    const spans = facts().enrolments.get('MOVED')!;
    expect(ownerAt(spans, at('2025-06-01T00:00:00Z'))).toBe('fleet-a');
    expect(ownerAt(spans, at('2026-01-01T00:00:00Z'))).toBe('fleet-b');
    expect(ownerAt(spans, at('2024-01-01T00:00:00Z'))).toBe('fleet-a');
    expect(ownerAt([], at('2024-01-01T00:00:00Z'))).toBeUndefined();
  });
});

describe('screening a batch', () => {
  it('accepts, holds, quarantines and rejects with reasons, each rollback judged against the batch so far', () => {
    const samples = [
      sample({}),
      sample({ serial: 'NEW1', fleet_id: 'fleet-b' }),
      sample({ serial: 'MOVED', fleet_id: 'fleet-a', collected_at: '2026-03-01T00:00:00.000Z' }),
      sample({ serial: 'MOVED', fleet_id: 'fleet-a', collected_at: '2025-06-01T00:00:00.000Z' }),
      sample({ collected_at: '9999-01-01T00:00:00.000Z', host_bytes_written: 9e15 }),
      // After the 800 TB sample of the same batch, 710 TB a day later is a rollback.
      sample({ collected_at: '2026-05-22T00:00:00.000Z', host_bytes_written: 710e12 }),
      sample({ collected_at: '2026-05-21T00:00:00.000Z', host_bytes_written: 800e12 }),
    ];
    const verdicts = screenSamples(samples, facts(), rules, now);
    expect(verdicts.map((v) => (v.kind === 'accept' ? 'accept' : `${v.kind}:${v.code}`))).toEqual([
      'accept',
      'hold:unenrolled',
      'quarantine:other_fleet',
      'accept',
      'reject:implausible_instant',
      'quarantine:counter_rollback',
      'accept',
    ]);
  });
});
