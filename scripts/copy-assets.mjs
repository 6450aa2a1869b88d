// tsc does not copy JSON assets that are read at run time (the embedded index); this does.
import { cpSync } from 'node:fs';

cpSync(new URL('../src/registry/embedded-index.json', import.meta.url), new URL('../dist/registry/embedded-index.json', import.meta.url));
