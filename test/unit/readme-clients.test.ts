// The README's client table is generated from the code's table (npm run docs:clients): this fails when someone
// changes one without the other.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderClientTable, replaceClientTable, TABLE_BEGIN, TABLE_END } from '../../src/clients/doc-table.js';
import { CLIENTS } from '../../src/clients/table.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('README client table', () => {
  it('is exactly what npm run docs:clients writes from src/clients/table.ts', () => {
    const block = readme.slice(readme.indexOf(TABLE_BEGIN) + TABLE_BEGIN.length, readme.indexOf(TABLE_END));
    expect(block.trim(), 'README.md is out of date: run npm run docs:clients').toBe(renderClientTable(CLIENTS));
  });

  it('has one row per client, each naming its source', () => {
    const rows = renderClientTable(CLIENTS).split('\n').slice(2);
    expect(rows).toHaveLength(CLIENTS.length);
    for (const [i, client] of CLIENTS.entries()) {
      expect(rows[i]).toContain(`| \`${client.id}\` |`);
      expect(rows[i]).toContain(`](${client.source}) |`);
    }
  });

  it('rewrites only the block between the markers', () => {
    const text = `intro\n${TABLE_BEGIN}\nold table\n${TABLE_END}\noutro\n`;
    expect(replaceClientTable(text, 'new table')).toBe(`intro\n${TABLE_BEGIN}\nnew table\n${TABLE_END}\noutro\n`);
    expect(() => replaceClientTable('no markers', 'x')).toThrow(/markers/);
  });
});
