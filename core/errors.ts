/**
 * Errors that reach a user carry a stable code and, where one exists, the fix; the CLI prints both and exits non-zero
 * instead of a stack trace.
 */
export class WearwatchError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'WearwatchError';
  }
}
