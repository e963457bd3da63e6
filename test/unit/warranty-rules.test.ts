import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inspectionFindings } from '../../core/contracts/rma.ts';
import { migrationsDir } from '../../infra/clickhouse/migrate.ts';
import { exclusionFindings, failingRuleOrder, rules } from '../../warranty/rules.ts';

describe('warranty rules table', () => {
  it('traces every reason code to a clause of the policy (sections I-VI)', () => {
    for (const [code, { clause, rule }] of Object.entries(rules)) {
      expect(clause, code).toMatch(/^(I|II|III|IV|V|VI)\. [A-Z]/);
      expect(rule.length, code).toBeGreaterThan(10);
    }
  });

  it('voids only on the clause III exclusions among inspection findings', () => {
    expect(exclusionFindings.every((f) => inspectionFindings.includes(f))).toBe(true);
    expect(exclusionFindings).not.toContain('temperature_excursion');
  });

  it('spells failing_mask bits in the latest migration that defines them in the same order as the evaluator lists failing rules', () => {
    const sql = readFileSync(join(migrationsDir, '0072_warranty_status_more_exclusions.sql'), 'utf8');
    const list = (after: string) =>
      [
        ...sql
          .slice(sql.indexOf(after))
          .split(']')[0]!
          .matchAll(/'([a-z_]+)'/g),
      ].map((m) => m[1]);
    expect(list('failing_rules Array(String) ALIAS')).toEqual([...failingRuleOrder]);
    expect(list('exclusions Array(String) ALIAS')).toEqual([...exclusionFindings]);
    // Sixteen rules fill the UInt16 mask exactly; a seventeenth needs a wider column first.
    expect(failingRuleOrder.length).toBeLessThanOrEqual(16);
    expect(failingRuleOrder.slice(2, 2 + exclusionFindings.length)).toEqual([...exclusionFindings]);
  });
});
