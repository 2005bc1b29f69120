/**
 * What the local runtime can do to a system, from what the system says it needs (SystemNeeds):
 * which clock mechanism reaches its nodes, and the one-line refusals asked before anything starts.
 */
import type { SystemNeeds } from '../../api/runtime.ts';
import { libfaketimePath, type ClockMechanism } from './clock.ts';

/** the user's preference: 'auto' takes libfaketime where it reaches the system, else the offset file */
export type ClockPreference = 'auto' | 'libfaketime' | 'offset-file';

/** the clock mechanism for a system with these needs, or 'none' when neither reaches its clock */
export function clockMechanismFor(needs: SystemNeeds, pref: ClockPreference, lib: string | null = libfaketimePath()): ClockMechanism {
  const faketime = needs.libfaketime && !!lib && pref !== 'offset-file';
  const file = needs.clockOffsetFile && pref !== 'libfaketime';
  return faketime ? 'libfaketime' : file ? 'offset-file' : 'none';
}

/** why a clock fault cannot reach such a system here (the end of the sentence), or null */
export function clockGap(needs: SystemNeeds, pref: ClockPreference, lib: string | null = libfaketimePath()): string | null {
  if (clockMechanismFor(needs, pref, lib) !== 'none') return null;
  const why = !needs.libfaketime ? 'libfaketime does not reach its clock'
    : !lib ? 'libfaketime is not installed (apt-get install libfaketime)'
    : 'libfaketime was turned off for this runtime';
  return `${why}, and it reads no clock offset file`;
}

/** one line per fault kind the local runtime cannot inject into a system with these needs */
export function cannotServeLocally(needs: SystemNeeds, faultKinds: readonly string[], pref: ClockPreference, lib: string | null = libfaketimePath()): string[] {
  const out: string[] = [];
  if (!needs.dialsGivenPeerAddresses) {
    for (const kind of ['partition', 'link'].filter((k) => faultKinds.includes(k))) {
      out.push(`${kind} faults cannot reach this system on the local runtime: it announces its own address, so per-link proxies cannot cut it; use --runtime netns or docker`);
    }
  }
  if (faultKinds.includes('partition:one-way') && needs.dialsGivenPeerAddresses) {
    out.push('one-way partitions cannot be cut on the local runtime: a per-link proxy carries both directions of a connection, so it can only cut both; use --runtime netns or docker');
  }
  const gap = faultKinds.includes('clock') ? clockGap(needs, pref, lib) : null;
  if (gap) out.push(`clock faults cannot reach this system on the local runtime: ${gap}`);
  return out;
}
