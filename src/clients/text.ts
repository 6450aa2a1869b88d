import { readFile } from 'node:fs/promises';
import { McpmError } from '../errors.js';
import { readTextIfExists } from '../fs/files.js';

/**
 * A client file's text, read so that writing it back changes no byte outside the entry mcpm edits: bytes that are
 * not UTF-8 are refused (decoding them would replace them with U+FFFD for good), and a UTF-8 byte order mark,
 * which VS Code, Cursor and Zed accept, is taken off for the editors and put back on write.
 */
export interface ClientText {
  /** The text without its byte order mark. */
  text: string;
  bom: boolean;
}

const BOM = '\uFEFF';

export async function readClientText(file: string): Promise<ClientText | undefined> {
  // readTextIfExists first: it turns a missing file, a folder or a permission problem into the usual errors.
  if ((await readTextIfExists(file)) === undefined) return undefined;
  const bytes = await readFile(file);
  const bad = firstInvalidUtf8(bytes);
  if (bad !== -1) {
    throw new McpmError('EPARSE', `${file}: not valid UTF-8 (byte ${bad}: 0x${bytes[bad]!.toString(16).padStart(2, '0')})`, {
      hint: 'mcpm edits UTF-8 files only, so that no other byte changes: save the file as UTF-8, then run the command again. mcpm left it untouched.',
    });
  }
  const text = bytes.toString('utf8');
  return text.startsWith(BOM) ? { text: text.slice(BOM.length), bom: true } : { text, bom: false };
}

/** The text as it goes back to disk, with the byte order mark it was read with. */
export function toDisk(text: string, bom: boolean): string {
  return bom ? BOM + text : text;
}

/** The offset of the first byte that does not belong to a well-formed UTF-8 sequence, or -1. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; ) {
    const lead = bytes[i]!;
    const length = lead < 0x80 ? 1 : lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
    if (length === 0 || i + length > bytes.length) return i;
    for (let k = 1; k < length; k++) if ((bytes[i + k]! & 0xc0) !== 0x80) return i;
    const second = bytes[i + 1]!;
    // Overlong forms, UTF-16 surrogates and code points past U+10FFFF are not UTF-8.
    if ((lead === 0xe0 && second < 0xa0) || (lead === 0xed && second > 0x9f) || (lead === 0xf0 && second < 0x90) || (lead === 0xf4 && second > 0x8f)) return i;
    i += length;
  }
  return -1;
}
