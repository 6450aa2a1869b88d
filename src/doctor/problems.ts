export type ProblemKind =
  | 'state-unreadable'
  | 'node-missing'
  | 'command-missing'
  | 'store-missing'
  | 'store-corrupt'
  | 'unparseable-file'
  | 'entry-missing'
  | 'secret-missing'
  | 'plaintext-secret'
  | 'lock-mismatch'
  | 'registry-status';

/** One thing `mcpm doctor` found, and what --fix did about it. */
export interface Problem {
  kind: ProblemKind;
  message: string;
  server?: string;
  client?: string;
  file?: string;
  /** The input, argument or header concerned. */
  detail?: string;
  /** What to run when --fix cannot do it. */
  hint?: string;
  /** What --fix did, when it could. */
  fixed?: string;
}
