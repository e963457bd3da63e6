/**
 * Failed key checks per client address in fixed one-minute windows. A client over its budget is answered 429 before
 * its key is looked up, so guessing keys costs it the public routes' rate (API_RATE_LIMIT per minute) and costs
 * ClickHouse nothing. Kept in memory: per process, like the public routes' limiter.
 */
export class AuthFailureLimiter {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly maxPerWindow: number,
    private readonly windowMs = 60_000,
  ) {}

  /** Seconds until `client` may try again, or 0 while it is within its budget. */
  retryAfter(client: string, now = Date.now()): number {
    const window = this.windows.get(client);
    if (!window || window.resetAt <= now || window.count < this.maxPerWindow) return 0;
    return Math.ceil((window.resetAt - now) / 1000);
  }

  record(client: string, now = Date.now()): void {
    const window = this.windows.get(client);
    if (window && window.resetAt > now) window.count++;
    else this.windows.set(client, { count: 1, resetAt: now + this.windowMs });
    if (this.windows.size > 100_000) this.prune(now);
  }

  private prune(now: number): void {
    for (const [client, window] of this.windows) if (window.resetAt <= now) this.windows.delete(client);
  }
}
