// Shared pieces of the client rows (rows-apps.ts, rows-agents.ts).
import type { FileCandidate, Marker, OsKey } from './table.js';

export const SAFE_KEY = /[A-Za-z0-9_.-]/;
export const NO_DOT_KEY = /[A-Za-z0-9_-]/;
export const DASH_KEY = /[A-Za-z0-9-]/;

/** The same value on every OS. */
export function everywhere<T>(value: T): Record<OsKey, T> {
  return { darwin: value, linux: value, win32: value };
}

/** The same single file on every OS. */
export const sameFile = (file: FileCandidate): Record<OsKey, FileCandidate[]> => everywhere([file]);

/**
 * An Electron app's folder for user data (VS Code and its forks keep `User/` there): `~/Library/Application
 * Support/<app>`, `$XDG_CONFIG_HOME/<app>`, `%APPDATA%\<app>`.
 */
export function appData(app: string): Record<OsKey, string> {
  return {
    darwin: `~/Library/Application Support/${app}`,
    linux: `\${XDG_CONFIG_HOME:-~/.config}/${app}`,
    win32: `\${APPDATA:-~/AppData/Roaming}/${app}`,
  };
}

/** A file under an Electron app's user-data folder, per OS. */
export function inAppData(app: string, rest: string): Record<OsKey, FileCandidate[]> {
  const base = appData(app);
  return { darwin: [`${base.darwin}/${rest}`], linux: [`${base.linux}/${rest}`], win32: [`${base.win32}/${rest}`] };
}

/** Markers that hold on every OS. */
export const detectEverywhere = (...markers: Marker[]): Record<OsKey, Marker[]> => everywhere(markers);

export const reload = (name: string) => `Reload ${name} (or restart it) to load the change.`;
