type ComponentState = 'ok' | 'starting' | 'degraded' | 'down';

export interface ComponentHealth {
  status: ComponentState;
  [detail: string]: unknown;
}

export type HealthCheck = () => Promise<ComponentHealth> | ComponentHealth;

export interface HealthReport {
  status: ComponentState;
  components: Record<string, ComponentHealth>;
}

const rank: Record<ComponentState, number> = { ok: 0, starting: 1, degraded: 2, down: 3 };

/**
 * Components of the running process register a check here; /healthz reports them all. A check that throws or takes
 * longer than the timeout reports the component down with the reason, so one stuck dependency cannot hang the report.
 */
export class HealthRegistry {
  private readonly checks = new Map<string, HealthCheck>();
  private cached?: { at: number; report: Promise<HealthReport> };

  constructor(private readonly timeoutMs = 2_000) {}

  register(name: string, check: HealthCheck): void {
    this.checks.set(name, check);
  }

  async report(): Promise<HealthReport> {
    const entries = await Promise.all([...this.checks].map(async ([name, check]) => [name, await this.run(check)] as const));
    const components = Object.fromEntries(entries);
    const status = entries.reduce<ComponentState>((worst, [, h]) => (rank[h.status] > rank[worst] ? h.status : worst), 'ok');
    return { status, components };
  }

  /**
   * The last report if it is at most `maxAgeMs` old, else a fresh one; callers arriving while one is being made share
   * it. /healthz answers from here so a probe storm does not become a storm of Kafka and ClickHouse requests.
   */
  recentReport(maxAgeMs: number): Promise<HealthReport> {
    const now = Date.now();
    if (!this.cached || now - this.cached.at >= maxAgeMs) this.cached = { at: now, report: this.report() };
    return this.cached.report;
  }

  private async run(check: HealthCheck): Promise<ComponentHealth> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<ComponentHealth>((resolve) => {
      timer = setTimeout(() => resolve({ status: 'down', error: `no answer within ${this.timeoutMs} ms` }), this.timeoutMs);
    });
    try {
      return await Promise.race([Promise.resolve().then(check), timeout]);
    } catch (error) {
      return { status: 'down', error: (error as Error).message };
    } finally {
      clearTimeout(timer);
    }
  }
}
