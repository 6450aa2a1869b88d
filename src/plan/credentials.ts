import type { ForeignLaunch } from './foreign.js';

/**
 * Pure: what looks like a credential, by name or by value, so that it is kept out of client files even when a
 * registry entry forgot to mark it secret (`--env GITHUB_PAT=...`, `AUTHORIZATION=Bearer ...`, `OPENAI_KEY=...`).
 */
const SECRET_NAME = /(TOKEN|SECRET|PASSW(OR)?D|PASSPHRASE|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIAL|AUTH(?!OR($|[_-])|_SOCK)|BEARER|COOKIE|(^|[_-])PAT($|[_-])|(^|[_-])KEY$)/i;

export function looksSecret(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** Shapes of well-known credentials: bearer and basic headers, GitHub, OpenAI/Anthropic, Slack, AWS, Google, JWTs, keys. */
const CREDENTIAL_VALUE = [
  /^(Bearer|Basic|Token)\s+\S{8,}$/i,
  /^(gh[pousr]_|github_pat_)[A-Za-z0-9_]{20,}$/,
  /^sk-[A-Za-z0-9_-]{16,}$/,
  /^xox[abposr]-[A-Za-z0-9-]{10,}$/,
  /^(AKIA|ASIA)[A-Z0-9]{16}$/,
  /^AIza[0-9A-Za-z_-]{30,}$/,
  /^eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*$/,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
  /^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i,
];

export function looksLikeCredential(value: string): boolean {
  return CREDENTIAL_VALUE.some((pattern) => pattern.test(value.trim()));
}

/** A value that refers to a secret kept elsewhere (`${env:TOKEN}`, `$TOKEN`, `{{secrets.X}}`) is not one itself. */
function isReference(value: string): boolean {
  return /^\$\{?[A-Za-z_]|\{env:|\$\{\{|^\{\{/.test(value);
}

/** Where an entry (anyone's) holds a credential in plaintext: env values, headers and arguments, by name or value. */
export function plaintextCredentials(launch: ForeignLaunch): string[] {
  const found: string[] = [];
  const check = (where: string, name: string | undefined, value: string) => {
    if (value === '' || isReference(value)) return;
    if ((name !== undefined && looksSecret(name)) || looksLikeCredential(value)) found.push(where);
  };
  for (const [name, value] of Object.entries(launch.env)) check(name, name, value);
  for (const [name, value] of Object.entries(launch.headers ?? {})) check(`header ${name}`, name, value);
  launch.args.forEach((value, i) => {
    const eq = value.indexOf('=');
    if (value.startsWith('--') && eq > 2) return check(`argument ${value.slice(0, eq)}`, value.slice(2, eq), value.slice(eq + 1));
    // The value of the flag before it (`--token VALUE`); a flag that carries its own value (`--x=y`) names nothing after it.
    const before = launch.args[i - 1];
    const flag = before?.startsWith('-') && !before.includes('=') ? before : undefined;
    check(`argument ${flag ?? i + 1}`, flag?.replace(/^-+/, ''), value);
  });
  return found;
}
