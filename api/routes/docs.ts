import type { FastifyPluginAsync } from 'fastify';
import type { ApiDependencies } from '../dependencies.ts';
import { html, sendPage } from '../pages/layout.ts';

interface Operation {
  summary?: string;
  tags?: string[];
  security?: unknown[];
}

/**
 * GET /openapi.json: the OpenAPI 3 document generated from the routes' zod schemas. GET /docs: the same document as a
 * plain page listing every operation, so it needs no script bundle to read.
 */
export const docsRoutes: FastifyPluginAsync<ApiDependencies> = async (app) => {
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  app.get('/docs', { schema: { hide: true } }, async (_request, reply) => {
    const spec = app.swagger() as { paths?: Record<string, Record<string, Operation>> };
    const operations = Object.entries(spec.paths ?? {}).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({ path, method: method.toUpperCase(), op })),
    );
    return sendPage(reply, {
      title: 'API reference',
      path: '/docs',
      body: html`<p>The machine-readable OpenAPI 3 document is at <a href="/openapi.json">/openapi.json</a>. Fleet and staff
        endpoints need an API key: <code>Authorization: Bearer wwk_…</code>. Errors are JSON
        <code>{"error": {"code", "message", "fields"}}</code>.</p>
        <div class="table-wrap"><table>
        <caption class="hint">Every operation</caption>
        <thead><tr><th scope="col">Method</th><th scope="col">Path</th><th scope="col">What it does</th><th scope="col">Access</th></tr></thead>
        <tbody>${operations.map(
          ({ path, method, op }) =>
            html`<tr><td>${method}</td><td><code>${path}</code></td><td>${op.summary ?? ''}</td><td>${op.security?.length ? 'API key' : 'public'}</td></tr>`,
        )}</tbody></table></div>`,
    });
  });
};
