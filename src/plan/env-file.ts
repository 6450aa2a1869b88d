/**
 * Secrets reach npm servers through node's own `--env-file`, so they never sit in a client's file or argv.
 * Node's parser has no escapes inside quotes, so each value is wrapped in a quote character it does not contain
 * (double quotes only when no `\n` sequence would be expanded). Returns undefined for a value no quoting can hold.
 */
export function formatEnvFileLine(key: string, value: string): string | undefined {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) return undefined;
  if (!value.includes("'")) return `${key}='${value}'`;
  if (!value.includes('`')) return `${key}=\`${value}\``;
  if (!value.includes('"') && !value.includes('\\n')) return `${key}="${value}"`;
  return undefined;
}
