/**
 * Which ClickHouse insert failures are about the data (the same rows fail the same way every time: split the batch and
 * dead-letter the offending rows) and which are about the moment (connection, timeout, memory, disk, merges behind:
 * retry the whole batch with backoff). Anything not known to be about the data is treated as transient: blocking a
 * partition for a while is recoverable, dropping good rows is not.
 */

/** ClickHouse error codes that reject the rows themselves: parse, type, range and constraint errors. */
const dataErrorCodes = new Set([
  6, // CANNOT_PARSE_TEXT
  26, // CANNOT_PARSE_QUOTED_STRING
  27, // CANNOT_PARSE_INPUT_ASSERTION_FAILED
  38, // CANNOT_PARSE_DATE
  41, // CANNOT_PARSE_DATETIME
  53, // TYPE_MISMATCH
  69, // ARGUMENT_OUT_OF_BOUND
  70, // CANNOT_CONVERT_TYPE
  72, // CANNOT_PARSE_NUMBER
  117, // INCORRECT_DATA
  131, // TOO_LARGE_STRING_SIZE
  190, // SIZES_OF_ARRAYS_DONT_MATCH
  321, // VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE
  349, // CANNOT_INSERT_NULL_IN_ORDINARY_COLUMN
  395, // FUNCTION_THROW_IF_VALUE_IS_NON_ZERO (a materialized view's throwIf)
  407, // DECIMAL_OVERFLOW
  469, // VIOLATED_CONSTRAINT
  691, // UNKNOWN_ELEMENT_OF_ENUM
]);

/** 252 TOO_MANY_PARTS is also "merges are behind" (transient); only this message is the per-insert partition limit. */
const partitionLimit = /Too many partitions for single INSERT block/i;

export type WriteFailure = { kind: 'transient' } | { kind: 'data'; partitionLimit: boolean; reason: string };

/** The ClickHouse code of an error: `code` of a ClickHouseError, else "Code: N." in its message. */
function clickhouseCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown })?.code;
  if (typeof code === 'string' && /^\d+$/.test(code)) return Number(code);
  if (typeof code === 'number') return code;
  const match = /\bCode: (\d+)\b/.exec(String((error as Error)?.message ?? ''));
  return match ? Number(match[1]) : undefined;
}

export function classifyWriteError(error: unknown): WriteFailure {
  const message = String((error as Error)?.message ?? error);
  const code = clickhouseCode(error);
  const type = (error as { type?: unknown })?.type;
  const reason = `clickhouse ${code ?? '?'}${typeof type === 'string' ? ` ${type}` : ''}: ${message.slice(0, 500)}`;
  if (code === 252 && partitionLimit.test(message)) return { kind: 'data', partitionLimit: true, reason };
  if (code !== undefined && dataErrorCodes.has(code)) return { kind: 'data', partitionLimit: false, reason };
  return { kind: 'transient' };
}
