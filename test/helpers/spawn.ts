// Starts mcpm as a long-running child (mcpm run, mcpm login) whose output the test reads while it runs: wait for a
// line on stderr, write to stdin, send signals, then collect the exit. Same scrubbed environment as runMcpm.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { constants } from "node:os";
import { onTestFinished } from "vitest";
import { MCPM_BIN, scrubbedEnv } from "./cli.js";

export interface LiveMcpm {
  child: ChildProcessWithoutNullStreams;
  /** Raw stdout bytes so far (the protocol stream of `mcpm run`). */
  stdout(): Buffer;
  stderr(): string;
  /** Resolves with the first match of `pattern` in stderr (or stdout), waiting for it to be written. */
  waitFor(pattern: RegExp, stream?: "stderr" | "stdout", timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Exit code, 128+N when killed by signal N, as a shell reports it. */
  exited: Promise<number>;
}

export function spawnMcpm(args: string[], opts: { home: string; env?: Record<string, string>; cwd?: string }): LiveMcpm {
  const child = spawn(process.execPath, [MCPM_BIN, ...args], {
    cwd: opts.cwd ?? opts.home,
    env: scrubbedEnv(opts),
    stdio: ["pipe", "pipe", "pipe"],
  });
  const out: Buffer[] = [];
  let err = "";
  const waiters = new Set<() => void>();
  const wake = () => waiters.forEach((w) => w());
  child.stdout.on("data", (d: Buffer) => {
    out.push(d);
    wake();
  });
  child.stderr.setEncoding("utf8").on("data", (d: string) => {
    err += d;
    wake();
  });
  child.stdin.on("error", () => {});
  const exited = new Promise<number>((resolve) => {
    child.on("close", (code, signal) => {
      wake();
      resolve(code ?? 128 + (signal ? constants.signals[signal] : 0));
    });
  });
  // A test that fails half-way must not leave the process running.
  try {
    onTestFinished(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    });
  } catch {
    // outside a test: the caller kills it
  }
  const stdout = () => Buffer.concat(out);
  return {
    child,
    stdout,
    stderr: () => err,
    exited,
    waitFor: (pattern, stream = "stderr", timeoutMs = 20_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const match = (stream === "stderr" ? err : stdout().toString("utf8")).match(pattern);
          if (match) {
            done();
            resolve(match);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            done();
            reject(new Error(`mcpm ${args.join(" ")} exited before printing ${pattern}\n--- stderr ---\n${err}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`mcpm ${args.join(" ")} did not print ${pattern} within ${timeoutMs}ms\n--- stderr ---\n${err}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      }),
  };
}
