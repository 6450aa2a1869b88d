// @module-tag deep
// Never change a byte outside the entry mcpm edits. A file that is not UTF-8 is refused (decoding would replace
// its bytes for good), a UTF-8 byte order mark is kept, and a file nested deeper than the parsers walk is refused as
// unparseable rather than crashing mcpm. In JSON, YAML and TOML alike. A file that is a symbolic link stays one.
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstInvalidUtf8 } from '../src/clients/text.js';
import { runMcpm } from './helpers/cli.js';
import { cleanupTmpDirs, makeTmpDir } from './helpers/tmp.js';
import { startWorld, type World } from './helpers/world.js';

let world: World;
beforeAll(async () => {
  world = await startWorld({ versions: ['1.0.0'] });
});
afterAll(async () => {
  await world.close();
  await cleanupTmpDirs();
});

const inputs = ['--env', 'POSTS_API_URL=http://x', '--env', 'POSTS_API_TOKEN=t'];
const mcpm = (home: string, args: string[]) => runMcpm([...args, '--registry', world.registryUrl, '--json'], { home, timeoutMs: 60_000 });

const FILES = {
  cursor: { rel: ['.cursor', 'mcp.json'], body: (extra: string) => `{\n  "mcpServers": {},\n  "note": "${extra}"\n}\n` },
  goose: { rel: ['.config', 'goose', 'config.yaml'], body: (extra: string) => `extensions: {}\nnote: "${extra}"\n` },
  codex: { rel: ['.codex', 'config.toml'], body: (extra: string) => `note = "${extra}"\n` },
} as const;

async function placed(client: keyof typeof FILES, bytes: Buffer) {
  const home = await makeTmpDir('mcpm-bytes-');
  const file = path.join(home, ...FILES[client].rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, bytes);
  return { home, file };
}

describe('bytes in client files', () => {
  for (const client of Object.keys(FILES) as Array<keyof typeof FILES>) {
    it(`${client}: a Latin-1 byte is refused naming its offset, and the file keeps every byte`, async () => {
      const bytes = Buffer.concat([Buffer.from(FILES[client].body('caf').split('caf')[0]! + 'caf'), Buffer.from([0xe9]), Buffer.from(FILES[client].body('caf').split('caf')[1]!)]);
      const { home, file } = await placed(client, bytes);
      const run = await mcpm(home, ['install', 'github-posts', '--client', client, ...inputs]);
      expect(run.json.error).toMatchObject({ code: 'EPARSE', message: expect.stringContaining(`not valid UTF-8 (byte ${bytes.indexOf(0xe9)}: 0xe9)`) });
      expect(readFileSync(file).equals(bytes)).toBe(true);
    });
  }

  it('a UTF-8 byte order mark is accepted, kept on install, and install then uninstall gives back the same bytes', async () => {
    const bytes = Buffer.from(`\uFEFF${FILES.cursor.body('h\u00e9llo')}`);
    const { home, file } = await placed('cursor', bytes);
    const install = await mcpm(home, ['install', 'github-posts', '--client', 'cursor', ...inputs]);
    expect(install.json?.ok, install.stderr).toBe(true);
    const written = readFileSync(file);
    expect(written.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))).toBe(true);
    expect(JSON.parse(written.subarray(3).toString('utf8')).mcpServers['github-posts']).toBeDefined();
    const uninstall = await mcpm(home, ['uninstall', 'github-posts']);
    expect(uninstall.json?.ok, uninstall.stderr).toBe(true);
    expect(readFileSync(file).equals(bytes)).toBe(true);
  });

  it('a file nested deeper than the parsers walk is EPARSE, not a crash', async () => {
    const deep = `{"mcpServers": {}, "x": ${'['.repeat(200_000)}${']'.repeat(200_000)}}`;
    const { home, file } = await placed('cursor', Buffer.from(deep));
    const run = await mcpm(home, ['install', 'github-posts', '--client', 'cursor', '--dry-run', ...inputs]);
    expect(run.json.error).toMatchObject({ code: 'EPARSE', message: expect.stringContaining('nested too deeply') });
    expect(readFileSync(file, 'utf8')).toBe(deep);
  });

  it('the UTF-8 check: well-formed text passes; overlong forms, surrogates and cut sequences do not', () => {
    expect(firstInvalidUtf8(Buffer.from('ascii, é, 漢, 😀'))).toBe(-1);
    expect(firstInvalidUtf8(Buffer.from([0x61, 0xc0, 0xaf]))).toBe(1);
    expect(firstInvalidUtf8(Buffer.from([0xed, 0xa0, 0x80]))).toBe(0);
    expect(firstInvalidUtf8(Buffer.from([0x61, 0x62, 0xe6, 0xbc]))).toBe(2);
    expect(firstInvalidUtf8(Buffer.from([0xf4, 0x90, 0x80, 0x80]))).toBe(0);
  });
});

describe('client files that are symbolic links', () => {
  it('a dangling link (a dotfiles repository not checked out yet) is written through, and stays a link after uninstall', async () => {
    const home = await makeTmpDir('mcpm-link-');
    const link = path.join(home, '.cursor', 'mcp.json');
    const target = path.join(home, 'dotfiles', 'cursor', 'mcp.json');
    mkdirSync(path.dirname(link), { recursive: true });
    symlinkSync('../dotfiles/cursor/mcp.json', link);
    const install = await mcpm(home, ['install', 'github-posts', '--client', 'cursor', ...inputs]);
    expect(install.json?.ok, install.stderr).toBe(true);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe('../dotfiles/cursor/mcp.json');
    expect(JSON.parse(readFileSync(target, 'utf8')).mcpServers['github-posts']).toBeDefined();
    const uninstall = await mcpm(home, ['uninstall', 'github-posts']);
    expect(uninstall.json?.ok, uninstall.stderr).toBe(true);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(existsSync(target)).toBe(false);
  });

  it('a link to an existing file: the file is edited, the link kept', async () => {
    const home = await makeTmpDir('mcpm-link-');
    const link = path.join(home, '.cursor', 'mcp.json');
    const target = path.join(home, 'dotfiles', 'mcp.json');
    mkdirSync(path.dirname(link), { recursive: true });
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, FILES.cursor.body('mine'));
    symlinkSync(target, link);
    expect((await mcpm(home, ['install', 'github-posts', '--client', 'cursor', ...inputs])).json?.ok).toBe(true);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect((await mcpm(home, ['uninstall', 'github-posts'])).json?.ok).toBe(true);
    expect(readFileSync(target, 'utf8')).toBe(FILES.cursor.body('mine'));
  });
});
