import { describe, expect, it } from 'vitest';
import { describeError } from '../../api/errors.ts';
import { html } from '../../api/pages/html.ts';
import { layout } from '../../api/pages/layout.ts';
import { WearwatchError } from '../../core/errors.ts';
import { csvItems, parseCsv, toEnrollment } from '../../fleet/enrollment.ts';
import { hashSecret, parseKey, secretMatches } from '../../keys/api-keys.ts';
import { addressLines } from '../../rma/instructions.ts';

describe('HTML templates', () => {
  it('escape every interpolated value unless it is already markup', () => {
    const serial = '<script>alert("x")</script>';
    expect(html`<p>${serial}</p>`.value).toBe('<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</p>');
    expect(html`<ul>${['a&b', html`<li>ok</li>`]}</ul>`.value).toBe('<ul>a&amp;b<li>ok</li></ul>');
    expect(html`<p title="${"' onmouseover='x"}">`.value).toBe('<p title="&#39; onmouseover=&#39;x">');
  });

  it('lay pages out for phones with landmarks and the current page marked', () => {
    const page = layout({ title: 'T <1>', path: '/models', body: html`<p>x</p>` });
    expect(page).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(page).toContain('<html lang="en">');
    expect(page).toContain('<title>T &lt;1&gt; · wearwatch</title>');
    expect(page).toMatch(/<a href="\/models" aria-current="page">/);
    expect(page).not.toContain('<script');
  });
});

describe('CSV enrolment', () => {
  it('parses quotes, doubled quotes, CRLF and blank lines', () => {
    expect(parseCsv('a,"b,c","d ""e"""\r\n\n1,2,3')).toEqual([
      ['a', 'b,c', 'd "e"'],
      ['1', '2', '3'],
    ]);
    expect(parseCsv('a,"b')).toBe('a quoted field is not closed');
  });

  it('maps rows by header and names header problems', () => {
    expect(csvItems('Serial,Model,Price_Paid\nNV2520A00001,WW-NV4-1T,12.5')).toEqual([{ serial: 'NV2520A00001', model: 'WW-NV4-1T', price_paid: 12.5 }]);
    expect(csvItems('serial,model')).toBe('the header lacks required column(s) price_paid');
    expect(csvItems('')).toMatch(/^the CSV is empty/);
  });

  it('validates each drive against the enrolment contract with the fleet from the URL', () => {
    const at = new Date('2026-01-01T00:00:00Z');
    const ok = toEnrollment({ serial: 'NV2520A00001', model: 'WW-NV4-1T', price_paid: 10, fleet_id: 'other' }, 'fleet-a', at);
    expect(ok).toMatchObject({ ok: true, value: { fleet_id: 'fleet-a', currency: 'USD', enrolled_at: '2026-01-01T00:00:00.000Z' } });
    expect(toEnrollment({ serial: 'x', model: 'm', price_paid: 1, purchase_date: '2026-13-01' }, 'f', at)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^serial: .*; purchase_date: /),
    });
  });
});

describe('API keys', () => {
  it('parses only well-formed keys and compares secrets by hash', () => {
    const secret = 'A'.repeat(43);
    expect(parseKey(`wwk_0123456789abcdef_${secret}`)).toEqual({ keyId: '0123456789abcdef', secret });
    expect(parseKey('wwk_0123_short')).toBeUndefined();
    expect(secretMatches(secret, hashSecret(secret))).toBe(true);
    expect(secretMatches(`${secret.slice(1)}B`, hashSecret(secret))).toBe(false);
    expect(secretMatches(secret, 'abcd')).toBe(false);
  });
});

describe('error format', () => {
  it('maps our errors to their status and code, known conditions to 409, and anything else to a logged 500', () => {
    expect(describeError(new WearwatchError('WW_NOT_FOUND', 'x'))).toMatchObject({ status: 404, body: { error: { code: 'WW_NOT_FOUND' } }, internal: false });
    expect(describeError(new WearwatchError('WW_NO_HISTORY', 'no data', 'ingest first'))).toMatchObject({
      status: 409,
      body: { error: { message: 'no data (ingest first)' } },
    });
    expect(describeError(new WearwatchError('WW_CLICKHOUSE_UNAVAILABLE', 'down'))).toMatchObject({ status: 503, internal: true });
    expect(describeError(Object.assign(new Error('too big'), { statusCode: 413 }))).toMatchObject({
      status: 413,
      body: { error: { code: 'WW_PAYLOAD_TOO_LARGE' } },
    });
    const crash = describeError(new TypeError('x is undefined'));
    expect(crash).toMatchObject({ status: 500, internal: true, body: { error: { code: 'WW_INTERNAL' } } });
    expect(JSON.stringify(crash.body)).not.toContain('undefined');
  });
});

describe('RMA instructions', () => {
  it('splits the configured mailing address into lines', () => {
    expect(addressLines('A\\nB \\n\\nC')).toEqual(['A', 'B', 'C']);
  });
});
