import { spawn } from 'node:child_process';
import { McpmError } from '../errors.js';

export interface ToolResult {
  stdout: string;
  stderr: string;
}

/**
 * Runs a runtime's own command (uvx, docker pull) as an argv, never through a shell, and fails with its last
 * stderr line. Downloads can be slow, so the deadline is generous; what ran is kept in the error's detail.
 */
export function runTool(command: string, args: string[], options: { env: NodeJS.ProcessEnv; what: string; hint: string; timeoutMs?: number }): Promise<ToolResult> {
  const timeoutMs = options.timeoutMs ?? 20 * 60_000;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: options.env, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const detail = () => `${[command, ...args].map((a) => JSON.stringify(a)).join(' ')}\n${stderr}`;
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new McpmError('EPACKAGE', `${options.what} could not start ${command} (${(error as NodeJS.ErrnoException).code ?? error.message})`, { hint: options.hint, detail: detail() }));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve({ stdout, stderr });
      const last = stderr.trim().split('\n').filter(Boolean).pop() ?? (signal ? `killed by ${signal}` : 'no message');
      reject(new McpmError('EPACKAGE', `${options.what} failed (${code === null ? signal : `exit ${code}`}): ${last.slice(0, 300)}`, { hint: options.hint, detail: detail() }));
    });
  });
}
