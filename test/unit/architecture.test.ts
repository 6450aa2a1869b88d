// The shape the code keeps: plan/ is pure (it imports nothing that touches disk, network or a clock), and no two
// modules import each other in a circle. Read from the sources' own import lines (type-only imports are erased by
// the compiler and do not count).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

function sources(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? sources(path.join(dir, d.name)) : d.name.endsWith('.ts') && !d.name.endsWith('.d.ts') ? [path.join(dir, d.name)] : [],
  );
}

/** The static, non-type imports of a file: local ones as absolute .ts paths, packages as their names. */
function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const match of text.matchAll(/^import\s+(?!type\s)([^'"]*?from\s+)?['"]([^'"]+)['"]/gm)) {
    const spec = match[2]!;
    // `import { type A, type B } from` imports nothing at run time.
    if (match[1] && /^\{\s*(type\s+\w+\s*,?\s*)+\}\s*from\s+$/.test(match[1])) continue;
    found.push(spec.startsWith('.') ? path.resolve(path.dirname(file), spec.replace(/\.js$/, '.ts')) : spec);
  }
  return found;
}

const PURE_OUTSIDE_PLAN = ['errors.ts', 'json.ts', 'registry/types.ts', 'registry/short-name.ts', 'registry/latest.ts', 'clients/table.ts', 'clients/paths.ts'].map((f) => path.join(SRC, f));
const PURE_PACKAGES = ['node:path', 'node:util', 'semver'];

describe('architecture', () => {
  it('plan/ imports nothing that does I/O', () => {
    const offending: string[] = [];
    for (const file of sources(path.join(SRC, 'plan'))) {
      for (const target of imports(file)) {
        const ok = target.startsWith(path.join(SRC, 'plan')) || PURE_OUTSIDE_PLAN.includes(target) || PURE_PACKAGES.includes(target.replace(/\/.*$/, ''));
        if (!ok) offending.push(`${path.relative(SRC, file)} -> ${target.startsWith('/') ? path.relative(SRC, target) : target}`);
      }
    }
    expect(offending).toEqual([]);
  });

  it('no import cycle', () => {
    const graph = new Map(sources().map((file) => [file, imports(file).filter((t) => t.startsWith(SRC))]));
    const cycles: string[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (file: string, trail: string[]) => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'visiting') {
        cycles.push([...trail.slice(trail.indexOf(file)), file].map((f) => path.relative(SRC, f)).join(' -> '));
        return;
      }
      state.set(file, 'visiting');
      for (const next of graph.get(file) ?? []) visit(next, [...trail, file]);
      state.set(file, 'done');
    };
    for (const file of graph.keys()) visit(file, []);
    expect(cycles).toEqual([]);
  });
});
