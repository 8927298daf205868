/**
 * A process's capability sets, as capget reports them and capset narrows them. kmOS grants by ids: a
 * process whose effective uid is 0 holds every capability, others none — what Linux gives root and
 * non-root programs without file capabilities. capset may then drop capabilities; what it sets holds
 * while the effective uid stays what it was (a set*id call starts from the ids again). The kernel's own
 * permission checks still look at the ids, not at these sets.
 * Layer: kernel proc.
 */
import { CAP_LAST_CAP } from '@kmos/abi-linux';
import type { Process } from './process.js';

export interface CapabilitySets {
  readonly effective: bigint;
  readonly permitted: bigint;
  readonly inheritable: bigint;
}

/** Every capability up to CAP_LAST_CAP (also the bounding set). */
export const ALL_CAPABILITIES = (1n << BigInt(CAP_LAST_CAP + 1)) - 1n;

/** Sets capset chose, with the effective uid they were chosen under. */
const chosen = new WeakMap<Process, { euid: number; sets: CapabilitySets }>();

export function capabilitiesOf(p: Process): CapabilitySets {
  const set = chosen.get(p);
  if (set && set.euid === p.creds.euid) return set.sets;
  const all = p.creds.euid === 0 ? ALL_CAPABILITIES : 0n;
  return { effective: all, permitted: all, inheritable: 0n };
}

export function setCapabilities(p: Process, sets: CapabilitySets): void {
  chosen.set(p, { euid: p.creds.euid, sets });
}

/** fork: the child has its parent's sets. */
export function inheritCapabilities(child: Process, parent: Process): void {
  const set = chosen.get(parent);
  if (set) chosen.set(child, set);
}
