/**
 * Every failure mcpm foresees is an McpmError with a stable code, a one-line message and a hint saying what to
 * do next. The CLI maps these to exit code 1 (or 2 for usage, 130 for a cancelled prompt) and never shows a
 * stack trace for them; anything else is a bug and is reported as EINTERNAL.
 */
export type ErrorCode =
  | 'EUSAGE'
  | 'ECANCELLED'
  | 'ENOTFOUND'
  | 'EAMBIGUOUS'
  | 'ENOVERSION'
  | 'ENOTINSTALLED'
  | 'EREGISTRY'
  | 'ENETWORK'
  | 'EINTEGRITY'
  | 'EOWNERSHIP'
  | 'EENGINE'
  | 'EPACKAGE'
  | 'EINPUT'
  | 'ECLIENT'
  | 'ENOCLIENT'
  | 'ECONFLICT'
  | 'EPARSE'
  | 'EFS'
  | 'EUNSUPPORTED'
  | 'EINVALIDNAME'
  | 'EAUTH'
  | 'EUNSAFE'
  | 'EINVALID'
  | 'ESIGNATURE'
  | 'EPROVENANCE'
  | 'ETOOYOUNG'
  | 'EPOLICY'
  | 'EHANDSHAKE'
  | 'EINTERNAL';

/**
 * What to do next, for the codes whose answer does not depend on where they are thrown (as npm's error-message.js
 * maps codes to advice). A throw site gives a hint of its own only when it knows something more specific.
 */
const HINTS: Partial<Record<ErrorCode, string>> = {
  EUSAGE: 'Run `mcpm help` or `mcpm help <command>` for usage.',
  ECANCELLED: 'Nothing was changed.',
  ENOTINSTALLED: 'Run `mcpm list` to see what is installed.',
  EPARSE: 'Fix the file by hand (mcpm left it untouched), then run the command again.',
  EINTERNAL: 'This is a bug in mcpm. Please file it (see the README) with the output of the same command run with --verbose.',
};

export class McpmError extends Error {
  readonly code: ErrorCode;
  readonly hint: string;
  readonly detail?: string;

  constructor(code: ErrorCode, message: string, options: { hint?: string; cause?: unknown; detail?: string } = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.hint = options.hint ?? HINTS[code] ?? '';
    this.detail = options.detail;
  }
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
export const EXIT_CANCELLED = 130;

export function exitCodeFor(error: McpmError): number {
  if (error.code === 'EUSAGE') return EXIT_USAGE;
  if (error.code === 'ECANCELLED') return EXIT_CANCELLED;
  return EXIT_FAILURE;
}

export function usageError(message: string, hint?: string): McpmError {
  return new McpmError('EUSAGE', message, { hint });
}

/** Errors from libraries (fs, fetch, pacote) carry a `code`; turn the ones we understand into McpmErrors. */
export function describeSystemError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}
