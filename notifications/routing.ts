import type { AlertEvent } from '../core/contracts/alert.ts';
import { type AlertLevel, alertLevels, type Channel } from './channel.ts';

/** The newest acknowledgement or snooze of a flag (kind lifted: none in force). */
export type FlagAck = {
  kind: 'ack' | 'snooze' | 'lifted';
  level: string;
  until: string | null;
  by: string;
  reason: string;
  at: string;
};

const rank = (level: string) => alertLevels.indexOf(level as AlertLevel);

/** Whether a channel takes an alert: enabled, at or above its minimum level, one of its flags (none = all), clears only if asked. */
export function channelWants(channel: Pick<Channel, 'enabled' | 'min_level' | 'flags' | 'send_cleared'>, alert: AlertEvent): boolean {
  if (!channel.enabled) return false;
  if (alert.action === 'cleared' && !channel.send_cleared) return false;
  if (rank(alert.level) < rank(channel.min_level)) return false;
  return channel.flags.length === 0 || channel.flags.includes(alert.flag);
}

/**
 * Why an alert is not to be sent now, or null. A snooze silences the flag until its date, whatever happens. An
 * acknowledgement covers the level acknowledged until the flag changes level or clears: every raise the evaluation
 * produces is such a change, so it covers exactly the alerts of that level from before the acknowledgement (one still
 * waiting for a retry, say); the clear that ends it is silent too.
 */
export function suppression(alert: Pick<AlertEvent, 'level' | 'action' | 'at'>, ack: FlagAck | null, now: Date): string | null {
  if (!ack || ack.kind === 'lifted') return null;
  if (ack.kind === 'snooze') return ack.until !== null && Date.parse(ack.until) > now.getTime() ? `snoozed until ${ack.until} by ${ack.by}` : null;
  if (ack.level !== alert.level) return null;
  if (alert.action === 'cleared' || Date.parse(alert.at) <= Date.parse(ack.at)) return `acknowledged by ${ack.by}`;
  return null;
}

/** Whether a flag at `level`, raised at `raisedAt`, is shown as acknowledged or snoozed (null: neither). */
export function ackState(ack: FlagAck | null, level: string, raisedAt: string | null, now: Date): 'acknowledged' | 'snoozed' | null {
  if (!ack || ack.kind === 'lifted') return null;
  if (ack.kind === 'snooze') return ack.until !== null && Date.parse(ack.until) > now.getTime() ? 'snoozed' : null;
  return ack.level === level && (raisedAt === null || Date.parse(raisedAt) <= Date.parse(ack.at)) ? 'acknowledged' : null;
}

/** Wait before attempt `attempt + 1` (attempt counts from 1): doubling from `baseMs`, capped at `maxMs`. */
export const retryDelay = (attempt: number, baseMs: number, maxMs: number): number => Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
