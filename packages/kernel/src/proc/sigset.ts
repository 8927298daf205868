/**
 * 64-bit signal sets kept as two 32-bit words (bit n-1 of the pair is signal n), as the kernel's sigset_t
 * is laid out on i386. Plain functions over (lo, hi) pairs, so hot paths allocate nothing. Layer: kernel proc.
 */

export function sigBit(signo: number): number {
  return 1 << ((signo - 1) & 31);
}

export function inSet(lo: number, hi: number, signo: number): boolean {
  return ((signo <= 32 ? lo : hi) & sigBit(signo)) !== 0;
}

/** The lowest signal in `lo/hi` and not in `blockedLo/blockedHi`, or 0. Lower numbers are delivered first. */
export function firstDeliverable(lo: number, hi: number, blockedLo: number, blockedHi: number): number {
  const l = lo & ~blockedLo;
  if (l !== 0) return 32 - Math.clz32(l & -l);
  const h = hi & ~blockedHi;
  if (h !== 0) return 64 - Math.clz32(h & -h);
  return 0;
}

/** SIGKILL and SIGSTOP can be neither blocked nor caught. */
export const UNBLOCKABLE_LO = sigBit(9) | sigBit(19);
