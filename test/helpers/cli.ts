// Runs the real CLI as a child process with a scrubbed environment, so tests
// never read or write the developer's real config and behave the same on CI.
import { spawn, type ChildProcess } from "node:child_process";
import { constants } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export interface RunOptions {
  /** Becomes HOME (and, unless env overrides it, MCPM_HOME=<home>/.mcpm). */
  home: string;
  env?: Record<string, string>;
  /** Written to stdin, which is then closed. Without it stdin is closed at once, so a prompt cannot hang. */
  input?: string;
  /** Kill the child and reject after this long. Default 30s. */
  timeoutMs?: number;
  /** Default: home, so mcpm never mistakes the repo for the user's project. */
  cwd?: string;
  /** Called with the child as soon as it is started (for tests that kill it at a moment of their choosing). */
  onSpawn?: (child: ChildProcess) => void;
  /** Run as the unprivileged user `nobody` (through setpriv), where root would write into read-only folders. */
  asNobody?: boolean;
}

/** setpriv's arguments that drop to nobody:nogroup with no supplementary groups. */
export const AS_NOBODY = ["--reuid=nobody", "--regid=nogroup", "--clear-groups"];

export interface RunResult {
  /** Exit code; 128+N when killed by signal N, like a shell reports it. */
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON when args include --json and it parses. */
  json?: any;
}

// Relative to this file rather than absolute, so the suite works from any checkout.
export const MCPM_BIN = fileURLToPath(new URL("../../bin/mcpm.js", import.meta.url));

const CA_VARS = ["NODE_EXTRA_CA_CERTS", "SSL_CERT_FILE", "SSL_CERT_DIR"] as const;

export function runMcpm(args: string[], opts: RunOptions): Promise<RunResult> {
  return runNodeScript(MCPM_BIN, args, opts);
}

/** runMcpm for any script: lets the harness test its own env scrubbing before bin/mcpm.js exists. */
export function runNodeScript(script: string, args: string[], opts: RunOptions): Promise<RunResult> {
  const env = scrubbedEnv(opts);
  const timeoutMs = opts.timeoutMs ?? 30_000;
  return collect(script, args, opts, env, timeoutMs);
}

/** The environment runMcpm gives the CLI: HOME, PATH, MCPM_HOME, CI, NO_COLOR, CA variables, then opts.env. */
export function scrubbedEnv(opts: Pick<RunOptions, "home" | "env">): Record<string, string> {
  const env: Record<string, string> = {
    HOME: opts.home,
    PATH: process.env.PATH ?? "",
    MCPM_HOME: path.join(opts.home, ".mcpm"),
    CI: "1",
    NO_COLOR: "1",
  };
  for (const key of CA_VARS) {
    const value = process.env[key];
    if (value !== undefined) env[key] = value;
  }
  Object.assign(env, opts.env);
  return env;
}

function collect(script: string, args: string[], opts: RunOptions, env: Record<string, string>, timeoutMs: number): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const [command, argv] = opts.asNobody
      ? ["setpriv", [...AS_NOBODY, process.execPath, script, ...args]]
      : [process.execPath, [script, ...args]];
    const child = spawn(command, argv, {
      cwd: opts.cwd ?? opts.home,
      env,
      stdio: ["pipe", "pipe", "pipe"], // pipes, never a TTY
    });
    opts.onSpawn?.(child);
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.stdin.on("error", () => {}); // the CLI may exit before reading its input
    child.stdin.end(opts.input ?? "");

    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(
        new Error(
          `mcpm ${args.join(" ")} timed out after ${timeoutMs}ms\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`,
        ),
      );
    }, timeoutMs);

    child.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const exitCode = code ?? 128 + (signal ? constants.signals[signal] : 0);
      const result: RunResult = { code: exitCode, stdout, stderr };
      if (args.includes("--json")) {
        try {
          result.json = JSON.parse(stdout);
        } catch {
          // Leave json undefined: the test's own assertion reports stdout.
        }
      }
      resolve(result);
    });
  });
}
