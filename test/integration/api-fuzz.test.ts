import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestApi, seedDrives, type TestApi } from '../support/api.ts';

let api: TestApi;
let keys: Record<string, string>[];
let routes: { method: string; url: string }[];

/**
 * Every route the app serves, from fastify's own route tree (printRoutes), so a new route is fuzzed without editing
 * this test. Each tree line is a path segment indented 4 characters per level below its parent (the root itself sits at 4).
 */
function routeTable(app: TestApi['app']): { method: string; url: string }[] {
  const found: { method: string; url: string }[] = [];
  const parents: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const start = line.search(/[^│├└─\s]/);
    const match = /^(\S+) \(([A-Z, ]+)\)/.exec(line.slice(start));
    if (start < 0 || !match) continue;
    const depth = start / 4 - 1;
    const url = (depth === 0 ? '' : parents[depth - 1]! === '/' ? '/' : parents[depth - 1]!) + match[1]!;
    parents[depth] = url;
    for (const method of match[2]!.split(',').map((m) => m.trim())) if (method !== 'HEAD') found.push({ method, url });
  }
  return found;
}

beforeAll(async () => {
  api = await openTestApi();
  await seedDrives(api.clickhouse, [{ serial: 'NV2520F00001', model: 'WW-NV4-1T', fleet_id: 'fleet-f' }]);
  keys = [
    {},
    await api.auth({ name: 'admin', role: 'admin' }),
    await api.auth({ name: 'fm', role: 'fleet_manager', fleet_ids: ['fleet-f'] }),
    await api.auth({ name: 'desk', role: 'support' }),
  ];
  const spec = (await api.app.inject({ method: 'GET', url: '/openapi.json' })).json() as { paths: Record<string, Record<string, unknown>> };
  routes = Object.entries(spec.paths).flatMap(([path, methods]) =>
    Object.keys(methods).map((m) => ({ method: m.toUpperCase(), url: path.replace(/\{(\w+)\}/g, ':$1') })),
  );
  for (const r of routeTable(api.app)) if (!routes.some((x) => x.method === r.method && x.url === r.url)) routes.push(r);
});
afterAll(() => api?.close());

const segment = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.constantFrom('NV2520F00001', 'fleet-f', 'RMA-ZZZZZZZZZZ', '..', '%00', '%', 'a'.repeat(300), "'; DROP TABLE drives; --", '{serial:String}'),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
);
const query = fc.dictionary(
  fc.constantFrom('limit', 'offset', 'state', 'status', 'near', 'level', 'model', 'from', 'to', 'serial', 'number', 'x'),
  fc.oneof(fc.string({ maxLength: 30 }), fc.integer().map(String)),
  { maxKeys: 4 },
);
const body = fc.oneof(
  fc.jsonValue().map((v) => ({ type: 'application/json', payload: JSON.stringify(v) })),
  fc.string({ maxLength: 200 }).map((s) => ({ type: 'application/json', payload: s })),
  fc.string({ maxLength: 200 }).map((s) => ({ type: 'text/csv', payload: s })),
  fc.string({ maxLength: 200 }).map((s) => ({ type: 'application/x-www-form-urlencoded', payload: s })),
  fc.string({ maxLength: 50 }).map((s) => ({ type: 'application/xml', payload: s })),
  fc
    .record({ items: fc.array(fc.anything(), { maxLength: 5 }), drives: fc.array(fc.anything(), { maxLength: 5 }) })
    .map((v) => ({ type: 'application/json', payload: JSON.stringify(v) })),
);

describe('fuzzing every route', () => {
  it('finds the routes', () => {
    expect(routes.length).toBeGreaterThan(15);
    expect(routes).toContainEqual({ method: 'POST', url: '/v1/rma' });
    expect(routes).toContainEqual({ method: 'POST', url: '/rma' });
  });

  it('never answers 5xx to malformed params, queries and bodies, and errors are the JSON format or a page', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: 10_000 }),
        fc.array(segment, { minLength: 3, maxLength: 3 }),
        query,
        body,
        fc.nat({ max: keys.length - 1 }),
        async (pick, segments, q, b, keyIndex) => {
          const route = routes[pick % routes.length]!;
          let i = 0;
          const path = route.url.replace(/:\w+/g, () => encodeURIComponent(segments[i++]!));
          const search = new URLSearchParams(q).toString();
          const res = await api.app.inject({
            method: route.method as 'GET',
            url: `${path}${search ? `?${search}` : ''}`,
            headers: { ...keys[keyIndex], ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { 'content-type': b.type }) },
            ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { payload: b.payload }),
          });
          if (res.statusCode >= 500) throw new Error(`${route.method} ${path}?${search} → ${res.statusCode} ${res.body.slice(0, 300)}`);
          if (res.statusCode >= 400 && res.headers['content-type']?.toString().startsWith('application/json')) {
            expect(res.json().error?.code, `${route.method} ${path} → ${res.body.slice(0, 200)}`).toMatch(/^WW_[A-Z_]+$/);
          }
        },
      ),
      { numRuns: 600 },
    );
  }, 240_000);
});
