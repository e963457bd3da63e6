import type { Logger } from '../core/logger.ts';
import type { Sender } from './senders.ts';
import type { ScannedDevice, Smartctl } from './smartctl.ts';
import type { Spool } from './spool.ts';

export interface AgentOptions {
  fleet: string;
  /** Device names to read (all when empty) and to leave out. */
  include: string[];
  exclude: string[];
  /** Messages per send. */
  batchSize?: number;
  now?: () => Date;
}

export interface CycleReport {
  devices: number;
  collected: number;
  sent: number;
  refused: number;
  spooled: number;
  dropped: number;
  /** Why sending stopped, when the server could not take the spool. */
  error?: string;
}

/**
 * The collector: each cycle scans the host's drives, reads one smartctl document per device, wraps it as
 * wearwatch.telemetry.smartctl.v1 into the spool, then sends the spool oldest first until it is empty or the server
 * fails. Every document passes through the spool, so what was collected is sent exactly in order, later if need be.
 */
export class Agent {
  constructor(
    private readonly smartctl: Smartctl,
    private readonly spool: Spool,
    private readonly sender: Sender | undefined,
    private readonly logger: Logger,
    private readonly options: AgentOptions,
  ) {}

  /** The devices this agent reads, after --include / --exclude. */
  select(devices: ScannedDevice[]): ScannedDevice[] {
    const { include, exclude } = this.options;
    return devices.filter((d) => (include.length === 0 || include.includes(d.name)) && !exclude.includes(d.name));
  }

  /** Reads every selected device and wraps each document; the wrapped messages in device order. */
  async collect(): Promise<{ devices: number; messages: string[] }> {
    const devices = this.select(await this.smartctl.scan());
    const messages: string[] = [];
    for (const device of devices) {
      const document = await this.smartctl.read(device);
      if (document === undefined) {
        this.logger.warn({ device: device.name }, 'smartctl printed no JSON document for this device; skipped');
        continue;
      }
      const collectedAt = (this.options.now?.() ?? new Date()).toISOString();
      // The document is embedded as smartctl printed it, so its counters arrive digit for digit.
      messages.push(
        `{"schema":"wearwatch.telemetry.smartctl.v1","fleet_id":${JSON.stringify(this.options.fleet)},"collected_at":"${collectedAt}","smartctl":${document}}`,
      );
    }
    return { devices: devices.length, messages };
  }

  async cycle(): Promise<CycleReport> {
    const report: CycleReport = { devices: 0, collected: 0, sent: 0, refused: 0, spooled: 0, dropped: 0 };
    // What waits from an outage or an earlier run goes first, making room before new documents could push it out.
    const unreachable = this.spool.size > 0 && (await this.drain(report));
    const { devices, messages } = await this.collect();
    report.devices = devices;
    report.collected = messages.length;
    for (const message of messages) report.dropped += this.spool.append(message);
    if (report.dropped) this.logger.warn({ dropped: report.dropped, total_dropped: this.spool.dropped }, 'spool full: the oldest documents were dropped');
    if (!unreachable) await this.drain(report);
    report.spooled = this.spool.size;
    return report;
  }

  /** Sends the spool oldest first; stops at the first failure and leaves the rest for the next cycle. True if it failed. */
  private async drain(report: CycleReport): Promise<boolean> {
    if (!this.sender) return false;
    for (;;) {
      const batch = this.spool.peek(this.options.batchSize ?? 100);
      if (batch.length === 0) return false;
      let outcome: (string | null)[];
      try {
        outcome = await this.sender.send(batch.map((b) => b.message));
      } catch (error) {
        report.error = (error as Error).message;
        this.logger.warn({ target: this.sender.target, spooled: this.spool.size, err: error }, 'server unreachable; documents stay spooled');
        return true;
      }
      outcome.forEach((reason, i) => {
        if (reason === null) return;
        report.refused++;
        this.logger.warn({ reason }, `the server refused document ${batch[i]!.sequence} for good; it is not sent again`);
      });
      report.sent += outcome.filter((r) => r === null).length;
      this.spool.remove(batch.map((b) => b.sequence));
    }
  }
}
