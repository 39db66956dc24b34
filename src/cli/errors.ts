/** An error the CLI reports as one line (or the JSON error shape) and a non-zero exit. */
export class CliError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode = 1,
    readonly variable?: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Errors from our services carry a string `code`; anything else is unexpected. */
export function errorCode(e: unknown): string {
  if (e && typeof e === 'object' && 'code' in e && typeof (e as { code: unknown }).code === 'string') {
    return (e as { code: string }).code;
  }
  return 'UNEXPECTED';
}
