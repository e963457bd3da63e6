import { type Config, ConfigError, loadConfig } from '../core/config.ts';
import { WearwatchError } from '../core/errors.ts';
import { createLogger, type Logger } from '../core/logger.ts';

export interface CommandContext {
  config: Config;
  logger: Logger;
}

/**
 * Runs a command body with validated configuration and turns known failures into a message naming the cause and the
 * fix, with a non-zero exit code, instead of a stack trace.
 */
export async function runCommand(body: (ctx: CommandContext) => Promise<void>): Promise<void> {
  try {
    const config = loadConfig();
    const logger = createLogger(config);
    await body({ config, logger });
  } catch (error) {
    process.exitCode = reportFailure(error);
  }
}

function reportFailure(error: unknown): number {
  if (error instanceof ConfigError) {
    process.stderr.write(`wearwatch: ${error.message}\n`);
    return 2;
  }
  if (error instanceof WearwatchError) {
    process.stderr.write(`wearwatch: ${error.message}\n${error.hint ? `  fix: ${error.hint}\n` : ''}`);
    return 1;
  }
  process.stderr.write(`wearwatch: unexpected failure: ${(error as Error)?.stack ?? String(error)}\n`);
  return 1;
}
