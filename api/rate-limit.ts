declare module 'fastify' {
  interface FastifyContextConfig {
    /** Marks a public route: rate limited per client address (API_RATE_LIMIT per minute). */
    publicRoute?: boolean;
  }
}

/**
 * Route `config` for public routes. All of them count against one budget per client (one store for the whole app),
 * so a client cannot multiply its allowance by spreading requests over routes; keyed and operational routes are exempt.
 */
export const publicRoute = { publicRoute: true };
