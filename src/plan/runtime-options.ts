import { McpmError } from '../errors.js';
import type { Occurrence } from './arguments.js';

/**
 * Pure: the options a registry entry gives a runtime (docker/podman run, uvx, dnx), reviewed. Registry data must not
 * reconfigure the runtime: mount the host's files, share its network, add privileges, swap the pinned image or
 * package, or undo `--offline`. Each runtime has a table of the options mcpm knows; a documented safe set passes,
 * the rest needs the user's consent (a question on a terminal, or `--allow-runtime-args`), and what could never be
 * made safe (an extra positional argument, an option whose value is missing, so that it would swallow mcpm's own
 * next argument) is refused outright. Every option is written as one argv item, `--name=value`, so no value, the
 * registry's or the user's, is ever read as another option or as the image.
 */
export type RuntimeKind = 'docker' | 'uvx' | 'dnx';

interface OptionSpec {
  long: string;
  value: boolean;
  /** Safe without asking (for every value, or for those the test accepts). */
  safe?: boolean | ((value: string) => boolean);
  /** What it does, as the user is told when it needs consent. */
  why: string;
}

function table(specs: Array<[string[], OptionSpec]>): Map<string, OptionSpec> {
  return new Map(specs.flatMap(([names, spec]) => names.map((name) => [name, spec] as const)));
}

const HOST_FILES = 'gives the container files of this machine';
const DOCKER = table([
  [['-i', '--interactive'], { long: '--interactive', value: false, safe: true, why: 'keeps stdin open' }],
  [['--rm'], { long: '--rm', value: false, safe: true, why: 'removes the container when it stops' }],
  [['--init'], { long: '--init', value: false, safe: true, why: 'runs an init process' }],
  [['--read-only'], { long: '--read-only', value: false, safe: true, why: 'a read-only root file system' }],
  [['-u', '--user'], { long: '--user', value: true, safe: true, why: 'the user inside the container' }],
  [['-w', '--workdir'], { long: '--workdir', value: true, safe: true, why: 'the working folder inside the container' }],
  [['--tmpfs'], { long: '--tmpfs', value: true, safe: true, why: 'a temporary file system inside the container' }],
  [['-m', '--memory'], { long: '--memory', value: true, safe: true, why: 'a memory limit' }],
  [['--cpus'], { long: '--cpus', value: true, safe: true, why: 'a CPU limit' }],
  [['--pids-limit'], { long: '--pids-limit', value: true, safe: true, why: 'a process limit' }],
  [['--cap-drop'], { long: '--cap-drop', value: true, safe: true, why: 'drops capabilities' }],
  [['--name'], { long: '--name', value: true, safe: true, why: 'names the container' }],
  [['-l', '--label'], { long: '--label', value: true, safe: true, why: 'labels the container' }],
  [['--pull'], { long: '--pull', value: true, safe: true, why: 'when to pull the (digest-pinned) image' }],
  [['--network', '--net'], { long: '--network', value: true, safe: (v) => v === 'none' || v === 'bridge', why: 'connects the container to a network of this machine (host networking reaches every local service)' }],
  [['--security-opt'], { long: '--security-opt', value: true, safe: (v) => /^no-new-privileges(:true)?$/.test(v), why: 'changes the container\'s security profile' }],
  [['-v', '--volume'], { long: '--volume', value: true, why: HOST_FILES }],
  [['--mount'], { long: '--mount', value: true, why: HOST_FILES }],
  [['--volumes-from'], { long: '--volumes-from', value: true, why: 'gives the container another container\'s files' }],
  [['-p', '--publish'], { long: '--publish', value: true, why: 'opens a port of this machine to the container' }],
  [['-P', '--publish-all'], { long: '--publish-all', value: false, why: 'opens ports of this machine to the container' }],
  [['-e', '--env'], { long: '--env', value: true, why: 'passes a variable of your environment into the container' }],
  [['--env-file'], { long: '--env-file', value: true, why: 'passes a file of this machine into the container\'s environment' }],
  [['--privileged'], { long: '--privileged', value: false, why: 'gives the container full access to this machine' }],
  [['--cap-add'], { long: '--cap-add', value: true, why: 'gives the container extra privileges' }],
  [['--device'], { long: '--device', value: true, why: 'gives the container a device of this machine' }],
  [['--pid', '--ipc', '--uts', '--userns', '--cgroupns'], { long: '', value: true, why: 'shares a namespace of this machine with the container' }],
  [['--entrypoint'], { long: '--entrypoint', value: true, why: 'runs another program than the image\'s own' }],
  [['--platform'], { long: '--platform', value: true, why: 'runs the image for another platform' }],
  [['-t', '--tty'], { long: '--tty', value: false, why: 'gives the container a terminal (it breaks the MCP stream)' }],
]);

const UVX = table([
  [['-p', '--python'], { long: '--python', value: true, safe: true, why: 'the Python version' }],
  [['-q', '--quiet'], { long: '--quiet', value: false, safe: true, why: 'less output' }],
  [['--isolated'], { long: '--isolated', value: false, safe: true, why: 'a fresh environment' }],
  [['--with', '-w', '--with-editable', '--with-requirements'], { long: '', value: true, why: 'adds other packages to the environment the pinned package runs in' }],
  [['--index-url', '-i', '--extra-index-url', '--index', '--default-index', '-f', '--find-links'], { long: '', value: true, why: 'fetches packages from another index' }],
  [['--no-offline', '--refresh', '--upgrade', '-U', '--reinstall'], { long: '', value: false, why: 'undoes the offline, pinned start' }],
  [['--cache-dir', '--env-file', '--directory', '--project'], { long: '', value: true, why: 'points uv at other files of this machine' }],
]);

/** dnx takes nothing from registry data without consent: `--source` would move the feed, others the pinned tool. */
const DNX = table([[['--source', '--add-source'], { long: '', value: true, why: 'fetches the tool from another feed' }]]);

const TABLES: Record<RuntimeKind, Map<string, OptionSpec>> = { docker: DOCKER, uvx: UVX, dnx: DNX };
const PINNED: Record<RuntimeKind, string> = { docker: 'the pinned image', uvx: 'the pinned package', dnx: 'the pinned tool' };

export interface UnsafeOption {
  /** As the registry gave it: `-v /:/host`. */
  option: string;
  /** What it does: `gives the container files of this machine`. */
  why: string;
}

export interface ReviewedOptions {
  argv: string[];
  /** Options that need the user's consent. */
  unsafe: UnsafeOption[];
}

/** How an unsafe option is shown: `-v /:/host: gives the container files of this machine`. */
export function describeUnsafe(option: UnsafeOption): string {
  return `${option.option}: ${option.why}`;
}

export function reviewOptions(runtime: RuntimeKind, occurrences: Occurrence[]): ReviewedOptions {
  const argv: string[] = [];
  const unsafe: UnsafeOption[] = [];
  for (const occurrence of occurrences) {
    if (occurrence.flag === undefined) throw refused(runtime, `the extra argument ${JSON.stringify(occurrence.value)}`, `it could take the place of ${PINNED[runtime]}`);
    const eq = occurrence.flag.indexOf('=');
    const flag = eq > 0 ? occurrence.flag.slice(0, eq) : occurrence.flag;
    const value = eq > 0 ? occurrence.flag.slice(eq + 1) : occurrence.value;
    const spec = TABLES[runtime].get(flag);
    const takesValue = spec ? spec.value : value !== undefined;
    if (takesValue && value === undefined) throw refused(runtime, `the option ${flag} without a value`, `${runtime} would read mcpm's next argument as its value`);
    if (!takesValue && value !== undefined && !occurrence.boolean) throw refused(runtime, `the switch ${flag} with the value ${JSON.stringify(value)}`, `${runtime} would read the value as ${PINNED[runtime]}`);
    const name = spec?.long || flag;
    argv.push(takesValue ? `${name}=${value}` : name);
    const safe = spec?.safe === true || (typeof spec?.safe === 'function' && value !== undefined && spec.safe(value));
    if (!safe) unsafe.push({ option: `${flag}${takesValue ? ` ${value}` : ''}`, why: spec?.why ?? `an option mcpm does not know for ${runtime}` });
  }
  return { argv, unsafe };
}

function refused(runtime: RuntimeKind, what: string, why: string): McpmError {
  return new McpmError('EUNSAFE', `The registry entry gives ${runtime} ${what}: ${why}`, {
    hint: 'mcpm will not install this package as published. Choose another of its package types with --package-type, or ask its author to fix the registry entry.',
  });
}
