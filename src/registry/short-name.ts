/**
 * Short names: `memory` stands for `io.github.modelcontextprotocol/server-memory`. A short name matches the last
 * segment of a server name, case-insensitively, as it is or with one common prefix and one common suffix removed.
 */
const PREFIXES = ['mcp-server-', 'server-', 'mcp-'];
const SUFFIXES = ['-mcp-server', '-mcp', '-server'];

export function lastSegment(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1);
}

/** The forms of a segment that a short name may equal: as is, without prefix, without suffix, without both. */
export function segmentForms(segment: string): string[] {
  const lower = segment.toLowerCase();
  const prefix = PREFIXES.find((p) => lower.startsWith(p) && lower.length > p.length);
  const withoutPrefix = prefix ? lower.slice(prefix.length) : lower;
  const forms = new Set([lower, withoutPrefix]);
  for (const base of [lower, withoutPrefix]) {
    const suffix = SUFFIXES.find((s) => base.endsWith(s) && base.length > s.length);
    if (suffix) forms.add(base.slice(0, -suffix.length));
  }
  return [...forms];
}

export function matchesShortName(serverName: string, shortName: string): boolean {
  return segmentForms(lastSegment(serverName)).includes(shortName.toLowerCase());
}

const GENERIC = new Set(['mcp', 'server', 'mcp-server', 'mcpserver']);

/** A word half the registry's names end in (`server`, `mcp`): as a short name it names no server in particular. */
export function isGenericWord(word: string): boolean {
  return GENERIC.has(word.toLowerCase());
}

/**
 * The key mcpm gives a server's entry in client files: the shortest form of its last segment
 * (`server-memory` -> `memory`), unless that says nothing (`mcp-server`), then namespace + segment.
 */
export function defaultEntryKey(serverName: string): string {
  const segment = lastSegment(serverName);
  const forms = segmentForms(segment);
  const shortest = forms.reduce((a, b) => (b.length < a.length ? b : a));
  if (!GENERIC.has(shortest)) return shortest;
  const namespace = serverName.slice(0, serverName.indexOf('/')).split('.').pop() ?? '';
  return `${namespace}-${segment}`.toLowerCase();
}
