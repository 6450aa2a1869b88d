// `mcpm registry serve` as a child process, the way a team runs it: on port 0, reading the URL it prints on stderr.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { MCPM_BIN } from "./cli.js";

export interface ServedRegistry {
  url: string;
  stderr(): string;
  /** Sends a signal (SIGHUP reloads) without waiting. */
  signal(signal: NodeJS.Signals): void;
  /** Stops it (SIGTERM by default) and resolves with its exit code and output. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; stdout: string; stderr: string }>;
}

export async function startServe(source: string, opts: { home: string; args?: string[]; env?: Record<string, string> }): Promise<ServedRegistry> {
  const child: ChildProcess = spawn(process.execPath, [MCPM_BIN, "registry", "serve", source, "--port", "0", ...(opts.args ?? [])], {
    cwd: opts.home,
    env: { HOME: opts.home, PATH: process.env.PATH ?? "", MCPM_HOME: path.join(opts.home, ".mcpm"), CI: "1", NO_COLOR: "1", ...opts.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`registry serve did not start:\n${stderr}`)), 15_000);
    const check = () => {
      const match = /at (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stderr!.on("data", check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`registry serve exited with ${code}:\n${stderr}`));
    });
  });
  return {
    url,
    stderr: () => stderr,
    signal: (signal) => child.kill(signal),
    stop: async (signal = "SIGTERM") => {
      if (child.exitCode === null) child.kill(signal);
      const code = await exited;
      return { code, stdout, stderr };
    },
  };
}
