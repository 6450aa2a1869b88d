import { McpmError } from '../errors.js';
import type { Package, ServerJson, Transport } from '../registry/types.js';

export const PACKAGE_TYPES = ['npm', 'pypi', 'oci', 'nuget', 'mcpb'] as const;
export type PackageType = (typeof PACKAGE_TYPES)[number];
export type SourceType = PackageType | 'remote';

export type Source =
  | { kind: PackageType; pkg: Package & { identifier: string } }
  | { kind: 'remote'; remotes: Transport[] };

export interface SourceChoice {
  source: Source;
  /** Packages passed over because this machine cannot run them, with why (for a note). */
  skipped: Array<{ type: string; reason: McpmError }>;
}

/** `linux-amd64`, `darwin-arm64`...: runtimeHints some MCPB entries use to say which platform a bundle is for. */
const OS: Record<string, string> = { linux: 'linux', darwin: 'darwin', macos: 'darwin', windows: 'win32', win32: 'win32' };
const ARCH: Record<string, string> = { amd64: 'x64', x64: 'x64', x86_64: 'x64', arm64: 'arm64', aarch64: 'arm64' };

export function bundlePlatform(hint: string | undefined): { platform: string; arch: string } | undefined {
  const match = hint ? /^([a-z0-9]+)-([a-z0-9_]+)$/i.exec(hint) : null;
  const platform = match && OS[match[1]!.toLowerCase()];
  const arch = match && ARCH[match[2]!.toLowerCase()];
  return platform && arch ? { platform, arch } : undefined;
}

/**
 * Pure: which of a server's packages (or remotes) to install. npm first (mcpm's own store), then the other
 * package types in the order the server lists them, skipping those whose runtime this machine lacks
 * (`unavailable` says why), then remote endpoints. `requested` (--package-type) picks a type explicitly; a
 * reinstall prefers the type installed before. Only stdio packages are considered.
 */
export function chooseSource(
  server: ServerJson,
  options: { requested?: string; previous?: string; unavailable: (pkg: Package) => McpmError | undefined; platform: string; arch: string },
): SourceChoice {
  const stdio = (server.packages ?? []).filter(
    (p): p is Package & { identifier: string } =>
      typeof p.identifier === 'string' && (PACKAGE_TYPES as readonly string[]).includes(p.registryType ?? '') && (p.transport?.type ?? 'stdio') === 'stdio',
  );
  // A bundle built for another platform is not a candidate here at all.
  const here = stdio.filter((p) => {
    const target = p.registryType === 'mcpb' ? bundlePlatform(p.runtimeHint) : undefined;
    return !target || (target.platform === options.platform && target.arch === options.arch);
  });
  const remotes = (server.remotes ?? []).filter((r) => (r.type === 'streamable-http' || r.type === 'sse') && typeof r.url === 'string');
  const offered = [...new Set([...(server.packages ?? []).map((p) => p.registryType ?? 'unknown'), ...(remotes.length ? ['remote'] : [])])];

  if (options.requested) {
    const type = options.requested;
    if (type === 'remote') {
      if (remotes.length === 0) throw notOffered(server, type, offered);
      return { source: { kind: 'remote', remotes }, skipped: [] };
    }
    if (!(PACKAGE_TYPES as readonly string[]).includes(type)) {
      throw new McpmError('EUSAGE', `Unknown package type "${type}"`, { hint: `Use one of ${[...PACKAGE_TYPES, 'remote'].join(', ')}.` });
    }
    const pkg = here.find((p) => p.registryType === type);
    if (!pkg) throw notOffered(server, type, offered);
    return { source: { kind: type as PackageType, pkg }, skipped: [] };
  }

  const skipped: SourceChoice['skipped'] = [];
  const ordered = [...here.filter((p) => p.registryType === 'npm'), ...here.filter((p) => p.registryType !== 'npm')];
  if (options.previous && options.previous !== 'remote') ordered.sort((a, b) => Number(b.registryType === options.previous) - Number(a.registryType === options.previous));
  if (options.previous === 'remote' && remotes.length > 0) return { source: { kind: 'remote', remotes }, skipped };
  for (const pkg of ordered) {
    const reason = options.unavailable(pkg);
    if (reason === undefined) return { source: { kind: pkg.registryType as PackageType, pkg }, skipped };
    if (!skipped.some((s) => s.type === pkg.registryType)) skipped.push({ type: pkg.registryType!, reason });
  }
  if (remotes.length > 0) return { source: { kind: 'remote', remotes }, skipped };
  if (skipped.length === 1) throw skipped[0]!.reason;
  if (skipped.length > 1) {
    throw new McpmError('EUNSUPPORTED', `${server.name} needs a runtime this machine lacks: ${skipped.map((s) => `${s.type}: ${s.reason.message}`).join('; ')}`, {
      hint: skipped.map((s) => s.reason.hint).join(' '),
    });
  }
  throw new McpmError('EUNSUPPORTED', `${server.name} has no package with a stdio transport and no remote endpoint that mcpm can install${offered.length ? ` (it offers: ${offered.join(', ')})` : ''}`, {
    hint: 'mcpm installs npm, pypi, oci, nuget and mcpb packages that speak stdio, and remote streamable-http and sse servers.',
  });
}

function notOffered(server: ServerJson, type: string, offered: string[]): McpmError {
  return new McpmError('EUNSUPPORTED', `${server.name}@${server.version} has no ${type} ${type === 'remote' ? 'endpoint' : 'stdio package'} for this machine`, {
    hint: `It offers: ${offered.join(', ') || 'nothing installable'}. Choose one with --package-type.`,
  });
}
