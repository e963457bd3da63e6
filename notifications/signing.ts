import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Headers of a webhook delivery: the receiver recomputes the signature over `${timestamp}.${body}` with its secret. */
export const webhookHeaders = {
  signature: 'x-wearwatch-signature',
  timestamp: 'x-wearwatch-timestamp',
  delivery: 'x-wearwatch-delivery',
} as const;

export const newWebhookSecret = (): string => `whsec_${randomBytes(24).toString('base64url')}`;

/**
 * `sha256=<hex>` HMAC-SHA256 of `${timestamp}.${body}`: signing the timestamp with the body lets a receiver refuse a
 * replayed old delivery.
 */
export const signWebhook = (secret: string, timestamp: string, body: string): string =>
  `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;

/** Constant-time check of a signature header, for receivers written in TypeScript (and the tests). */
export function verifyWebhook(secret: string, timestamp: string, body: string, signature: string): boolean {
  const expected = Buffer.from(signWebhook(secret, timestamp, body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
