import { McpmError } from '../errors.js';
import type { Input } from '../registry/types.js';
import { pairFlags } from './arguments.js';

/** An image reference split into name (registry/repository), tag and digest. */
export interface ImageRef {
  name: string;
  tag?: string;
  digest?: string;
}

const DIGEST = /^sha256:[a-f0-9]{64}$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
// Registry host (with port), then path components. Never starts with "-": it becomes an argv item of `docker run`.
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*(:[0-9]+)?(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/;

/** Pure: `registry/repo[:tag][@sha256:...]`, with the package's `version` as the tag when the identifier has none. */
export function parseImage(identifier: string, version?: string): ImageRef {
  const at = identifier.indexOf('@');
  const digest = at === -1 ? undefined : identifier.slice(at + 1);
  const rest = at === -1 ? identifier : identifier.slice(0, at);
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  const hasTag = colon > slash;
  const name = hasTag ? rest.slice(0, colon) : rest;
  const tag = hasTag ? rest.slice(colon + 1) : digest === undefined && version && version !== 'latest' ? version : undefined;
  if (!NAME.test(name) || (digest !== undefined && !DIGEST.test(digest)) || (tag !== undefined && !TAG.test(tag))) {
    throw new McpmError('EINVALIDNAME', `Refusing the image reference ${JSON.stringify(identifier.slice(0, 200))}`, {
      hint: 'The registry entry is malformed: an oci identifier looks like ghcr.io/owner/image:1.2.3.',
    });
  }
  return { name, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

export function imageString(ref: ImageRef): string {
  return `${ref.name}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

/** Docker Hub names may be spelled with or without `docker.io/` and `library/`; compare them without. */
export function sameRepository(a: string, b: string): boolean {
  const normal = (name: string) => name.toLowerCase().replace(/^(index\.)?docker\.io\//, '').replace(/^library\//, '');
  return normal(a) === normal(b);
}

/**
 * Many registry entries spell the whole `docker run` line in runtimeArguments (`run -i --rm -e NAME image`), made
 * for clients that only prepend `docker`. mcpm writes `run -i --rm`, the environment and the pinned image itself,
 * so those are dropped here; `-e NAME=VALUE` becomes an environment variable (its value then travels in the
 * entry's env or the secrets file, never in argv); `-e NAME` of a declared variable is mcpm's to pass.
 * The drops come before pairFlags, so `-i` followed by the image is not read as `-i <image>`.
 */
export function normalizeOciArguments(image: ImageRef, raw: Input[], env: Input[]): { runtime: Input[]; env: Input[] } {
  const declared = new Set(env.map((variable) => variable.name));
  const ours = raw.filter((argument, index) => {
    const fixed = argument.value;
    if (argument.type === 'named') return !(['-i', '--interactive', '--rm'].includes(argument.name ?? '') && (fixed === undefined || fixed === 'true'));
    if (index === 0 && fixed === 'run') return false;
    return !(fixed !== undefined && !argument.variables && sameRepository(stripReference(fixed), image.name));
  });
  const kept: Input[] = [];
  const moved: Input[] = [];
  for (const argument of pairFlags(ours)) {
    const fixed = argument.value;
    const named = argument.type === 'named';
    if (named && ['-e', '--env'].includes(argument.name ?? '') && fixed !== undefined) {
      const eq = fixed.indexOf('=');
      if (eq === -1 && declared.has(fixed)) continue;
      if (eq > 0) {
        moved.push({ ...argument, type: undefined, name: fixed.slice(0, eq), value: fixed.slice(eq + 1) });
        continue;
      }
    }
    kept.push(argument);
  }
  return { runtime: kept, env: [...env, ...moved] };
}

/** `repo:tag@digest` -> `repo`. */
function stripReference(reference: string): string {
  const at = reference.indexOf('@');
  const rest = at === -1 ? reference : reference.slice(0, at);
  const colon = rest.lastIndexOf(':');
  return colon > rest.lastIndexOf('/') ? rest.slice(0, colon) : rest;
}
