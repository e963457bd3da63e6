import { z } from 'zod';
import { alertFlags } from '../core/contracts/alert.ts';

const channelKinds = ['webhook', 'email', 'slack'] as const;
type ChannelKind = (typeof channelKinds)[number];

/** Alert levels from least to most urgent: a channel's minimum level lets through its own and every later one. */
export const alertLevels = ['info', 'review', 'warn', 'critical'] as const;
export type AlertLevel = (typeof alertLevels)[number];

const url = z.url({ protocol: /^https?$/, error: 'an http(s) URL' }).max(2000);
const emails = z
  .string()
  .max(2000)
  .transform((v) => v.split(',').map((a) => a.trim()))
  .pipe(
    z
      .array(z.email({ error: 'e-mail addresses separated by commas' }))
      .min(1)
      .max(20),
  )
  .transform((list) => list.join(', '));

/** What a fleet manager sends to create or replace a channel; the target's form depends on the kind. */
export const channelInput = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('webhook'), target: url.describe('the URL receiving a signed JSON POST per alert') }),
    z.object({ kind: z.literal('slack'), target: url.describe('a Slack-compatible incoming-webhook URL') }),
    z.object({ kind: z.literal('email'), target: emails.describe('recipients, separated by commas') }),
  ])
  .and(
    z.object({
      name: z.string().trim().min(1).max(100),
      min_level: z.enum(alertLevels).default('warn').describe('alerts below this level are not sent'),
      flags: z.array(z.enum(alertFlags)).max(alertFlags.length).default([]).describe('only these flags; empty = every flag'),
      send_cleared: z.boolean().default(false).describe('also send when a flag clears'),
      enabled: z.boolean().default(true),
    }),
  );
export type ChannelInput = z.output<typeof channelInput>;

/** A stored channel. The webhook secret is only ever shown once, when the channel is created. */
export interface Channel {
  channel_id: string;
  fleet_id: string;
  kind: ChannelKind;
  name: string;
  target: string;
  secret: string;
  min_level: AlertLevel;
  flags: string[];
  send_cleared: boolean;
  enabled: boolean;
  version: number;
  updated_by: string;
  created_at: string;
  updated_at: string;
}

/** A channel as the API shows it: no secret, and the part of a webhook or Slack URL that often is a token masked. */
export function publicChannel({ secret: _secret, ...channel }: Channel): Omit<Channel, 'secret'> {
  if (channel.kind === 'email') return channel;
  // A Slack-style URL is a credential in its last path segment; a webhook's may be in its query string.
  const target = channel.kind === 'slack' ? channel.target.replace(/\/[^/]+$/, '/…') : channel.target.replace(/\?.*$/, '?…');
  return { ...channel, target };
}
