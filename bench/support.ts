import { parseArgs } from 'node:util';

/** The middle value: benchmarks report medians because single runs on shared machines are noisy. */
export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * Parses `--name N` options that must be positive integers, with defaults; anything else stops the benchmark with
 * exit code 2 and a message naming the option.
 */
export function positiveIntegerOptions<K extends string>(bench: string, defaults: Record<K, number>): Record<K, number> {
  const { values } = parseArgs({
    options: Object.fromEntries(Object.entries(defaults).map(([name, value]) => [name, { type: 'string', default: String(value) }])) as Record<
      string,
      { type: 'string'; default: string }
    >,
  });
  const parsed = Object.fromEntries(Object.keys(defaults).map((name) => [name, Number(values[name])])) as Record<K, number>;
  for (const [name, value] of Object.entries(parsed) as [K, number][]) {
    if (!Number.isInteger(value) || value < 1) {
      process.stderr.write(`bench:${bench}: --${name} must be a positive integer, got ${JSON.stringify(values[name])}\n`);
      process.exit(2);
    }
  }
  return parsed;
}
