import { assertWritable, backupOnce, linkTarget, removeFile, withFileLock, writeFileAtomicSafe } from '../fs/files.js';
import { isEmptyShell, missingFolders, removeFolders } from './leftovers.js';
import { readClientText, toDisk } from './text.js';
import type { EditRecord } from './format-editor.js';
import { failpoint } from '../failpoints.js';
import { editorFor, skeletonText } from './editor.js';
import type { ClientLocation } from './locate.js';

/** What a write changed, so a later failure in the same command can put the file back. */
export interface AppliedWrite {
  file: string;
  before: string | undefined;
  after: string;
  record: EditRecord;
  /** The key already held a value (mcpm's own, replaced in place): `record` then says nothing about the insertion. */
  replaced: boolean;
  /** This write created the file, and these folders for it (outermost first). */
  created?: { dirs: string[] };
}

/**
 * Reads a client file and checks that mcpm can edit it (it parses and, unless only reading, is writable); returns
 * its text (undefined: no file yet).
 */
export async function readClientFile(location: ClientLocation, purpose: 'edit' | 'read' = 'edit'): Promise<string | undefined> {
  const read = await readClientText(location.file);
  if (read !== undefined) editorFor(location.client.format).check(location.file, read.text, location.client.serversPath);
  if (read !== undefined && purpose === 'edit') await assertWritable(location.file);
  return read?.text;
}

/**
 * Sets mcpm's entry in a client file under the file's lock, re-reading it inside the lock so an edit made by
 * another program or mcpm in the meantime is kept. `mayReplace` decides whether an existing value under the key is
 * mcpm's own to replace. `beforeWrite` runs inside the lock once the edit is known, before the file changes (the
 * install journals the insertion's record there, so a kill right after the write cannot lose it).
 */
export async function writeClientEntry(
  location: ClientLocation,
  key: string,
  /** The value, or how to make it from the one in the file now (read under the lock): see plan/merge-entry.ts. */
  entry: unknown | ((existing: unknown) => unknown),
  mayReplace: (existing: unknown) => boolean,
  onConflict: () => Error,
  beforeWrite?: (edit: { record: EditRecord; replaced: boolean }) => Promise<void>,
  /** mcpm created this file: its content is mcpm's alone, so no backup of it is kept. */
  ownFile = false,
): Promise<AppliedWrite> {
  const { file } = location;
  const { format, serversPath } = location.client;
  const editor = editorFor(format);
  // Before the lock: taking it creates the file's folder.
  const missing = missingFolders(await linkTarget(file));
  return withFileLock(file, async () => {
    const read = await readClientText(file);
    const before = read === undefined ? undefined : toDisk(read.text, read.bom);
    if (before !== undefined) await assertWritable(file);
    const skeleton = before === undefined && location.client.skeleton ? skeletonText(format, location.client.skeleton) : undefined;
    const text = read?.text ?? skeleton ?? '';
    editor.check(file, text, serversPath);
    const existing = editor.get(file, text, serversPath, key);
    if (existing !== undefined && !mayReplace(existing)) throw onConflict();
    const value = typeof entry === 'function' ? (entry as (existing: unknown) => unknown)(existing) : entry;
    const edit = editor.set(file, text, serversPath, key, value);
    const after = toDisk(edit.text, Boolean(read?.bom));
    // A file that had to start from a skeleton is deleted again when only the skeleton is left.
    const record = skeleton !== undefined ? { ...edit.record, skeleton } : edit.record;
    await beforeWrite?.({ record, replaced: existing !== undefined });
    if (before !== undefined && !ownFile) await backupOnce(file);
    const created = before === undefined ? { dirs: missing } : undefined;
    failpoint('config-write-locked', location.client.id);
    await writeFileAtomicSafe(file, after);
    return { file, before, after, record, replaced: existing !== undefined, ...(created ? { created } : {}) };
  });
}

/**
 * Removes mcpm's entry. When mcpm created the file (`created`, or an insertion record that says so) and nothing of
 * anyone's is left in it, the file goes too, with the folders mcpm made for it. `fileRemoved` says so.
 */
export async function removeClientEntry(location: ClientLocation, key: string, record: EditRecord | undefined, created?: { dirs: string[] }): Promise<{ removed: boolean; fileRemoved: boolean }> {
  const { file } = location;
  const { format, serversPath } = location.client;
  const editor = editorFor(format);
  const outcome = await withFileLock(file, async () => {
    const read = await readClientText(file);
    if (read === undefined) return { removed: false, fileRemoved: false };
    await assertWritable(file);
    const before = read.text;
    if (editor.get(file, before, serversPath, key) === undefined) return { removed: false, fileRemoved: false };
    const after = editor.remove(file, before, serversPath, key, record);
    const empty = after === null || (typeof record?.skeleton === 'string' && after === record.skeleton) || (created !== undefined && isEmptyShell(editor, file, after ?? '', location.client));
    if (empty) {
      await removeFile(file);
      return { removed: true, fileRemoved: true };
    }
    if (after !== undefined && after !== before) await writeFileAtomicSafe(file, toDisk(after, read.bom));
    return { removed: true, fileRemoved: false };
  });
  // After the lock is released: its `<file>.lock` folder stands in the file's folder until then.
  if (outcome.fileRemoved) await removeFolders(created?.dirs ?? []);
  return outcome;
}

/** Puts a file back as it was before `applied`, if nobody changed it since (then it is left and reported). */
export async function undoWrite(applied: AppliedWrite): Promise<boolean> {
  const undone = await withFileLock(applied.file, async () => {
    const read = await readClientText(applied.file).catch(() => undefined);
    const now = read === undefined ? undefined : toDisk(read.text, read.bom);
    if (now !== applied.after) return false;
    if (applied.before === undefined) await removeFile(applied.file);
    else await writeFileAtomicSafe(applied.file, applied.before);
    return true;
  });
  if (undone && applied.before === undefined) await removeFolders(applied.created?.dirs ?? []);
  return undone;
}
