// A snapshot of a folder tree (type, size, mode, mtime, link target, content hash of small files), to prove that a
// command wrote nothing outside the places it may write.
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import path from 'node:path';

export type Snapshot = Map<string, string>;

export function snapshotTree(root: string, skip: (relative: string) => boolean = () => false): Snapshot {
  const out: Snapshot = new Map();
  const walk = (dir: string) => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names) {
      const full = path.join(dir, name);
      const relative = path.relative(root, full);
      if (skip(relative)) continue;
      const stat = lstatSync(full);
      // A folder is its listing (walked below) and its mode: its mtime changes whenever something beside an allowed
      // file is created, which is not a write outside.
      let detail = stat.isDirectory() ? `dir ${stat.mode.toString(8)}` : `${stat.mode.toString(8)} ${stat.size} ${stat.mtimeMs} ${stat.nlink}`;
      if (stat.isSymbolicLink()) detail += ` -> ${readlinkSync(full)}`;
      else if (stat.isFile() && stat.size < 1 << 20) detail += ` #${createHash('sha1').update(readFileSync(full)).digest('hex')}`;
      out.set(relative, detail);
      if (stat.isDirectory()) walk(full);
    }
  };
  walk(root);
  return out;
}

/** "+ added", "- removed", "~ changed" lines: empty when the trees are the same. */
export function diffSnapshots(before: Snapshot, after: Snapshot): string[] {
  const lines: string[] = [];
  for (const [file, detail] of after) {
    if (!before.has(file)) lines.push(`+ ${file} (${detail})`);
    else if (before.get(file) !== detail) lines.push(`~ ${file} (${before.get(file)} => ${detail})`);
  }
  for (const file of before.keys()) if (!after.has(file)) lines.push(`- ${file}`);
  return lines.sort();
}

/**
 * Every symlink under `root` resolves inside `inside`, and every regular file with more than one hard link has all
 * of them inside `inside` (the content store links files into version folders; a hard link to a file elsewhere,
 * such as /etc/passwd, has a link outside). Returns the offenders.
 */
export function linksLeaving(root: string, inside: string): string[] {
  const offenders: string[] = [];
  const within = (p: string) => p === inside || p.startsWith(inside + path.sep);
  const linked: Array<{ file: string; key: string; nlink: number }> = [];
  const seen = new Map<string, number>();
  const walk = (dir: string, count: boolean) => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names) {
      const full = path.join(dir, name);
      const stat = lstatSync(full);
      if (stat.isSymbolicLink()) {
        if (count) continue;
        let target: string;
        try {
          target = realpathSync(full);
        } catch {
          target = path.resolve(dir, readlinkSync(full)); // dangling: judge by where it points
        }
        if (!within(target)) offenders.push(`${full} -> ${target}`);
      } else if (stat.isFile() && stat.nlink > 1) {
        const key = `${stat.dev}:${stat.ino}`;
        if (count) seen.set(key, (seen.get(key) ?? 0) + 1);
        else linked.push({ file: full, key, nlink: stat.nlink });
      } else if (stat.isDirectory()) {
        walk(full, count);
      }
    }
  };
  walk(root, false);
  walk(inside, true);
  for (const { file, key, nlink } of linked) {
    const found = seen.get(key) ?? 0;
    if (found < nlink) offenders.push(`${file} has ${nlink} hard links, ${nlink - found} outside ${inside}`);
  }
  return offenders;
}
