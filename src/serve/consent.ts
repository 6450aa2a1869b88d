import type { PlanDescription } from '../plan/describe.js';
import { oneLine, printable } from '../output.js';

/**
 * Pure: what the user sees before an agent's install or uninstall changes their machine (an elicitation form), and
 * the exact command that does the same thing by hand, for clients that cannot show a form.
 */

export interface ConsentForm {
  message: string;
  requestedSchema: { type: 'object'; properties: Record<string, { type: 'boolean'; title: string; description: string }>; required: string[] };
}

const APPROVE = { approve: { type: 'boolean' as const, title: 'Approve', description: 'Tick to let mcpm do this' } };

/** Shell-safe: a word of letters, digits and a few punctuation marks stays bare, anything else is single-quoted. */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9@%+=:,./_^~<>-]+$/.test(word) && !/[<>]/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** `mcpm install <name>[@range] --env K=V ... --arg N=V ...`, the command a person runs for the same plan. */
export function installCommand(name: string, range: string | undefined, env: Record<string, string>, args: Record<string, string>, profile?: string, registry?: string): string {
  const words = ['mcpm', 'install', range ? `${name}@${range}` : name];
  if (registry) words.push('--registry', registry);
  for (const [key, value] of Object.entries(env)) words.push('--env', `${key}=${value}`);
  for (const [key, value] of Object.entries(args)) words.push('--arg', `${key}=${value}`);
  if (profile && profile !== 'default') words.push('--profile', profile);
  return words.map(shellWord).join(' ');
}

/** The plan in lines a person reads: server, version, package, what will run, the inputs (secrets by name only). */
export function planLines(plan: PlanDescription, launch: { command: string; args: string[] } | undefined): string[] {
  const what = plan.package ? `${plan.package.registryType} package ${plan.package.identifier}@${plan.package.version}` : `remote ${plan.remote?.map((r) => r.url).join(', ')}`;
  const lines = [
    `Server: ${plan.name}`,
    `Version: ${plan.version}${plan.previousVersion ? ` (replaces ${plan.previousVersion})` : ''}, from ${plan.registry}`,
    `Package: ${what}`,
  ];
  if (launch) lines.push(`Will run: ${[launch.command, ...launch.args].join(' ')}`);
  for (const [name, value] of Object.entries(plan.inputs.env)) lines.push(`Input ${name} = ${value}`);
  for (const name of Object.keys(plan.inputs.secretEnv)) lines.push(`Secret ${name}: the value kept by \`mcpm secrets set\``);
  for (const [name, value] of Object.entries(plan.inputs.args)) lines.push(`Argument ${name} = ${Array.isArray(value) ? value.join(', ') : value}`);
  lines.push(plan.clients.length ? `Client files: ${plan.clients.map((c) => `${c.client} (${c.file})`).join(', ')}` : 'Client files: none (the server is used through mcpm serve)');
  // Registry text and values an agent gave reach the user's screen: no control characters, one line each.
  return lines.map((line) => printable(oneLine(line)));
}

export function installForm(plan: PlanDescription, launch: { command: string; args: string[] } | undefined): ConsentForm {
  return {
    message: ['An agent asks mcpm to install an MCP server:', ...planLines(plan, launch).map((l) => `  ${l}`), 'Install it?'].join('\n'),
    requestedSchema: { type: 'object', properties: APPROVE, required: ['approve'] },
  };
}

export function uninstallForm(name: string, version: string, clients: string[]): ConsentForm {
  const where = clients.length ? `its entries in ${clients.join(', ')}, ` : '';
  return {
    message: printable(`An agent asks mcpm to uninstall ${name}@${version}: ${where}its secrets and its store folder go. Uninstall it?`),
    requestedSchema: { type: 'object', properties: APPROVE, required: ['approve'] },
  };
}
