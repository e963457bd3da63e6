import { describe, expect, it } from 'vitest';
import type { AlertEvent } from '../../core/contracts/alert.ts';
import { type Channel, channelInput, publicChannel } from '../../notifications/channel.ts';
import { emailMessage, slackBody, webhookBody } from '../../notifications/render.ts';
import { ackState, channelWants, type FlagAck, retryDelay, suppression } from '../../notifications/routing.ts';
import { signWebhook, verifyWebhook } from '../../notifications/signing.ts';

const alert = (over: Partial<AlertEvent> = {}): AlertEvent => ({
  schema: 'wearwatch.alerts.v1',
  id: '1.NV1.near_tbw.raised',
  serial: 'NV2610Z00001',
  fleet_id: 'ops',
  flag: 'near_tbw',
  level: 'warn',
  action: 'raised',
  at: '2026-11-30T10:00:00.000Z',
  value: 85,
  threshold: 80,
  message: 'host writes at 85.0 % of the TBW rating (threshold 80 %)',
  ...over,
});
const channel = { enabled: true, min_level: 'warn' as const, flags: [] as string[], send_cleared: false };
const ack = (over: Partial<FlagAck> = {}): FlagAck => ({
  kind: 'ack',
  level: 'warn',
  until: null,
  by: 'ops',
  reason: 'known',
  at: '2026-11-30T11:00:00.000Z',
  ...over,
});
const now = new Date('2026-11-30T12:00:00Z');

describe('channel routing', () => {
  it('takes alerts at or above its minimum level, of its flags, and clears only when asked', () => {
    expect(channelWants(channel, alert())).toBe(true);
    expect(channelWants(channel, alert({ level: 'critical' }))).toBe(true);
    expect(channelWants(channel, alert({ level: 'review', flag: 'temperature_out_of_range' }))).toBe(false);
    expect(channelWants({ ...channel, min_level: 'critical' }, alert())).toBe(false);
    expect(channelWants({ ...channel, flags: ['near_pe'] }, alert())).toBe(false);
    expect(channelWants({ ...channel, flags: ['near_tbw'] }, alert())).toBe(true);
    expect(channelWants(channel, alert({ action: 'cleared' }))).toBe(false);
    expect(channelWants({ ...channel, send_cleared: true }, alert({ action: 'cleared' }))).toBe(true);
    expect(channelWants({ ...channel, enabled: false }, alert())).toBe(false);
  });

  it('an acknowledgement silences its level until the flag changes level; a snooze until its date', () => {
    expect(suppression(alert(), null, now)).toBeNull();
    expect(suppression(alert(), ack(), now)).toBe('acknowledged by ops');
    // Raised after the acknowledgement: the flag changed (cleared and came back), so it is news again.
    expect(suppression(alert({ at: '2026-11-30T11:00:00.001Z' }), ack(), now)).toBeNull();
    expect(suppression(alert({ level: 'critical' }), ack(), now)).toBeNull();
    expect(suppression(alert({ action: 'cleared' }), ack(), now)).toBe('acknowledged by ops');
    expect(suppression(alert(), ack({ kind: 'lifted' }), now)).toBeNull();
    const snooze = ack({ kind: 'snooze', until: '2026-12-05T00:00:00.000Z' });
    expect(suppression(alert({ level: 'critical', at: '2026-11-30T11:30:00.000Z' }), snooze, now)).toContain('snoozed until');
    expect(suppression(alert(), snooze, new Date('2026-12-05T00:00:00Z'))).toBeNull();
  });

  it('shows a flag as acknowledged only at the acknowledged level, raised before the acknowledgement', () => {
    expect(ackState(ack(), 'warn', '2026-11-30T10:00:00.000Z', now)).toBe('acknowledged');
    expect(ackState(ack(), 'critical', '2026-11-30T11:30:00.000Z', now)).toBeNull();
    expect(ackState(ack(), 'warn', '2026-11-30T11:30:00.000Z', now)).toBeNull();
    expect(ackState(ack({ kind: 'snooze', until: '2026-12-01T00:00:00.000Z' }), 'critical', null, now)).toBe('snoozed');
  });

  it('backs off by doubling up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6].map((a) => retryDelay(a, 1000, 10_000))).toEqual([1000, 2000, 4000, 8000, 10_000, 10_000]);
  });
});

describe('webhook signatures', () => {
  it('verify only with the secret, timestamp and body they were made from', () => {
    const signature = signWebhook('whsec_a', '1796000000', '{"a":1}');
    expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifyWebhook('whsec_a', '1796000000', '{"a":1}', signature)).toBe(true);
    expect(verifyWebhook('whsec_b', '1796000000', '{"a":1}', signature)).toBe(false);
    expect(verifyWebhook('whsec_a', '1796000001', '{"a":1}', signature)).toBe(false);
    expect(verifyWebhook('whsec_a', '1796000000', '{"a":2}', signature)).toBe(false);
  });
});

describe('messages', () => {
  it('carry the alert, its level and a link to the drive when the base URL is known', () => {
    expect(JSON.parse(webhookBody(alert(), { alert_id: 'x', channel_id: 'c' }, 'https://ww.example/'))).toMatchObject({
      alert_id: 'x',
      alert: { serial: 'NV2610Z00001' },
      link: 'https://ww.example/fleet/ops/drives/NV2610Z00001',
    });
    expect(JSON.parse(slackBody(alert({ level: 'critical' }))).text).toContain('*[CRITICAL] near tbw on NV2610Z00001*');
    const mail = emailMessage(alert());
    expect(mail.subject).toBe('wearwatch: [WARN] near tbw on NV2610Z00001');
    expect(mail.text).toContain('host writes at 85.0 %');
  });
});

describe('channel input', () => {
  it('names the field and reason of a bad target', () => {
    const bad = channelInput.safeParse({ kind: 'webhook', name: 'x', target: 'ftp://x' });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]!.path).toEqual(['target']);
    expect(channelInput.parse({ kind: 'email', name: 'ops', target: 'a@x.test, b@x.test' })).toMatchObject({ target: 'a@x.test, b@x.test', min_level: 'warn' });
  });
});

describe('channels as the API shows them', () => {
  const stored = (kind: Channel['kind'], target: string): Channel => ({
    channel_id: 'c',
    fleet_id: 'ops',
    kind,
    name: 'n',
    target,
    secret: kind === 'webhook' ? 'whsec_x' : '',
    min_level: 'warn',
    flags: [],
    send_cleared: false,
    enabled: true,
    version: 1,
    updated_by: 'ops',
    created_at: '2026-11-30T00:00:00.000Z',
    updated_at: '2026-11-30T00:00:00.000Z',
  });
  it('never carry the secret, nor the token part of a URL', () => {
    const hook = publicChannel(stored('webhook', 'https://hooks.example/in?token=abc'));
    expect(hook).not.toHaveProperty('secret');
    expect(hook.target).toBe('https://hooks.example/in?…');
    expect(publicChannel(stored('slack', 'https://hooks.slack.example/services/T0/B0/XYZ')).target).toBe('https://hooks.slack.example/services/T0/B0/…');
    expect(publicChannel(stored('email', 'ops@x.test')).target).toBe('ops@x.test');
  });
});
