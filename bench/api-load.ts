import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';

/**
 * Load generator for bench/api.ts, run as its own process so generating load never competes with the server's event
 * loop: warranty lookups of random serials at a fixed overall rate, or one fixed `--path` (the floor). Prints one JSON
 * line with the figures.
 */
const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    rate: { type: 'string' },
    duration: { type: 'string' },
    serials: { type: 'string' },
    path: { type: 'string' },
    connections: { type: 'string', default: '32' },
  },
});
const serials = values.path ? [] : readFileSync(values.serials!, 'utf8').split('\n').filter(Boolean);
const path = () => values.path ?? `/v1/warranty/${serials[Math.floor(Math.random() * serials.length)]}`;
const result = await autocannon({
  url: values.url!,
  connections: Number(values.connections),
  overallRate: Number(values.rate),
  duration: Number(values.duration),
  requests: [
    {
      method: 'GET',
      setupRequest: (request) => ({ ...request, path: path() }),
    },
  ],
});
process.stdout.write(
  `${JSON.stringify({
    rps: result.requests.average,
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
    max_ms: result.latency.max,
    requests: result.requests.total,
    errors: result.errors + result.timeouts + result.non2xx,
  })}\n`,
);
