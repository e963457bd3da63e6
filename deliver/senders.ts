import nodemailer, { type Transporter } from 'nodemailer';
import type { Config } from '../core/config.ts';
import type { AlertEvent } from '../core/contracts/alert.ts';
import type { Channel } from '../notifications/channel.ts';
import { emailMessage, slackBody, webhookBody } from '../notifications/render.ts';
import { signWebhook, webhookHeaders } from '../notifications/signing.ts';

export type SenderConfig = Pick<
  Config,
  'NOTIFY_TIMEOUT_MS' | 'NOTIFY_LINK_BASE_URL' | 'SMTP_HOST' | 'SMTP_PORT' | 'SMTP_SECURE' | 'SMTP_USER' | 'SMTP_PASSWORD' | 'SMTP_FROM'
>;

/** Sends one alert on one channel; throws with the reason when the receiver does not take it. */
export type Send = (channel: Channel, alert: AlertEvent, alertId: string) => Promise<void>;

async function post(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<void> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': 'wearwatch-notify', ...headers },
    body,
    signal: AbortSignal.timeout(timeoutMs),
  });
  // The body is read so the connection is released; a short excerpt explains a refusal.
  const text = await response.text().catch(() => '');
  if (!response.ok) throw new Error(`HTTP ${response.status} from the receiver${text ? `: ${text.slice(0, 200)}` : ''}`);
}

/** The senders of the three channel kinds over one SMTP transport (created on first use). */
export function createSenders(config: SenderConfig): { send: Send; close(): void } {
  let transport: Transporter | undefined;
  const mailer = () => {
    if (!config.SMTP_HOST) throw new Error('e-mail channels need an SMTP server: set SMTP_HOST (and SMTP_PORT, SMTP_USER, SMTP_PASSWORD, SMTP_FROM)');
    transport ??= nodemailer.createTransport({
      host: config.SMTP_HOST,
      port: config.SMTP_PORT,
      secure: config.SMTP_SECURE,
      ...(config.SMTP_USER ? { auth: { user: config.SMTP_USER, pass: config.SMTP_PASSWORD ?? '' } } : {}),
      connectionTimeout: config.NOTIFY_TIMEOUT_MS,
      greetingTimeout: config.NOTIFY_TIMEOUT_MS,
      socketTimeout: config.NOTIFY_TIMEOUT_MS,
    });
    return transport;
  };
  const base = config.NOTIFY_LINK_BASE_URL;
  const send: Send = async (channel, alert, alertId) => {
    switch (channel.kind) {
      case 'webhook': {
        const body = webhookBody(alert, { alert_id: alertId, channel_id: channel.channel_id }, base);
        const timestamp = String(Math.floor(Date.now() / 1000));
        await post(
          channel.target,
          body,
          {
            [webhookHeaders.timestamp]: timestamp,
            [webhookHeaders.signature]: signWebhook(channel.secret, timestamp, body),
            [webhookHeaders.delivery]: alertId,
          },
          config.NOTIFY_TIMEOUT_MS,
        );
        return;
      }
      case 'slack':
        await post(channel.target, slackBody(alert, base), {}, config.NOTIFY_TIMEOUT_MS);
        return;
      case 'email': {
        const message = emailMessage(alert, base);
        await mailer().sendMail({
          from: config.SMTP_FROM,
          to: channel.target,
          subject: message.subject,
          text: message.text,
          headers: { 'X-Wearwatch-Alert': alertId },
        });
        return;
      }
    }
  };
  return { send, close: () => transport?.close() };
}
