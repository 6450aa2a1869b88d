/**
 * The files of a package that nothing runs: source maps (`index.js.map`, `index.d.ts.map`: a debugger's and a stack
 * trace's translation back to the sources) and type declarations (`index.d.ts`: for an editor and the TypeScript
 * compiler). A store version is for running a server, so they are left out by default: they are a third of the
 * bytes of a typical MCP server's tree (the SDK ships both for two module formats), and no `require`, `import` or
 * `__dirname` path of a server reaches them. `mcpm config set dev-files true` keeps them for versions installed
 * afterwards.
 *
 * Type declarations are the content of the packages the TypeScript compiler reads at run time (its own `lib.*.d.ts`,
 * and `@types/*` when a server type-checks code), so those packages keep theirs.
 */
const SOURCE_MAP = /\.(?:[cm]?js|[cm]?ts|[jt]sx|css)\.map$/;
const DECLARATION = /\.d\.[cm]?ts$/;
const DECLARATION_PACKAGES = /^(?:typescript|@typescript\/[^/]+|@types\/[^/]+)$/;

export function isDevFile(packageName: string, rel: string): boolean {
  if (SOURCE_MAP.test(rel)) return true;
  return DECLARATION.test(rel) && !DECLARATION_PACKAGES.test(packageName);
}

/** The setting: dev files are kept only when the user asked (config.json `dev-files: true`). */
export const keepsDevFiles = (settings: { 'dev-files'?: unknown }): boolean => settings['dev-files'] === true;

/** The files of a package that a version folder holds: all of them, or all but its dev files. */
export function filesLaidOut<T>(index: { name: string; files: Record<string, T> }, devFiles: boolean): Array<[string, T]> {
  const all = Object.entries(index.files);
  return devFiles ? all : all.filter(([rel]) => !isDevFile(index.name, rel));
}
