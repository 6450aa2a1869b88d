import { defineCommand } from './spec.js';
import type { MirrorSummary } from '../registry/mirror.js';
import type { BuildSummary } from '../registry/static-build.js';

/**
 * The registry group's commands for running a registry of your own: mirror (a folder from an upstream), serve (the
 * v0.1 API over a folder, with publishing), build (the same as static files for any host). Their handlers live in
 * modules loaded when they run.
 */
export const hostingCommands = [
  defineCommand({
    name: 'registry mirror',
    description: 'copy a registry (or the names an allow file approves) into a folder that registry serve and build read; incremental, safe to rerun',
    arguments: [
      ['<upstream>', 'a registry URL, the name of a configured registry, or an index (.json)'],
      ['<dir>', 'the folder to keep the mirror in (a git checkout works well)'],
    ],
    options: [
      { flags: '--allow <file>', description: 'keep only names matching a line of this file (`*` matches anything; # comments)' },
      { flags: '--full', description: 'list everything again instead of asking for changes' },
    ],
    run: async (ctx, { args, options }) => {
      const { registryMirror } = await import('./registry-mirror.js');
      return { result: await registryMirror(ctx, args.upstream, args.dir, { allow: options.allow, full: Boolean(options.full) }) };
    },
    render: renderMirror,
  }),
  defineCommand({
    name: 'registry serve',
    description: 'serve an index or a folder of server.json files over the v0.1 registry API (and accept publishing into the folder), until Ctrl-C',
    ownsSignals: true,
    arguments: [['<index-or-dir>', 'a static index (.json) or a folder of server.json files']],
    options: [
      { flags: '--port <port>', description: 'port to listen on (default 8765; 0 picks a free one)' },
      { flags: '--host <address>', description: 'address to listen on (default 127.0.0.1)' },
      { flags: '--token-env <VAR>', description: 'require this bearer token (read from the environment variable) on every request' },
      { flags: '--publish-token-env <VAR[:namespaces]>', description: 'accept publish and status changes from holders of this token (a folder only); VAR:io.github.acme limits it to namespaces', repeatable: true },
      { flags: '--namespace <ns>', description: 'limit publish tokens given without their own list to this namespace (and those under it)', repeatable: true },
    ],
    run: async (ctx, { args, options }) => {
      const { registryServe } = await import('./registry-serve.js');
      return { result: await registryServe(ctx, args['index-or-dir'], options) };
    },
    render: (result) => `Stopped after ${result.requests} requests`,
  }),
  defineCommand({
    name: 'registry build',
    description: 'write a folder (or index) of server.json files as a static site of the v0.1 read API, for any static host or CDN',
    arguments: [['<index-or-dir>', 'a folder of server.json files (as serve, publish and mirror keep) or a static index']],
    options: [{ flags: '--out <site>', description: 'the folder to write the site into (replaced whole when the new one is complete)' }],
    run: async (ctx, { args, options }) => {
      const { registryBuild } = await import('./registry-build.js');
      return { result: await registryBuild(ctx, args['index-or-dir'], options.out) };
    },
    render: (r: BuildSummary) => `Built ${r.out}: ${r.servers} servers, ${r.versions} versions, ${r.files} files, ${(r.bytes / 1048576).toFixed(1)} MiB${r.skipped.length ? ` (${r.skipped.length} skipped)` : ''}\nServe it with any static file server; see "Run a registry for your team" in the README for hosts that need a rewrite.`,
  }),
];

function renderMirror(r: MirrorSummary): string {
  const skipped = [
    r.skipped.notAllowed ? `${r.skipped.notAllowed} not in the allow file` : '',
    r.skipped.invalid ? `${r.skipped.invalid} invalid` : '',
    r.skipped.local ? `${r.skipped.local} already in the folder from elsewhere` : '',
  ].filter(Boolean);
  return [
    `Mirrored ${r.upstream} into ${r.dir} (${r.mode}): ${r.added} added, ${r.updated} updated, ${r.deleted} deleted${r.unapproved ? `, ${r.unapproved} no longer allowed` : ''}; ${r.versions} versions held`,
    ...(skipped.length ? [`Skipped: ${skipped.join(', ')}`] : []),
  ].join('\n');
}
