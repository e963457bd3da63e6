import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { notFound } from '../../core/errors.ts';
import { newKeyRequest, roles, type StoredKey } from '../../keys/api-keys.ts';
import { apiKeySecurity, requireRole } from '../auth.ts';
import type { ApiDependencies } from '../dependencies.ts';
import { errorResponses } from '../errors.ts';

const keyInfo = z
  .object({
    key_id: z.string(),
    name: z.string(),
    role: z.enum(roles),
    fleet_ids: z.array(z.string()),
    created_at: z.string(),
    revoked_at: z.string().nullable(),
  })
  .meta({ id: 'ApiKey' });

const toInfo = (k: StoredKey) => ({ key_id: k.keyId, name: k.name, role: k.role, fleet_ids: k.fleetIds, created_at: k.createdAt, revoked_at: k.revokedAt });

/**
 * Key administration over HTTP for admins, the same operations as `wearwatch keys`; useful when the embedded
 * ClickHouse folder is held by the running server and the CLI cannot open it.
 */
export const adminKeyRoutes: FastifyPluginAsyncZod<ApiDependencies> = async (app) => {
  const admin = { preHandler: requireRole('admin') };
  const tags = ['admin'];

  app.get(
    '/v1/admin/keys',
    {
      ...admin,
      schema: {
        summary: 'List API keys (never their secrets)',
        tags,
        security: apiKeySecurity,
        response: { 200: z.object({ keys: z.array(keyInfo) }), ...errorResponses(401, 403) },
      },
    },
    async () => ({ keys: (await app.keyStore.list()).map(toInfo) }),
  );

  app.post(
    '/v1/admin/keys',
    {
      ...admin,
      schema: {
        summary: 'Create an API key; the key text is shown only in this answer',
        tags,
        security: apiKeySecurity,
        body: newKeyRequest,
        response: { 201: z.object({ key: z.string(), info: keyInfo }), ...errorResponses(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const { key, stored } = await app.keyStore.create(request.body);
      return reply.code(201).send({ key, info: toInfo(stored) });
    },
  );

  app.delete(
    '/v1/admin/keys/:keyId',
    {
      ...admin,
      schema: {
        summary: 'Revoke an API key',
        tags,
        security: apiKeySecurity,
        params: z.object({ keyId: z.string().regex(/^[0-9a-f]{16}$/, 'a 16-character key id as listed') }),
        response: { 200: z.object({ revoked: z.literal(true), key_id: z.string() }), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      if (!(await app.keyStore.revoke(request.params.keyId))) throw notFound(`API key ${request.params.keyId}`);
      return { revoked: true as const, key_id: request.params.keyId };
    },
  );
};
