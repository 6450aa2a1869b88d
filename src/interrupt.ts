import { McpmError } from './errors.js';

/**
 * Ctrl-C (SIGINT) and SIGTERM while a command changes things. mcpm answers promptly with exit 130 and leaves every
 * file as it was: outside a critical section, the cleanups registered so far (a staging folder, a store version this
 * run added) run at once, synchronously, and the process ends; inside one (client files being written and journaled),
 * the signal is remembered and the section stops at its next checkpoint, where the usual undo of a failed install
 * puts the files back, and the command ends as cancelled.
 */
type Cleanup = () => void;

const cleanups = new Set<Cleanup>();
let critical = 0;
let interrupted: NodeJS.Signals | undefined;
let installed = false;

/** Installs the handlers (once). Commands that own their signals (`run`, `registry serve`) do not call this. */
export function handleInterrupts(onExit: (signal: NodeJS.Signals) => void): void {
  if (installed) return;
  installed = true;
  const handler = (signal: NodeJS.Signals) => {
    interrupted = signal;
    if (critical > 0) return;
    for (const cleanup of [...cleanups].reverse()) {
      try {
        cleanup();
      } catch {
        // best effort: the next run removes what is left (stale staging, journals)
      }
    }
    onExit(signal);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}

/** Registers what to remove if the command is interrupted now; returns the function that unregisters it. */
export function onInterrupt(cleanup: Cleanup): () => void {
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

/** Runs `fn` as a critical section: a signal waits for the next checkpoint instead of ending the process. */
export async function critically<T>(fn: () => Promise<T>): Promise<T> {
  critical++;
  try {
    return await fn();
  } finally {
    critical--;
  }
}

/** Inside a critical section: stops here if a signal came, so the caller's undo runs. */
export function checkpoint(): void {
  if (interrupted) throw cancelled();
}

export function cancelled(): McpmError {
  return new McpmError('ECANCELLED', `Interrupted (${interrupted ?? 'signal'})`, { hint: 'Nothing was changed.' });
}
