import { Ajv } from 'ajv';
import { z } from 'zod';

/** ISO instants already in the form the `instant` contract type outputs, so passing them through changes nothing. */
const canonicalInstant = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/**
 * A compiled validator for the common case of a zod object contract, derived from the contract itself (its JSON
 * Schema), so the rules are written once. It accepts only messages whose zod output would equal the input (plus
 * defaults): no unknown keys, no surrounding whitespace, instants already canonical. Anything else returns `undefined`
 * and goes through zod, which stays the authority for both acceptance and the rejection reason. Zod costs ~5 µs per
 * telemetry message; this costs well under 1 µs, which is what lets one process ingest >100k events/s.
 */
export function compileFastPath<S extends z.ZodObject>(schema: S, options: { instants: Array<keyof z.input<S> & string> }) {
  const jsonSchema = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'throw' }) as Record<string, unknown>;
  delete jsonSchema.$schema;
  // A union field (the 64-bit counters) keeps only its first branch, the plain safe number: other forms (decimal
  // strings, numbers beyond 2^53) are converted by zod, so passing them through unchanged would differ from its output.
  const properties = (jsonSchema.properties ?? {}) as Record<string, { type?: string; anyOf?: object[] }>;
  for (const [key, property] of Object.entries(properties)) {
    if (property.anyOf) properties[key] = property.anyOf[0] as { type?: string };
  }
  const ajv = new Ajv({ useDefaults: true, allErrors: false, strict: false, validateFormats: false });
  const validate = ajv.compile({ ...jsonSchema, additionalProperties: false });
  const textFields = Object.keys(properties).filter((key) => properties[key]!.type === 'string' && !options.instants.includes(key as never));

  return (json: unknown): z.output<S> | undefined => {
    if (!validate(json)) return undefined;
    const message = json as Record<string, unknown>;
    for (const key of options.instants) {
      if (!canonicalInstant.test(message[key] as string)) return undefined;
    }
    for (const key of textFields) {
      const value = message[key];
      if (typeof value === 'string' && value !== value.trim()) return undefined;
    }
    return message as z.output<S>;
  };
}
