import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { settings } from '../../core/config.ts';
import { projectRoot } from '../support/cli.ts';

const readme = readFileSync(join(projectRoot, 'README.md'), 'utf8');

describe('README', () => {
  it('documents every configuration variable in its table', () => {
    const documented = new Set([...readme.matchAll(/^\| `([A-Z_]+)` +\|/gm)].map((m) => m[1]));
    expect(Object.keys(settings).filter((name) => !documented.has(name))).toEqual([]);
  });

  it('has a Quick start of exactly two commands, and CI runs the test one', () => {
    const quickStart = readme.split('## Quick start')[1]!.split('\n## ')[0]!;
    const commands = quickStart.split('```sh')[1]!.split('```')[0]!.trim().split('\n');
    expect(commands).toHaveLength(2);
    const ci = readFileSync(join(projectRoot, '.ci', 'run'), 'utf8');
    const testCommand = commands[1]!.split('#')[0]!.trim();
    expect(ci).toContain(testCommand);
  });
});
