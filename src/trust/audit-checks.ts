import type { Context } from '../context.js';
import { plaintextCredentials } from '../plan/credentials.js';
import { readForeignEntry } from '../plan/foreign.js';
import { mergeEntry } from '../plan/merge-entry.js';
import type { InstalledServer } from '../state/installed.js';
import { ruleById } from './rules.js';
import { scanSurface } from './scan.js';
import { comparable } from './surface.js';
import { supplyCheck } from './audit-supply.js';

/**
 * What `mcpm audit` checks, one entry per concern. Each check looks at one subject (an installed server with its
 * entries as they are on disk, or with --all an entry mcpm did not write) and says facts: ok, info, warn or fail.
 * A subject's verdict is its worst fact; any fail makes audit exit 1.
 *
 * Registry signatures, provenance and the policy rules (src/supply/) are one more check, audit-supply.ts; a new
 * concern is one more AuditCheck appended to AUDIT_CHECKS, and nothing else in audit changes for it.
 */
export type FactStatus = 'ok' | 'info' | 'warn' | 'fail';

export interface AuditFact {
  /** The check's id (`pins`, `drift`, `descriptions`, ...); with a rule id for findings (`descriptions/invisible-tags`). */
  check: string;
  status: FactStatus;
  message: string;
  /** Where in which file, for SARIF and --verbose. */
  file?: string;
}

export interface AuditEntry {
  client: string;
  file: string;
  key: string;
  /** The entry as it is on disk now (undefined: gone), or why the file could not be read. */
  value?: unknown;
  unreadable?: string;
  /** What mcpm wrote (secrets masked): managed entries only. */
  written?: unknown;
}

export interface AuditSubject {
  name: string;
  /** Installed by mcpm (false: an entry found by --all that mcpm did not write). */
  managed: boolean;
  server?: InstalledServer;
  entries: AuditEntry[];
}

export interface AuditCheck {
  id: string;
  run(subject: AuditSubject, ctx: Context): AuditFact[] | Promise<AuditFact[]>;
}

const DAY_MS = 86_400_000;

const pins: AuditCheck = {
  id: 'pins',
  run: ({ server }) => {
    if (!server) return [];
    const pinned = server.trust?.pins;
    if (comparable(pinned)) {
      const tools = Object.values(pinned.items).filter((i) => i.kind === 'tool').length;
      return [{ check: 'pins', status: 'ok', message: `${tools} tool${tools === 1 ? '' : 's'} pinned at ${pinned.version} (${pinned.pinnedAt.slice(0, 10)})` }];
    }
    const note = server.trust?.unpinned?.note;
    return [{ check: 'pins', status: 'warn', message: `tools not pinned${note ? ` (${note})` : ''}: run \`mcpm check ${server.name}\`` }];
  },
};

const drift: AuditCheck = {
  id: 'drift',
  run: ({ server }) => {
    const seen = server?.trust?.drift;
    if (!server || !seen) return [];
    return [{ check: 'drift', status: 'fail', message: `tools drifted (seen ${seen.detectedAt.slice(0, 16)}): ${seen.summary}; review with \`mcpm trust diff ${server.name}\`` }];
  },
};

const SEVERITY_STATUS = { high: 'fail', medium: 'warn', low: 'info' } as const;

/** The pinned surface's descriptions, and the drifted one's if a check saw one: both reach a model. */
const descriptions: AuditCheck = {
  id: 'descriptions',
  run: ({ server }) => {
    if (!server) return [];
    const surfaces = [server.trust?.pins, server.trust?.drift?.live].filter(comparable);
    const seen = new Set<string>();
    const facts: AuditFact[] = [];
    for (const surface of surfaces) {
      for (const finding of scanSurface(Object.values(surface.items))) {
        const id = `${finding.rule} ${finding.where} ${finding.excerpt}`;
        if (seen.has(id)) continue;
        seen.add(id);
        facts.push({ check: `descriptions/${finding.rule}`, status: SEVERITY_STATUS[finding.severity], message: `${finding.where}: ${ruleById(finding.rule)?.title ?? finding.rule}: ${finding.excerpt}` });
      }
    }
    return facts;
  },
};

/** Age of the installed version: from its publication date when the registry's metadata was kept, else from the install. */
const versionAge: AuditCheck = {
  id: 'version-age',
  run: ({ server }, ctx) => {
    if (!server) return [];
    const meta = (server.server as { _meta?: Record<string, { publishedAt?: unknown }> } | undefined)?._meta?.['io.modelcontextprotocol.registry/official'];
    const published = typeof meta?.publishedAt === 'string' ? meta.publishedAt : (server as { publishedAt?: string }).publishedAt;
    const since = published ?? server.installedAt;
    const days = Math.max(0, Math.floor((ctx.now() - Date.parse(since)) / DAY_MS));
    return [{ check: 'version-age', status: 'info', message: `${server.version} ${published ? 'published' : 'installed'} ${since.slice(0, 10)} (${days} day${days === 1 ? '' : 's'} ago)` }];
  },
};

const registryStatus: AuditCheck = {
  id: 'registry-status',
  run: ({ server }) => {
    if (!server) return [];
    const status = server.registryStatus;
    if (!status) return [{ check: 'registry-status', status: 'ok', message: `active in ${server.registry} (as last asked)` }];
    return [{ check: 'registry-status', status: status.status === 'deleted' ? 'fail' : 'warn', message: `${server.version} is ${status.status} in ${server.registry} (asked ${status.checkedAt.slice(0, 10)}): run \`mcpm outdated\`` }];
  },
};

const credentials: AuditCheck = {
  id: 'plaintext-credentials',
  run: ({ entries }) => entries.flatMap((entry) => {
    if (entry.value === undefined) return [];
    const found = plaintextCredentials(readForeignEntry(entry.value));
    return found.length === 0 ? [] : [{ check: 'plaintext-credentials', status: 'warn' as const, file: entry.file, message: `${entry.client} entry "${entry.key}" holds ${found.join(', ')} in plaintext (${entry.file})` }];
  }),
};

/** Managed entries: still there, and what mcpm wrote (a hand edit of mcpm's fields is said; unknown fields are the user's). */
const onDisk: AuditCheck = {
  id: 'entry-on-disk',
  run: ({ managed, entries }) => {
    if (!managed) return [{ check: 'entry-on-disk', status: 'info', message: `not installed by mcpm (${entries.map((e) => e.client).join(', ')}): \`mcpm import\` can adopt it` }];
    return entries.flatMap((entry): AuditFact[] => {
      const where = `${entry.client} entry "${entry.key}"`;
      if (entry.unreadable) return [{ check: 'entry-on-disk', status: 'fail', file: entry.file, message: `${where}: ${entry.unreadable}` }];
      if (entry.value === undefined) return [{ check: 'entry-on-disk', status: 'fail', file: entry.file, message: `${where} is missing from ${entry.file}: run \`mcpm doctor --fix\`` }];
      if (entry.written === undefined || typeof entry.written !== 'object') return [];
      const { userChanged } = mergeEntry(entry.value, entry.written as Record<string, unknown>, entry.written);
      if (userChanged.length === 0) return [{ check: 'entry-on-disk', status: 'ok', file: entry.file, message: `${where} is as mcpm wrote it` }];
      return [{ check: 'entry-on-disk', status: 'warn', file: entry.file, message: `${where} differs from what mcpm wrote in ${userChanged.join(', ')} (${entry.file})` }];
    });
  },
};

export const AUDIT_CHECKS: AuditCheck[] = [pins, drift, descriptions, versionAge, registryStatus, credentials, onDisk, supplyCheck({ drift, descriptions })];
