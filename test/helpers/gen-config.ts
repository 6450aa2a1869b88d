// Seeded generators of client config files (JSON with comments, YAML, TOML) for fuzzing the editors: random
// nesting, comments in odd places, odd whitespace and line endings, unicode, trailing commas, duplicate keys, and
// byte-level mutations. Everything is derived from one seed, so a failing case is reproduced by its number.

export type Rng = {
  next(): number;
  int(n: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
};

/** mulberry32: tiny, fast, good enough to drive a fuzzer. */
export function rng(seed: number): Rng {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    pick: (items) => items[Math.floor(next() * items.length)]!,
    chance: (p) => next() < p,
  };
}

const WORDS = ['a', 'b', 'key', 'name', 'command', 'args', 'env', 'mcpServers', 'servers', 'x-y', 'ünïcödé', '日本', 'emoji😀', 'with space', 'dot.ted', 'q"uote', "ap'os", 'back\\slash', 'tab\there', '', '#hash', '//slashes', '/*star*/', 'line\nbreak', 'a: b', '- dash', '[br]', '{cu}', 'true', 'null', '0x1F', '1e3', 'ß', 'Ω', '\u200b', '\u0000nul'];

export function word(r: Rng): string {
  if (r.chance(0.6)) return r.pick(WORDS);
  const length = 1 + r.int(12);
  let s = '';
  for (let i = 0; i < length; i++) s += String.fromCodePoint(r.pick([0x61 + r.int(26), 0x30 + r.int(10), 0x20, 0x2d, 0x5f, 0xe9, 0x3b1 + r.int(20), 0x4e00 + r.int(100), 0x1f600 + r.int(30)]));
  return s;
}

/** A plain data tree (no nulls inside arrays for TOML; the caller chooses). */
export function data(r: Rng, depth: number, options: { nulls: boolean; dates?: boolean } = { nulls: true }): unknown {
  const roll = r.int(depth <= 0 ? 5 : 8);
  switch (roll) {
    case 0:
      return word(r);
    case 1:
      return r.pick([0, 1, -7, 42, 3.5, 1e21, 123456789]);
    case 2:
      return r.chance(0.5);
    case 3:
      return options.nulls ? null : word(r);
    case 4:
      return word(r);
    case 5:
    case 6: {
      const out: Record<string, unknown> = {};
      const n = r.int(4);
      for (let i = 0; i < n; i++) out[word(r)] = data(r, depth - 1, options);
      return out;
    }
    default: {
      const n = r.int(4);
      // TOML arrays may mix types (1.0), but keep them simple: one kind per array.
      const kind = r.int(3);
      return Array.from({ length: n }, () => (kind === 0 ? word(r) : kind === 1 ? r.int(100) : data(r, depth - 1, options)));
    }
  }
}

/** A realistic entry mcpm writes: command, args, env, with hostile-ish strings. */
export function entryValue(r: Rng, shape: 'map' | 'list' | 'toml', key: string): Record<string, unknown> {
  const str = () => r.pick(['/usr/bin/node', 'C:\\Program Files\\node.exe', '/a b/ü/x.js', '--env-file=/h/.mcpm/s.env', word(r), '"quoted"', "it's", 'multi\nline', '# not a comment', 'a: b', '${VAR}']);
  const env: Record<string, string> = {};
  for (let i = r.int(3); i > 0; i--) env[r.pick(['A', 'API_URL', 'X_Y', 'Ünï', 'with space'])] = str();
  const value: Record<string, unknown> = { command: str(), args: Array.from({ length: r.int(4) }, str) };
  if (Object.keys(env).length > 0 || shape !== 'toml') value.env = env;
  if (r.chance(0.3)) value.enabled = r.chance(0.5);
  if (r.chance(0.2)) value.timeout = r.int(1000);
  return shape === 'list' ? { name: key, ...value } : value;
}

// --- JSON with comments --------------------------------------------------------------------------------------

export interface JsonStyle {
  unit: string;
  eol: string;
  comments: number;
  trailing: number;
  oneLine: number;
}

function jsonString(r: Rng, s: string): string {
  const plain = JSON.stringify(s);
  if (!r.chance(0.2)) return plain;
  // Escape some ordinary characters too: \u0061, \/ are valid and must survive untouched.
  return plain.replace(/[a-z/]/g, (c) => (r.chance(0.3) ? (c === '/' ? '\\/' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : c));
}

function jsonComment(r: Rng, style: JsonStyle, inline: boolean): string {
  if (!r.chance(style.comments)) return '';
  const text = word(r).replace(/\*\//g, '*').replace(/[\r\n]/g, ' ');
  if (inline || r.chance(0.5)) return ` /* ${text} */ `;
  return ` // ${text}${style.eol}`;
}

export function writeJsonc(r: Rng, value: unknown, style: JsonStyle, indent = '', inline = false): string {
  if (value === null || typeof value !== 'object') return typeof value === 'string' ? jsonString(r, value) : JSON.stringify(value);
  const isArray = Array.isArray(value);
  const items: Array<[string | undefined, unknown]> = isArray ? value.map((v) => [undefined, v]) : Object.entries(value as object);
  const [open, close] = isArray ? ['[', ']'] : ['{', '}'];
  if (items.length === 0) return open + (r.chance(0.3) ? (inline ? ' ' : `${style.eol}${indent}`) : '') + close;
  const one = inline || r.chance(style.oneLine);
  const inner = indent + style.unit;
  const parts = items.map(([k, v]) => {
    const keyText = k === undefined ? '' : `${jsonString(r, k)}${r.pick([':', ': ', ' : ', ':\t'])}${jsonComment(r, style, true)}`;
    return keyText + writeJsonc(r, v, style, inner, one);
  });
  const trailing = r.chance(style.trailing) ? ',' : '';
  if (one) return `${open}${r.pick(['', ' '])}${parts.join(r.pick([',', ', ', ' , ']))}${trailing}${r.pick(['', ' '])}${close}`;
  const lines = parts.map((p, i) => `${inner}${p}${i < parts.length - 1 ? ',' : trailing}${jsonComment(r, style, false) || ''}`);
  const body = lines.map((line) => (line.endsWith(style.eol) ? line.slice(0, -style.eol.length) : line)).join(style.eol);
  const lead = r.chance(style.comments / 2) ? `${inner}// leading ${word(r).replace(/[\r\n]/g, ' ')}${style.eol}` : '';
  return `${open}${style.eol}${lead}${body}${style.eol}${indent}${close}`;
}

export function jsonStyle(r: Rng): JsonStyle {
  return {
    unit: r.pick(['  ', '    ', '\t', ' ', '   ']),
    eol: r.chance(0.2) ? '\r\n' : '\n',
    comments: r.pick([0, 0.1, 0.4]),
    trailing: r.pick([0, 0, 0.3, 1]),
    oneLine: r.pick([0, 0.1, 0.5]),
  };
}

// --- YAML ------------------------------------------------------------------------------------------------------

function yamlScalar(r: Rng, value: unknown): string {
  if (value === null) return r.pick(['~', 'null', '']);
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') return String(value);
  const s = String(value);
  const roll = r.int(4);
  if (roll === 0 && /^[A-Za-z][A-Za-z0-9 _-]*[A-Za-z0-9]$/.test(s) && !/^(true|false|null|yes|no|on|off|y|n)$/i.test(s)) return s;
  if (roll === 1 && !/[\n\u0000-\u001f]/.test(s)) return `'${s.replaceAll("'", "''")}'`;
  return JSON.stringify(s).replace(/[\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
}

function yamlKey(r: Rng, key: string): string {
  if (/^[A-Za-z][A-Za-z0-9_-]*$/.test(key) && r.chance(0.8)) return key;
  return yamlScalar(r, key === '' ? 'empty' : key);
}

export interface YamlStyle {
  unit: number;
  indentSeq: boolean;
  eol: string;
  comments: number;
  blank: number;
  flow: number;
}

export function yamlStyle(r: Rng): YamlStyle {
  return { unit: r.pick([2, 2, 4, 3]), indentSeq: r.chance(0.5), eol: r.chance(0.15) ? '\r\n' : '\n', comments: r.pick([0, 0.2, 0.5]), blank: r.pick([0, 0.2]), flow: r.pick([0, 0.2]) };
}

function yamlFlow(r: Rng, value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => yamlFlow(r, v)).join(', ')}]`;
  if (value && typeof value === 'object') return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${yamlFlow(r, v)}`).join(', ')}}`;
  return value === null ? 'null' : JSON.stringify(value);
}

/** Lines of a block collection at `column`. */
export function writeYaml(r: Rng, value: unknown, style: YamlStyle, column = 0): string[] {
  const pad = ' '.repeat(column);
  const lines: string[] = [];
  const comment = () => (r.chance(style.comments) ? `  # ${word(r).replace(/[\r\n]/g, ' ')}` : '');
  const child = (v: unknown, at: number, head: string) => {
    if (v !== null && typeof v === 'object' && Object.keys(v).length > 0 && !r.chance(style.flow)) {
      lines.push(`${head}${comment()}`);
      lines.push(...writeYaml(r, v, style, at));
    } else if (v !== null && typeof v === 'object') {
      lines.push(`${head} ${yamlFlow(r, v)}${comment()}`);
    } else if (typeof v === 'string' && v.includes('\n') && !/^\s|\s$|\r/.test(v) && !v.split('\n').some((l) => l.trim() === '' || /^\s/.test(l)) && r.chance(0.5)) {
      lines.push(`${head} |${v.endsWith('\n') ? '' : '-'}`);
      for (const l of v.replace(/\n$/, '').split('\n')) lines.push(' '.repeat(at + style.unit) + l);
    } else {
      const s = yamlScalar(r, v);
      lines.push(s === '' ? head : `${head} ${s}${comment()}`);
    }
  };
  if (r.chance(style.comments)) lines.push(`${pad}# ${word(r).replace(/[\r\n]/g, ' ')}`);
  if (Array.isArray(value)) {
    for (const item of value) {
      if (r.chance(style.blank)) lines.push('');
      if (item !== null && typeof item === 'object' && !Array.isArray(item) && Object.keys(item).length > 0) {
        const entries = Object.entries(item);
        const inner = column + 2;
        entries.forEach(([k, v], i) => {
          const head = `${i === 0 ? `${pad}- ` : ' '.repeat(inner)}${yamlKey(r, k)}:`;
          child(v, inner + style.unit - style.unit, head);
        });
      } else {
        child(item, column + 2, `${pad}-`);
      }
    }
    return lines;
  }
  for (const [k, v] of Object.entries(value as object)) {
    if (r.chance(style.blank)) lines.push('');
    const head = `${pad}${yamlKey(r, k)}:`;
    const nested = Array.isArray(v) && v.length > 0 ? column + (style.indentSeq ? style.unit : 0) : column + style.unit;
    child(v, nested, head);
  }
  return lines;
}

// --- TOML ------------------------------------------------------------------------------------------------------

const BARE = /^[A-Za-z0-9_-]+$/;

function tomlKey(r: Rng, key: string): string {
  if (BARE.test(key) && r.chance(0.8)) return key;
  if (!/['\n\r\u0000-\u001f\u007f]/.test(key) && r.chance(0.4)) return `'${key}'`;
  return tomlString(r, key, false);
}

function tomlString(r: Rng, s: string, allowMulti: boolean): string {
  const roll = r.int(allowMulti ? 4 : 2);
  if (roll === 1 && !/['\n\r\u0000-\u001f\u007f]/.test(s)) return `'${s}'`;
  if (roll === 2 && !/'''|[\r\u0000-\u0009\u000b-\u001f\u007f]/.test(s) && !s.endsWith("'")) return `'''${r.chance(0.5) ? '\n' : ''}${s}'''`;
  const basic = s.replace(/[\\"\u0000-\u001f\u007f]/g, (c) => ({ '\\': '\\\\', '"': '\\"', '\n': '\\n', '\t': '\\t', '\r': '\\r' } as Record<string, string>)[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (roll === 3) return `"""${basic}"""`;
  return `"${basic}"`;
}

function tomlValue(r: Rng, value: unknown): string {
  if (typeof value === 'string') return tomlString(r, value, true);
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') return Number.isInteger(value) && Math.abs(value) < 1e15 ? (r.chance(0.1) && value > 1000 ? value.toLocaleString('en').replaceAll(',', '_') : String(value)) : String(value) + (String(value).includes('.') || String(value).includes('e') ? '' : '.0');
  if (Array.isArray(value)) {
    if (value.length > 0 && r.chance(0.3)) return `[\n${value.map((v) => `  ${tomlValue(r, v)},${r.chance(0.3) ? ' # c' : ''}`).join('\n')}\n]`;
    return `[${value.map((v) => tomlValue(r, v)).join(', ')}]`;
  }
  if (value && typeof value === 'object') {
    const pairs = Object.entries(value).filter(([, v]) => v !== null);
    return pairs.length === 0 ? '{}' : `{ ${pairs.map(([k, v]) => `${tomlKey(r, k)} = ${tomlValue(r, v)}`).join(', ')} }`;
  }
  return '"null"';
}

/** A TOML document: top-level pairs, then tables (some nested, some arrays of tables), comments, blank lines. */
export function writeToml(r: Rng, top: Record<string, unknown>, tables: Array<{ header: string[]; array?: boolean; body: Record<string, unknown> }>, eol: string): string {
  const out: string[] = [];
  const comment = () => (r.chance(0.2) ? ` # ${word(r).replace(/[\r\n]/g, ' ')}` : '');
  if (r.chance(0.3)) out.push(`# ${word(r).replace(/[\r\n]/g, ' ')}`);
  for (const [k, v] of Object.entries(top)) if (v !== null && !(v && typeof v === 'object' && !Array.isArray(v) && r.chance(0.5))) out.push(`${tomlKey(r, k)} = ${tomlValue(r, v)}${comment()}`);
  for (const table of tables) {
    if (r.chance(0.6)) out.push('');
    if (r.chance(0.2)) out.push(`# about ${table.header.join('.')}`);
    const header = table.header.map((h) => tomlKey(r, h)).join(r.pick(['.', ' . ']));
    out.push(table.array ? `[[${header}]]${comment()}` : `[${header}]${comment()}`);
    for (const [k, v] of Object.entries(table.body)) if (v !== null) out.push(`${tomlKey(r, k)} = ${tomlValue(r, v)}${comment()}`);
  }
  return out.join(eol) + (r.chance(0.85) ? eol : '');
}

/** Byte-level damage: delete, duplicate or insert a character somewhere. */
export function mutate(r: Rng, text: string): string {
  if (text.length === 0) return r.pick(['{', '-', '[', '#', '"']);
  const at = r.int(text.length);
  switch (r.int(4)) {
    case 0:
      return text.slice(0, at) + text.slice(at + 1);
    case 1:
      return text.slice(0, at) + text[at] + text.slice(at);
    case 2:
      return text.slice(0, at) + r.pick(['{', '}', '[', ']', ',', ':', '"', "'", '#', '\n', ' ', '\t', '=', '-', '&a ', '*a', '\u00a0', '/*', '//']) + text.slice(at);
    default: {
      const end = Math.min(text.length, at + 1 + r.int(20));
      return text.slice(0, at) + text.slice(end);
    }
  }
}
