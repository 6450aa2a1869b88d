// The store and npm's cache find a tarball by its integrity alone; the package.json inside must be the package the
// tree wants, or a lock could label one genuine tarball (another package, an older version) as another.
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { unpackTarball } from '../../src/store/unpack.js';
import { packFixture } from '../helpers/pack.js';
import { cleanupTmpDirs, makeTmpDir } from '../helpers/tmp.js';
import { FIXTURES } from '../helpers/world.js';

afterAll(cleanupTmpDirs);

describe('unpacking a tarball into the store', () => {
  it('indexes a tarball whose package.json is the package wanted (a loose version like v1.0.0 included)', async () => {
    const packed = await packFixture(path.join(FIXTURES, 'posts-format'), { version: 'v1.0.0' });
    const index = await unpackTarball(await makeTmpDir('mcpm-unpack-'), packed.tarball, { name: 'posts-format', version: '1.0.0', integrity: packed.integrity });
    expect(index).toMatchObject({ name: 'posts-format', version: '1.0.0', files: { 'package.json': expect.any(Object) } });
  });

  it('refuses a tarball that is another package, or another version of the same one (EINTEGRITY)', async () => {
    const packed = await packFixture(path.join(FIXTURES, 'posts-format'));
    const store = await makeTmpDir('mcpm-unpack-');
    for (const wanted of [{ name: 'github-posts', version: '1.0.0' }, { name: 'posts-format', version: '2.0.0' }]) {
      await expect(unpackTarball(store, packed.tarball, { ...wanted, integrity: packed.integrity })).rejects.toMatchObject({
        code: 'EINTEGRITY',
        message: `The tarball given for ${wanted.name}@${wanted.version} is posts-format@1.0.0: the lock gives it another package's integrity`,
      });
    }
  });
});
