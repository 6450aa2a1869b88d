import { embeddedHeader } from './embedded.js';

/**
 * Names that look like a well-known server's without being it: `io.github.modeIcontextprotocol/server-memory`
 * (a capital I for the l), `server-rnemory` (r + n for m), Cyrillic or Greek letters that look Latin, fullwidth
 * forms. Each name is reduced to a skeleton (as in Unicode TR39: what it looks like, not what it is); two
 * different names with the same skeleton are look-alikes, and installing one of them earns a warning.
 */

/** Letters of other scripts that look like Latin ones (the common part of Unicode's confusables.txt). */
const CONFUSABLE: Record<string, string> = {
  // Cyrillic
  а: 'a', в: 'b', е: 'e', ё: 'e', к: 'k', м: 'm', н: 'h', о: 'o', р: 'p', с: 'c', т: 't', у: 'y', х: 'x', ѕ: 's', і: 'i',
  ї: 'i', ј: 'j', һ: 'h', ԁ: 'd', ԛ: 'q', ԝ: 'w', ӏ: 'l', ɡ: 'g',
  // Greek
  α: 'a', β: 'b', ε: 'e', η: 'n', ι: 'i', κ: 'k', μ: 'u', ν: 'v', ο: 'o', ρ: 'p', τ: 't', υ: 'u', χ: 'x', ω: 'w',
  // Latin look-alikes and punctuation
  ı: 'i', ℓ: 'l', ǀ: 'l', '‐': '-', '‑': '-', '‒': '-', '–': '-', '—': '-', '−': '-', '․': '.', '∕': '/', '⁄': '/',
};

/** What a name looks like: case folded, compatibility forms folded (NFKC), confusable letters and pairs mapped. */
export function skeleton(name: string): string {
  let s = name.normalize('NFKC').replace(/I/g, 'l').toLowerCase();
  s = [...s].map((c) => CONFUSABLE[c] ?? c).join('');
  // Invisible characters change nothing a reader sees.
  s = s.replace(/[\u00ad\u200b-\u200d\u2060\ufeff]/g, '');
  return s.replace(/rn/g, 'm').replace(/vv/g, 'w').replace(/cl/g, 'd').replace(/[1|]/g, 'l').replace(/0/g, 'o');
}

/** Scripts whose letters appear in the name (Latin, Cyrillic, Greek, other). */
export function scriptsOf(name: string): string[] {
  const scripts = new Set<string>();
  for (const c of name.normalize('NFKC')) {
    if (/\p{Script=Latin}/u.test(c)) scripts.add('Latin');
    else if (/\p{Script=Cyrillic}/u.test(c)) scripts.add('Cyrillic');
    else if (/\p{Script=Greek}/u.test(c)) scripts.add('Greek');
    else if (/\p{L}/u.test(c)) scripts.add('other');
  }
  return [...scripts];
}

/** The known name `name` imitates, if any: same skeleton, different name (case-only differences aside). */
export function findLookalike(name: string, known: Iterable<string>): string | undefined {
  const target = skeleton(name);
  for (const candidate of known) {
    if (candidate.toLowerCase() === name.toLowerCase()) continue;
    if (skeleton(candidate) === target) return candidate;
  }
  return undefined;
}

/**
 * The hand-checked popular servers of the index embedded in mcpm (its `wellKnown` list): the ones worth imitating.
 * Not the whole snapshot: real registries hold names that differ only in case or a letter, and both are genuine.
 */
export function wellKnownNames(): string[] {
  return embeddedHeader().wellKnown;
}

/**
 * A warning for a server about to be installed whose name looks like a well-known or installed server's, or mixes
 * scripts; undefined when the name is unremarkable.
 */
export function lookalikeWarning(name: string, others: Iterable<string> = []): string | undefined {
  const like = findLookalike(name, [...wellKnownNames(), ...others]);
  const scripts = scriptsOf(name);
  if (like) {
    return `${name} looks like ${like} but is a different server${scripts.length > 1 ? ` (it mixes ${scripts.join(' and ')} letters)` : ''}; check that it is the one you meant`;
  }
  if (scripts.length > 1) return `${name} mixes ${scripts.join(' and ')} letters, a common way to imitate another server's name; check that it is the one you meant`;
  return undefined;
}
