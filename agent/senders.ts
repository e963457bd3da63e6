import type { Producer } from 'kafkajs';
import { WearwatchError } from '../core/errors.ts';
import { sendInBatches } from '../core/kafka.ts';

/**
 * Delivers spooled messages. Resolves with one entry per message: null when the server took it, or the reason it
 * refused it for good (an HDD, a document without a serial: sending it again would change nothing). Throws when the
 * server could not be reached or failed, so the messages stay spooled for the next attempt.
 */
export interface Sender {
  readonly target: string;
  send(messages: string[]): Promise<(string | null)[]>;
  close(): Promise<void>;
}

/** POST /v1/telemetry of a wearwatch API with an API key (role fleet_manager or admin). */
export class GatewaySender implements Sender {
  readonly target: string;

  constructor(
    server: string,
    private readonly apiKey: string,
    private readonly timeoutMs = 30_000,
  ) {
    this.target = `${server.replace(/\/+$/, '')}/v1/telemetry`;
  }

  async send(messages: string[]): Promise<(string | null)[]> {
    // The messages are JSON texts already; joined as they are, their counters reach the gateway digit for digit.
    const response = await fetch(this.target, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.apiKey}`, 'content-type': 'application/json' },
      body: `{"items":[${messages.join(',')}]}`,
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (response.status !== 202) {
      const detail = (await response.text()).slice(0, 300);
      throw new WearwatchError(
        'WW_AGENT_SEND_FAILED',
        `${this.target} answered ${response.status}: ${detail}`,
        response.status === 401 || response.status === 403 ? 'check the API key (WEARWATCH_AGENT_KEY) and that it may send for this fleet' : undefined,
      );
    }
    const result = (await response.json()) as { items: { index: number; status: string; reasons: string[] }[] };
    const outcome: (string | null)[] = messages.map(() => null);
    // Held (serial not enrolled yet) and quarantined samples were taken: the server keeps them, sending again changes nothing.
    for (const item of result.items) if (item.status === 'rejected') outcome[item.index] = item.reasons.join('; ');
    return outcome;
  }

  async close(): Promise<void> {}
}

/** Straight to the telemetry topic, keyed by serial; ingest validates and dead-letters what it cannot use. */
export class KafkaSender implements Sender {
  constructor(
    private readonly producer: Producer,
    private readonly topic: string,
    readonly target: string,
  ) {}

  async send(messages: string[]): Promise<(string | null)[]> {
    await sendInBatches(this.producer, { topic: this.topic, acks: -1, messages: messages.map((value) => ({ key: serialOf(value), value })) });
    return messages.map(() => null);
  }

  close(): Promise<void> {
    return this.producer.disconnect();
  }
}

/** The serial a wrapped smartctl document names, for the message key (one drive's samples stay on one partition). */
function serialOf(message: string): string | null {
  return /"serial_number"\s*:\s*"([^"]{1,64})"/.exec(message)?.[1] ?? null;
}
