import type { Pins } from './surface.js';

/** What the state keeps about one server's surface (InstalledServer.trust). Optional fields: older states lack them. */
export interface TrustRecord {
  /** The surface the user approved: at install, or by `mcpm trust accept`. */
  pins?: Pins;
  /** Why there are no pins yet (no handshake could happen): the next `check` or `mcpm run --guard` pins. */
  unpinned?: { note: string; at: string };
  /** The last drift a check or guarded run saw (cleared when the surface matches again or is accepted). */
  drift?: { detectedAt: string; summary: string; live: Pins };
}
