import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

/**
 * How to open a URL in the user's browser, as a command and its arguments, never through a shell (the URL is
 * data from an authorization server). `$BROWSER` wins: a command, given the URL as its argument, or a command line
 * where `%s` stands for the URL (split on spaces). Otherwise the platform's opener when it exists: `open` on macOS,
 * `xdg-open` elsewhere; on Windows `rundll32 url.dll,FileProtocolHandler`, because `cmd /c start` would run the URL
 * through cmd's parser, where `&` separates commands. Undefined when there is nothing to open it with.
 */
export function browserCommand(url: string, env: NodeJS.ProcessEnv, platform: NodeJS.Platform): { command: string; args: string[] } | undefined {
  const browser = env.BROWSER?.trim();
  if (browser) {
    if (!browser.includes('%s')) return { command: browser, args: [url] };
    const [command, ...args] = browser.split(/\s+/);
    return { command: command!, args: args.map((arg) => arg.replaceAll('%s', url)) };
  }
  if (platform === 'win32') return { command: 'rundll32.exe', args: ['url.dll,FileProtocolHandler', url] };
  const opener = platform === 'darwin' ? 'open' : 'xdg-open';
  return onPath(opener, env) ? { command: opener, args: [url] } : undefined;
}

/** Starts the browser and does not wait for it; true when a command was started. A failure only means no browser. */
export function openBrowser(url: string, env: NodeJS.ProcessEnv, platform: NodeJS.Platform): boolean {
  const launch = browserCommand(url, env, platform);
  if (!launch) return false;
  try {
    const child = spawn(launch.command, launch.args, { stdio: 'ignore', detached: platform !== 'win32', env });
    child.on('error', () => undefined);
    child.unref();
    return true;
  } catch {
    return false;
  }
}

function onPath(command: string, env: NodeJS.ProcessEnv): boolean {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    try {
      accessSync(path.join(dir, command), constants.X_OK);
      return true;
    } catch {
      // not in this folder
    }
  }
  return false;
}
