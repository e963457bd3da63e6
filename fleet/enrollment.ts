import { type Enrollment, enrollment } from '../core/contracts/enrollment.ts';
import { describeIssues } from '../core/contracts/rows.ts';

const csvColumns = ['serial', 'model', 'purchase_date', 'proof_of_purchase', 'price_paid', 'currency'] as const;

/**
 * Splits CSV text (RFC 4180: quoted fields, doubled quotes, CRLF or LF) into rows of fields. Returns the reason when
 * a quote is left open.
 */
export function parseCsv(text: string): string[][] | string {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      if (row.some((f) => f !== '')) rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (quoted) return 'a quoted field is not closed';
  row.push(field);
  if (row.some((f) => f !== '')) rows.push(row);
  return rows;
}

/** CSV rows (first row the header) → items keyed by column name; the header must name known columns including the required ones. */
export function csvItems(text: string): Record<string, unknown>[] | string {
  const rows = parseCsv(text);
  if (typeof rows === 'string') return rows;
  const [header, ...data] = rows;
  if (!header) return 'the CSV is empty; the first line must be a header such as serial,model,price_paid';
  const names = header.map((h) => h.trim().toLowerCase());
  const unknown = names.filter((n) => !(csvColumns as readonly string[]).includes(n));
  if (unknown.length) return `unknown column(s) ${unknown.join(', ')}; columns are ${csvColumns.join(', ')}`;
  const missing = ['serial', 'model', 'price_paid'].filter((n) => !names.includes(n));
  if (missing.length) return `the header lacks required column(s) ${missing.join(', ')}`;
  return data.map((fields) =>
    Object.fromEntries(
      names.flatMap((name, i) => {
        const value = fields[i]?.trim() ?? '';
        if (value === '') return [];
        return [[name, name === 'price_paid' && /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value]];
      }),
    ),
  );
}

/** Validates one item against the enrolment contract, with the fleet and time filled in. */
export function toEnrollment(item: unknown, fleetId: string, at: Date): { ok: true; value: Enrollment } | { ok: false; reason: string } {
  const fields = typeof item === 'object' && item !== null && !Array.isArray(item) ? item : {};
  const parsed = enrollment.safeParse({ ...fields, schema: 'wearwatch.enrollment.v1', fleet_id: fleetId, enrolled_at: at.toISOString() });
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, reason: describeIssues(parsed.error) };
}
