import { randomBytes } from 'node:crypto';
import type { Context } from '../context.js';
import { runCommand, type Invocation, type Ran } from './actions.js';
import type { Said } from './capture.js';

/**
 * Actions the page started (install, update, enable...), run one at a time in the order asked: mcpm's files are
 * locked anyway, but one at a time keeps what the page shows in the order it happened. Each keeps what the command
 * said, for the job's page and its live event stream.
 */
export interface Job {
  id: string;
  title: string;
  said: Said[];
  ran?: Ran;
  /** Called with each line as it is said, and with undefined when the job ends. */
  listeners: Set<(said: Said | undefined) => void>;
  /** Where the page offers to go next. */
  back: string;
}

export class Jobs {
  private readonly jobs = new Map<string, Job>();
  private queue: Promise<unknown> = Promise.resolve();
  private running = 0;

  constructor(private readonly ctx: Context) {}

  start(invocation: Invocation & { title: string }, back: string): Job {
    const job: Job = { id: randomBytes(9).toString('base64url'), title: invocation.title, said: [], listeners: new Set(), back };
    this.jobs.set(job.id, job);
    this.running++;
    const listen = (said: Said) => {
      job.said.push(said);
      for (const listener of job.listeners) listener(said);
    };
    this.queue = this.queue.then(async () => {
      job.ran = await runCommand(this.ctx, invocation, listen);
      this.running--;
      for (const listener of job.listeners) listener(undefined);
      job.listeners.clear();
    });
    return job;
  }

  get(id: string): Job | undefined {
    return this.jobs.get(id);
  }

  get busy(): boolean {
    return this.running > 0;
  }

  /** Resolves once every job asked for so far has ended. */
  idle(): Promise<unknown> {
    return this.queue;
  }
}
