import { createHash } from 'node:crypto';
import type { Catalog } from '../core/catalog/load.ts';
import { wearLimit } from './evaluate.ts';

/**
 * The product catalog inside the bulk evaluation's SQL: each unit's model looked up in the catalog (passed as array
 * parameters), and the manufacturing date decoded from its serial by its product line's serial format. Both are
 * stages the evaluation (bulk-sql.ts) chains; values arrive only as query parameters.
 */

/** `(SELECT *, <columns> FROM <source>)`: one stage of the rules. */
export const stage = (source: string, columns: string) => `(SELECT *, ${columns}\nFROM ${source})`;

/** The catalog's serial formats, each once (product lines may share one); sf_fmt numbers them from 1. */
const serialFormats = (catalog: Catalog) => [...new Map([...catalog.formats.values()].map((f) => [f.name, f])).values()];

/**
 * A serial format's fingerprint, stored with each decoded date (unit_facts.decoded) so a unit is decoded again exactly
 * when the pattern its model uses changes: 32 bits, never 0 (the "not decoded" default).
 */
const formatFingerprint = (pattern: string) => 1 + (parseInt(createHash('sha256').update(pattern).digest('hex').slice(0, 8), 16) % (2 ** 32 - 1));

/**
 * Adds `manufactured` (the date the serial encodes per its model's serial format, NULL when it does not decode) to a
 * source with columns serial and sf_fmt. Patterns and group positions per format arrive as parameters.
 */
export function withManufactureDate(catalog: Catalog, params: Record<string, unknown>, source: string): string {
  const formats = serialFormats(catalog);
  formats.forEach(({ format }, i) => {
    params[`sf_pattern_${i}`] = format.pattern;
  });
  const position = (name: 'year' | 'week' | 'month' | 'day') => {
    params[`sf_${name}`] = formats.map((f) => f.groups[name] ?? 0);
    return `if(sf_fmt = 0 OR {sf_${name}:Array(UInt8)}[sf_fmt] = 0, NULL, sf_groups[{sf_${name}:Array(UInt8)}[sf_fmt]])`;
  };
  const num = (text: string) => `if(match(${text}, '^[0-9]+$'), toInt32OrNull(${text}), NULL)`;
  const s1 = stage(
    source,
    `multiIf(${formats.map((_, i) => `sf_fmt = ${i + 1}, extractGroups(serial, {sf_pattern_${i}:String})`).join(', ')}, []) AS sf_groups`,
  );
  const s2 = stage(
    s1,
    `${position('year')} AS sf_year_text, ${num(position('week'))} AS sf_week, ${num(position('month'))} AS sf_month,
     if({sf_day:Array(UInt8)}[sf_fmt] = 0 OR sf_fmt = 0, 1, ${num(position('day'))}) AS sf_day`,
  );
  const s3 = stage(s2, `multiIf(length(sf_year_text) = 2, 2000 + ${num('sf_year_text')}, length(sf_year_text) = 4, ${num('sf_year_text')}, NULL) AS sf_year`);
  const s4 = stage(
    s3,
    `assumeNotNull(least(greatest(sf_year, 1970), 2200)) AS sf_year_clamped,
     toMonday(makeDate32(sf_year_clamped, 1, 4)) + 7 * (least(greatest(coalesce(sf_week, 1), 1), 54) - 1) AS sf_monday,
     least(greatest(coalesce(sf_month, 1), 1), 12) AS sf_month_clamped`,
  );
  return stage(
    s4,
    `multiIf(
       sf_fmt = 0 OR NOT (sf_year BETWEEN 1970 AND 2200), NULL,
       sf_week IS NOT NULL, if(sf_week BETWEEN 1 AND 53 AND toISOYear(sf_monday) = sf_year, sf_monday, NULL),
       sf_month BETWEEN 1 AND 12
         AND sf_day BETWEEN 1 AND toDayOfMonth(toLastDayOfMonth(makeDate32(sf_year_clamped, sf_month_clamped, 1))),
         makeDate32(sf_year_clamped, sf_month_clamped, assumeNotNull(least(greatest(sf_day, 1), 31))),
       NULL) AS manufactured`,
  );
}

/**
 * The catalog's models as array parameters. The catalog is a few dozen rows, so it travels as arrays and each row looks
 * its model up by position (modelAt) instead of joining a table.
 */
function catalogParams(catalog: Catalog, params: Record<string, unknown>): void {
  const models = catalog.models;
  const formats = serialFormats(catalog);
  Object.assign(params, {
    cat_model: models.map((m) => m.model),
    cat_kind: models.map((m) => m.kind),
    cat_fmt: models.map((m) => 1 + formats.findIndex((f) => f.name === catalog.formats.get(m.product_line)!.name)),
    sf_fingerprint: formats.map((f) => formatFingerprint(f.format.pattern)),
    cat_months: models.map((m) => m.warranty_months),
    cat_limit: models.map(wearLimit),
    cat_temp_min: models.map((m) => m.temp_min_c),
    cat_temp_max: models.map((m) => m.temp_max_c),
  });
}

/**
 * A model's position in the catalog arrays, 0 when unknown: out of range, so NULL ratings (the default of a Nullable
 * array element) and serial format 0. On a LowCardinality model, transform runs once per distinct model.
 */
const modelAt = (model: string) => `transform(${model}, {cat_model:Array(String)}, arrayEnumerate({cat_model:Array(String)}), 0)`;

const fingerprintAt = (formatAt: string) => `{sf_fingerprint:Array(UInt32)}[${formatAt}]`;

/**
 * The fingerprint of the serial format a LowCardinality `model` expression's product line uses now (0 for an unknown
 * model), as one expression a filter can take into PREWHERE.
 */
export function formatFingerprintOf(catalog: Catalog, params: Record<string, unknown>, model: string): string {
  catalogParams(catalog, params);
  return fingerprintAt(`{cat_fmt:Array(UInt8)}[${modelAt(model)}]`);
}

/**
 * The catalog model's columns of a row with a LowCardinality `model` column, to add to a stage; every column taken from
 * the arrays by the model's position stays LowCardinality.
 */
export function modelColumns(catalog: Catalog, params: Record<string, unknown>): string {
  catalogParams(catalog, params);
  return `${modelAt('model')} AS model_at,
     model_at > 0 AS model_known,
     {cat_kind:Array(String)}[model_at] AS kind,
     {cat_fmt:Array(UInt8)}[model_at] AS sf_fmt,
     ${fingerprintAt('sf_fmt')} AS sf_fingerprint,
     {cat_months:Array(Nullable(UInt16))}[model_at] AS warranty_months,
     {cat_limit:Array(Nullable(Float64))}[model_at] AS w_limit,
     {cat_temp_min:Array(Nullable(Int16))}[model_at] AS temp_min_c,
     {cat_temp_max:Array(Nullable(Int16))}[model_at] AS temp_max_c`;
}
