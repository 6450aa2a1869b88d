import type { EnvFileFormat } from './launch.js';
import type { ArgValues } from './request.js';

/**
 * Pure: the secrets file of a server, in the format of the launcher that reads it.
 *
 * - node (`--env-file`): no escapes inside quotes, so each value is wrapped in a quote character it does not
 *   contain (double quotes only when no `\n` sequence would be expanded).
 * - docker (`--env-file`): `NAME=value` taken literally to the end of the line; no quoting at all.
 * - dotenv (uv's `--env-file`, the dotenvy parser): single-quoted, a `'` written as `'\''`.
 *
 * Values of secret *arguments* (not environment variables) are kept as `#mcpm-arg NAME=<json>` comment lines, which
 * every launcher ignores, so a reinstall can reuse them without mcpm's state file ever holding them.
 */
const HEADER = /^# Secrets for .*\(format: (node|docker|dotenv)\)/;

export function formatEnvFileLine(key: string, value: string, format: EnvFileFormat = 'node'): string | undefined {
  // A carriage return or NUL would not arrive intact in any launcher's parser (node drops or cuts them).
  if (/[\r\0]/.test(value)) return undefined;
  if (format === 'docker') {
    if (!/^[^\s=#]+$/.test(key) || /[\r\n]/.test(value)) return undefined;
    return `${key}=${value}`;
  }
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) return undefined;
  if (format === 'dotenv') {
    if (/[\r\n]/.test(value)) return undefined;
    return `${key}='${value.replaceAll("'", "'\\''")}'`;
  }
  if (!value.includes("'")) return `${key}='${value}'`;
  if (!value.includes('`')) return `${key}=\`${value}\``;
  if (!value.includes('"') && !value.includes('\\n')) return `${key}="${value}"`;
  return undefined;
}

export function envFileText(serverName: string, format: EnvFileFormat, lines: string[], args: ArgValues): string {
  const argLines = Object.entries(args).map(([name, value]) => `#mcpm-arg ${name}=${JSON.stringify(value)}`);
  return `# Secrets for ${serverName}, written by mcpm (format: ${format}). Mode 0600.\n${[...lines, ...argLines].join('\n')}\n`;
}

/** Reads back what envFileText wrote (only mcpm's own output needs to be understood). Files without a header are node's. */
export function parseEnvFile(text: string): { env: Record<string, string>; args: ArgValues; format: EnvFileFormat } {
  const format = (HEADER.exec(text)?.[1] ?? 'node') as EnvFileFormat;
  const env: Record<string, string> = {};
  const args: ArgValues = {};
  for (const line of text.split('\n')) {
    const arg = /^#mcpm-arg ([^=]+)=(.*)$/.exec(line);
    if (arg) {
      try {
        const value = JSON.parse(arg[2]!) as unknown;
        if (typeof value === 'string' || (Array.isArray(value) && value.every((v) => typeof v === 'string'))) args[arg[1]!] = value as string | string[];
      } catch {
        // A hand-edited line: skip it, the input will be asked again.
      }
      continue;
    }
    if (line.startsWith('#') || !line.includes('=')) continue;
    const eq = line.indexOf('=');
    const key = line.slice(0, eq);
    const raw = line.slice(eq + 1);
    if (format === 'docker') env[key] = raw;
    else if (format === 'dotenv' && /^'([^']|'\\'')*'$/.test(raw)) env[key] = raw.slice(1, -1).replaceAll("'\\''", "'");
  }
  // node's quoted values may span lines.
  if (format === 'node') for (const match of text.matchAll(/^([A-Za-z_][A-Za-z0-9_]*)=(['"`])([\s\S]*?)\2$/gm)) env[match[1]!] = match[3]!;
  return { env, args, format };
}
