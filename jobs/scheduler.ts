import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from '../core/logger.ts';

export interface RunSummary {
  started_at: string;
  finished_at: string | null;
  units: number | null;
  outcome: 'running' | 'ok' | 'failed';
  error?: string;
}

/**
 * Runs one job on a cron schedule with no overlapping runs: a tick that arrives while a run is still going is skipped,
 * and `runNow` while busy joins the run in progress instead of starting another.
 */
export class JobScheduler {
  private task?: ScheduledTask;
  private current?: Promise<RunSummary>;
  last: RunSummary | null = null;

  constructor(
    private readonly name: string,
    private readonly job: () => Promise<{ units: number }>,
    private readonly logger: Logger,
  ) {}

  start(expression: string): void {
    this.task = cron.schedule(expression, () => this.runNow(), { name: this.name, noOverlap: true });
  }

  get running(): boolean {
    return this.current !== undefined;
  }

  nextRun(): string | null {
    return this.task?.getNextRun()?.toISOString() ?? null;
  }

  runNow(): Promise<RunSummary> {
    this.current ??= this.execute().finally(() => (this.current = undefined));
    return this.current;
  }

  private async execute(): Promise<RunSummary> {
    const summary: RunSummary = { started_at: new Date().toISOString(), finished_at: null, units: null, outcome: 'running' };
    this.last = summary;
    try {
      const { units } = await this.job();
      Object.assign(summary, { units, outcome: 'ok' });
    } catch (error) {
      Object.assign(summary, { outcome: 'failed', error: (error as Error).message });
      this.logger.error({ err: error }, `${this.name} run failed`);
    }
    summary.finished_at = new Date().toISOString();
    return summary;
  }

  /** Stops scheduling and waits for a run in progress to finish. */
  async stop(): Promise<void> {
    await this.task?.destroy();
    await this.current;
  }
}
