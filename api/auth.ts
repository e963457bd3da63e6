import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { notFound, WearwatchError } from '../core/errors.ts';
import type { Principal, Role } from '../keys/api-keys.ts';
import type { AuthFailureLimiter } from './auth-failures.ts';

export type { Principal, Role };

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by requireRole once the request's API key is verified. */
    principal?: Principal;
  }
}

/** OpenAPI security requirement for routes behind an API key. */
export const apiKeySecurity = [{ apiKey: [] }];

/** Reads `Authorization: Bearer <key>` (or `X-Api-Key: <key>`). */
function presentedKey(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header === 'string' && header.toLowerCase().startsWith('bearer ')) return header.slice(7).trim();
  const alt = request.headers['x-api-key'];
  return typeof alt === 'string' ? alt.trim() : undefined;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Failed key checks per client; decorated by buildServer. */
    authFailures: AuthFailureLimiter;
  }
}

/**
 * preHandler: the request must carry a valid, unrevoked key whose role is one of `allowed`. 401 without a valid key,
 * 403 with a key of another role. Fleet scoping is a separate check (`assertFleetAccess`) because it depends on the
 * fleet the request names.
 */
export function requireRole(...allowed: Role[]): preHandlerAsyncHookHandler {
  return async function (this: FastifyInstance, request) {
    const key = presentedKey(request);
    if (!key) throw new WearwatchError('WW_UNAUTHORIZED', 'an API key is required: send "Authorization: Bearer <key>"');
    const wait = this.authFailures.retryAfter(request.ip);
    if (wait > 0) {
      throw new WearwatchError('WW_RATE_LIMITED', `too many requests with an invalid API key from this client; retry in ${wait} s`);
    }
    const principal = await this.keyStore.verify(key);
    if (!principal) {
      this.authFailures.record(request.ip);
      throw new WearwatchError('WW_UNAUTHORIZED', 'the API key is unknown, malformed or revoked');
    }
    if (!allowed.includes(principal.role)) {
      throw new WearwatchError('WW_FORBIDDEN', `a ${principal.role} key cannot use this endpoint; it needs one of: ${allowed.join(', ')}`);
    }
    request.principal = principal;
  };
}

/**
 * The principal of a valid key on a public route, which answers without one too; undefined without a key or with an
 * invalid one (a public route never fails for a bad key, it just answers the public view).
 */
export async function optionalPrincipal(app: FastifyInstance, request: FastifyRequest): Promise<Principal | undefined> {
  const key = presentedKey(request);
  return key ? ((await app.keyStore.verify(key)) ?? undefined) : undefined;
}

/** Fleet managers see only their fleets; every other role sees all fleets. */
export function canSeeFleet(principal: Principal, fleetId: string): boolean {
  return principal.role !== 'fleet_manager' || principal.fleetIds.includes(fleetId);
}

/**
 * Throws 404 — not 403 — when the key may not see the fleet, so a key cannot even learn that another tenant's fleet
 * (or drive) exists.
 */
export function assertFleetAccess(request: FastifyRequest, fleetId: string): Principal {
  const principal = request.principal;
  if (!principal || !canSeeFleet(principal, fleetId)) throw notFound(`fleet ${fleetId}`);
  return principal;
}
