import { lastSegment, segmentForms } from './short-name.js';

/**
 * "Did you mean memory?": names close to one that was not found. Close means within a small edit distance
 * (insertions, deletions, substitutions and swaps of two neighbours, so `memroy` is one step from `memory`) of the
 * server's short-name forms, scaled to the name's length so that short words do not suggest everything.
 */
export function closeNames(typed: string, known: Iterable<string>, preferred: ReadonlySet<string> = new Set(), limit = 3): string[] {
  const word = lastSegment(typed).toLowerCase();
  const allowed = word.length <= 4 ? 1 : word.length <= 8 ? 2 : 3;
  const scored: Array<{ name: string; distance: number }> = [];
  for (const name of known) {
    let best = Infinity;
    for (const form of segmentForms(lastSegment(name))) best = Math.min(best, editDistance(word, form, allowed));
    if (best <= allowed && best > 0) scored.push({ name, distance: best });
  }
  // Equally close: the hand-checked popular servers first, then shorter names.
  const rank = (name: string) => (preferred.has(name) ? 0 : 1);
  scored.sort((a, b) => a.distance - b.distance || rank(a.name) - rank(b.name) || a.name.length - b.name.length || (a.name < b.name ? -1 : 1));
  return [...new Set(scored.map((s) => s.name))].slice(0, limit);
}

/** Optimal string alignment distance, giving up (returning limit + 1) once every cell of a row is over the limit. */
export function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let smallest = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, before[j - 2]! + 1);
      current.push(value);
      smallest = Math.min(smallest, value);
    }
    if (smallest > limit) return limit + 1;
    before = previous;
    previous = current;
  }
  return previous[b.length]!;
}
