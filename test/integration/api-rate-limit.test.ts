import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestApi, type TestApi } from '../support/api.ts';

let api: TestApi;
beforeAll(async () => {
  api = await openTestApi({ API_RATE_LIMIT: '3' });
});
afterAll(() => api?.close());

describe('rate limiting of public routes', () => {
  it('shares one budget per client across public routes and answers 429 in the error format', async () => {
    const client = (ip: string, url: string) => api.app.inject({ method: 'GET', url, remoteAddress: ip });
    expect((await client('10.0.0.1', '/v1/models')).statusCode).toBe(200);
    expect((await client('10.0.0.1', '/models')).statusCode).toBe(200);
    const third = await client('10.0.0.1', '/v1/warranty/NV2520A00001');
    expect(third.statusCode).toBe(404);
    expect(third.headers['x-ratelimit-remaining']).toBe('0');
    const limited = await client('10.0.0.1', '/v1/models');
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.code).toBe('WW_RATE_LIMITED');
    expect(limited.headers['retry-after']).toBeDefined();
    // Another client has its own budget; operational routes are not limited.
    expect((await client('10.0.0.2', '/v1/models')).statusCode).toBe(200);
    expect((await client('10.0.0.1', '/healthz')).statusCode).toBe(200);
  });
});

describe('failed authentication', () => {
  it('answers 429 once a client has spent its budget on wrong keys, without looking the keys up', async () => {
    let lookups = 0;
    const verify = api.app.keyStore.verify.bind(api.app.keyStore);
    api.app.keyStore.verify = (key: string) => {
      lookups++;
      return verify(key);
    };
    const statuses: number[] = [];
    for (let i = 0; i < 1_000; i++) {
      const res = await api.app.inject({ method: 'GET', url: '/v1/fleets', remoteAddress: '10.0.0.9', headers: { authorization: `Bearer wwk_wrong${i}` } });
      statuses.push(res.statusCode);
    }
    expect(statuses.filter((s) => s === 401)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(997);
    expect(lookups).toBe(3);
    const limited = await api.app.inject({ method: 'GET', url: '/v1/fleets', remoteAddress: '10.0.0.9', headers: { authorization: 'Bearer wwk_x' } });
    expect(limited.json().error.code).toBe('WW_RATE_LIMITED');
    // Another client is not affected.
    expect(
      (await api.app.inject({ method: 'GET', url: '/v1/fleets', remoteAddress: '10.0.0.10', headers: { authorization: 'Bearer wwk_x' } })).statusCode,
    ).toBe(401);
  });
});

describe('errors of the HTTP parser', () => {
  it('answers headers that are too large with 431 in the JSON error body', async () => {
    await api.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = api.app.server.address() as AddressInfo;
    const answer = await new Promise<{ status: number; type: string; body: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/v1/models', headers: { 'x-big': 'a'.repeat(64 * 1024) } }, (res) => {
        let body = '';
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, type: String(res.headers['content-type']), body }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(answer.status).toBe(431);
    expect(answer.type).toMatch(/^application\/json/);
    expect(JSON.parse(answer.body)).toEqual({ error: { code: 'WW_HEADERS_TOO_LARGE', message: 'the request headers are too large' } });
  });
});
