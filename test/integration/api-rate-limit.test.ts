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
