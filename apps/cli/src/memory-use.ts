/**
 * Memory for `kmos run --stats`: what the process holds beyond guest RAM, at exit. The JS heap holds the
 * CPU's code cache (blocks, regions' wrappers) and the kernel's objects; external buffers other than RAM are
 * the CPU's arch area (registers, TLB) and its decoded-code chunks. Node's own heap (a few MiB) is in it too,
 * so it bounds from above what kmOS adds. After a full collection when Node runs with --expose-gc (the bench
 * does); otherwise garbage not yet collected counts as well. Layer: CLI.
 */
export interface MemoryUse {
  readonly heapBytes: number;
  readonly bufferBytes: number;
  /** True when a collection ran first (so only live objects count). */
  readonly collected: boolean;
}

export function memoryBeyondRam(ramBytes: number): MemoryUse {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const use = process.memoryUsage();
  return { heapBytes: use.heapUsed, bufferBytes: use.external - ramBytes, collected: gc !== undefined };
}

/** The --stats line: `kmos: memory beyond guest RAM N MiB (JS heap H MiB, buffers B MiB[, after a collection])`. */
export function memoryLine(use: MemoryUse): string {
  const mib = (bytes: number) => (bytes / 1048576).toFixed(1);
  const total = use.heapBytes + use.bufferBytes;
  const when = use.collected ? ', after a collection' : '';
  return `kmos: memory beyond guest RAM ${mib(total)} MiB (JS heap ${mib(use.heapBytes)} MiB, buffers ${mib(use.bufferBytes)} MiB${when})\n`;
}
