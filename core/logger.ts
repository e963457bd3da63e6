import { type Logger, pino } from 'pino';
import type { Config } from './config.ts';

export type { Logger };

/** The one logger: fastify is handed this same instance, so API and pipeline logs share format and level. */
export function createLogger(config: Pick<Config, 'WEARWATCH_LOG_LEVEL'>, name = 'wearwatch'): Logger {
  const pretty = process.stderr.isTTY && !process.env.CI;
  return pino(
    {
      name,
      level: config.WEARWATCH_LOG_LEVEL,
      ...(pretty ? { transport: { target: 'pino-pretty', options: { destination: 2, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' } } } : {}),
    },
    pretty ? undefined : pino.destination(2),
  );
}
