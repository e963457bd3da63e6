import { sleep } from '../core/sleep.ts';

export interface RetryOptions {
  initialMs: number;
  maxMs: number;
  /** Checked before each retry; false stops retrying (shutdown) and the call resolves to `false`. */
  keepTrying: () => boolean;
  onFailure: (error: unknown, attempt: number, waitMs: number) => void;
  /** Called while waiting, e.g. a consumer heartbeat so the group does not evict a member that is backing off. */
  whileWaiting?: () => Promise<void>;
}

/** Runs `fn` until it succeeds (→ true) or `keepTrying` turns false (→ false), doubling the wait up to `maxMs`. */
export async function retryWithBackoff(fn: () => Promise<unknown>, options: RetryOptions): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    try {
      await fn();
      return true;
    } catch (error) {
      const waitMs = Math.min(options.maxMs, options.initialMs * 2 ** (attempt - 1));
      options.onFailure(error, attempt, waitMs);
      const until = Date.now() + waitMs;
      while (Date.now() < until) {
        if (!options.keepTrying()) return false;
        await options.whileWaiting?.().catch(() => {});
        await sleep(Math.min(1_000, until - Date.now()));
      }
      if (!options.keepTrying()) return false;
    }
  }
}
