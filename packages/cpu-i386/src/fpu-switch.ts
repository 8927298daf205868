/**
 * Moves the FPU's state (x87 and SSE, as an FXSAVE image) in and out of thread contexts lazily: a context
 * switch between threads that did not use the FPU since the last switch costs a 512-byte copy or compare
 * instead of converting eight 80-bit registers each way. Layer: arch plugin (cpu-i386); cpu.ts's
 * saveContext/restoreContext use it.
 *
 * How it works
 * - `snapshot` is the image the live state would save as, when `valid`: after a real save, and after a
 *   restore skipped because the live state already held that image.
 * - Every instruction that may change FPU state sets `CpuCore.fpuTouched` (the interpreter's x87 escape and
 *   SIMD dispatch, FXRSTOR/LDMXCSR, JS regions' x87 code); the kernel's own FPU calls invalidate the snapshot.
 * - Save: untouched with a valid snapshot, the image is the snapshot (copied); else a real save.
 * - Restore: untouched with a valid snapshot equal to the image, nothing to do; else a real restore (its
 *   result may save as slightly other bytes, reserved fields and all, so the snapshot is not trusted until the
 *   next real save).
 */
import type { CpuCore } from './cpu-core.js';
import type { FpuUnit } from './fpu-unit.js';

export const FXSAVE_BYTES = 512;

export class FpuSwitch {
  private readonly snapshot = new Uint8Array(FXSAVE_BYTES);
  private readonly snapshotWords = new Int32Array(this.snapshot.buffer);
  private valid = false;

  constructor(
    private readonly core: CpuCore,
    private readonly unit: FpuUnit,
  ) {}

  /** Writes the live state's FXSAVE image into `into`. */
  save(into: Uint8Array): void {
    const c = this.core;
    if (this.valid && !c.fpuTouched) {
      into.set(this.snapshot);
      return;
    }
    this.unit.saveFxsave(into, 0);
    this.snapshot.set(into.subarray(0, FXSAVE_BYTES));
    this.valid = true;
    c.fpuTouched = false;
  }

  /** Makes the live state the one FXSAVE image `from` describes. */
  restore(from: Uint8Array): void {
    const c = this.core;
    if (this.valid && !c.fpuTouched && this.snapshotEquals(from)) return;
    this.unit.restoreFxsave(from, 0);
    this.valid = false;
    c.fpuTouched = false;
  }

  /** The live state changed behind the instructions' back (the kernel loaded or reset it). */
  invalidate(): void {
    this.valid = false;
  }

  private snapshotEquals(image: Uint8Array): boolean {
    if ((image.byteOffset & 3) !== 0) return false;
    const words = new Int32Array(image.buffer, image.byteOffset, FXSAVE_BYTES / 4);
    const s = this.snapshotWords;
    for (let i = 0; i < s.length; i++) if (words[i] !== s[i]) return false;
    return true;
  }
}
