/**
 * SQL text for a DateTime64(3, 'UTC') column as ISO 8601 with milliseconds and a Z, the form JSON answers use.
 * (formatDateTime's %f prints microseconds for DateTime64(3), and toString has a space and no zone.)
 */
export const isoTime = (column: string): string => `concat(replaceOne(toString(${column}), ' ', 'T'), 'Z')`;
