import { randomUUID } from 'node:crypto';
import type { AlertEvent } from '../core/contracts/alert.ts';

/** What one alert says, in the forms the channels send. */
const title = (a: AlertEvent) =>
  a.action === 'cleared'
    ? `Cleared: ${a.flag.replaceAll('_', ' ')} on ${a.serial}`
    : `[${a.level.toUpperCase()}] ${a.flag.replaceAll('_', ' ')} on ${a.serial}`;

/** A link to the drive's page, when the base URL of the pages is known. */
const driveLink = (a: AlertEvent, baseUrl: string | undefined) =>
  baseUrl ? `${baseUrl.replace(/\/$/, '')}/fleet/${encodeURIComponent(a.fleet_id)}/drives/${encodeURIComponent(a.serial)}` : undefined;

/** The webhook body: the alert as produced, with the delivery's id and channel, so a receiver can deduplicate. */
export function webhookBody(alert: AlertEvent, ids: { alert_id: string; channel_id: string }, baseUrl?: string): string {
  const link = driveLink(alert, baseUrl);
  return JSON.stringify({ ...ids, alert, ...(link ? { link } : {}) });
}

/** A Slack-compatible incoming-webhook body (Mattermost, Rocket.Chat and others take the same `text`). */
export function slackBody(alert: AlertEvent, baseUrl?: string): string {
  const link = driveLink(alert, baseUrl);
  const icon = alert.action === 'cleared' ? ':white_check_mark:' : alert.level === 'critical' ? ':rotating_light:' : ':warning:';
  return JSON.stringify({
    text: `${icon} *${title(alert)}* (fleet ${alert.fleet_id})\n${alert.message}${link ? `\n<${link}|Open the drive>` : ''}`,
  });
}

export interface EmailMessage {
  subject: string;
  text: string;
}

export function emailMessage(alert: AlertEvent, baseUrl?: string): EmailMessage {
  const link = driveLink(alert, baseUrl);
  return {
    subject: `wearwatch: ${title(alert)}`,
    text: [
      `${title(alert)} (fleet ${alert.fleet_id})`,
      '',
      alert.message,
      '',
      `Serial: ${alert.serial}`,
      `Flag: ${alert.flag}`,
      `Level: ${alert.level}`,
      `At: ${alert.at}`,
      ...(link ? ['', `Drive page: ${link}`] : []),
    ].join('\n'),
  };
}

/** Test deliveries carry ids of this form; no acknowledgement ever silences them. */
export const testAlertId = (): string => `test-${randomUUID()}`;
export const isTestAlert = (alertId: string): boolean => alertId.startsWith('test-');

/** The alert a "send test" delivers: plainly a test, so nobody acts on it. */
export function testAlert(fleetId: string, now: Date): AlertEvent {
  return {
    schema: 'wearwatch.alerts.v1',
    serial: 'TEST-0000',
    fleet_id: fleetId,
    flag: 'near_tbw',
    level: 'warn',
    action: 'raised',
    at: now.toISOString(),
    message: 'This is a test notification from wearwatch: the channel works.',
  };
}
