/**
 * The code cache: per physical frame, a map from page offset to the `Block` that starts there. A block is
 * decoded (decoded-block.ts) the first time its code runs, and becomes an entry of a compiled region
 * (block-compiler.ts) once it, or a block whose region reaches it, ran often enough. Layer: arch plugin
 * (cpu-i386); used by the run loop in cpu.ts.
 *
 * How it works
 * - A block counts its own runs (`count`), which is also what the region compiler asks to choose the code
 *   that joins a region; code never run has no block and counts 0.
 * - Blocks are filed by physical frame (so two processes sharing a frame share its blocks) and, within it,
 *   by the linear EIP they were decoded for, because decoded and compiled code have linear addresses baked
 *   in: a frame mapped at two addresses (a library loaded at another base in another process) has blocks
 *   for each, side by side.
 * - A frame holding a block is a "code frame" (`Mmu.codeFrames`): the MMU keeps it out of the write TLB, so
 *   every store to it reaches `onCodeWrite`, which drops all of that frame's blocks and sets `smcPending` so
 *   a running block stops after that store. `invalidateCode` (kernel writes) drops frames the same way.
 *   Self-modifying code therefore costs nothing until it happens.
 */
import type { CpuCore } from './cpu-core.js';
import {
  H_INSNS,
  H_LIN,
  H_LINK0,
  H_LINK0_EIP,
  H_LINK1,
  H_LINK1_EIP,
  H_OPEN,
  H_PAGE,
  H_RUNS,
} from './decoded-code.js';
import type { Mmu } from './mmu.js';

/**
 * A compiled region: `left` is the budget it may use, `entry` the label to start at (a block's
 * `entryLabel`); it returns an exit and sets `c.blockRetired`.
 */
export type BlockFn = (
  c: CpuCore,
  r: Int32Array,
  m: Mmu,
  s: Int32Array,
  left: number,
  entry: number,
) => number;
/** What a compiled block returns when an exception unwound to its catch; the exception is in `c.caught`. */
export const TRACE_CAUGHT = -4;

const NO_EIPS = new Int32Array(0);
const RECENT_SLOTS = 4096;
const RECENT_MASK = RECENT_SLOTS - 1;

export class Block {
  /**
   * The decoded instructions, packed (decoded-code.ts): `insnCount` of them from word `codeAt` of `code`
   * (none when the first one crosses the page end: the interpreter runs it).
   */
  code: Int32Array = NO_EIPS;
  codeAt = 0;
  insnCount = 0;
  /** How many of them the decoded tier runs through the interpreter's `step` (decoded-block.ts `stepped`). */
  stepped = 0;
  /**
   * The header of the block's words when they are in the arch area's arena (decoded-code.ts HEADER_*): the
   * words themselves, and where the header starts. Null when they are in a JS chunk.
   */
  header: Int32Array | null = null;
  headerAt = 0;
  private runs = 0;
  /** The compiled region this block is an entry of, once there is one (shared by its entries). */
  fn: BlockFn | null = null;
  /** The region's label for this block's first instruction. */
  entryLabel = 0;
  /** Instructions in the compiled region. */
  length = 0;
  /** Most instructions one call of the compiled region may run (CompiledRegion.callInsns). */
  callInsns = 0;
  /** The compiled region's slot in the WebAssembly region chain (CompiledRegion.chainIndex), or -1. */
  chainIndex = -1;
  /** EIP of each compiled instruction, so the run loop can tell which one faulted. */
  insnEips: Int32Array = NO_EIPS;
  /**
   * For each compiled instruction: how many instructions of its segment (see block-compiler.ts) ran
   * before it.
   */
  insnRetiredBefore: Int32Array = NO_EIPS;
  /** False once its frame was written: a stale block must not be entered through a link. */
  valid = true;
  /**
   * Decoded where a run resumed inside a block (a time slice ended there, or an instruction there faulted and
   * is restarted), and not reached by a jump or a fall-through since. Such a block is no region entry: its
   * runs never compile a region, and a region compiled over it gives it no label. A slice ends after a count
   * of instructions, so anywhere in a loop; a label there splits the loop's straight-line code in its region
   * (the x87 stack and the flags a region keeps in locals are stored and reloaded at each label), and cpu-x87
   * ran at half speed when one fell between two x87 instructions of its loop.
   */
  midway = false;
  /**
   * Links to the blocks that ran after this one, for two exit EIPs (a branch's two ways). A link is taken only
   * while the TLB maps its EIP to the frame the linked block was decoded from, so it skips the map lookup
   * across context switches and TLB flushes too (a process's blocks link again once its pages are in the TLB).
   */
  link0: Block | null = null;
  link0Eip = 0;
  link1: Block | null = null;
  link1Eip = 0;
  /**
   * `lin`: the EIP the block was decoded for; `page`: the physical page it was decoded from (the TLB's value
   * for `lin`'s page then).
   */
  constructor(
    readonly lin: number,
    readonly page: number,
  ) {}

  /**
   * Runs of the decoded block; the run loop compiles a region when it reaches the JIT threshold. In the
   * header for a block in the arena, where the WebAssembly runner counts the runs it goes on into.
   */
  get count(): number {
    const h = this.header;
    return h === null ? this.runs : (h[this.headerAt + H_RUNS] as number);
  }

  set count(runs: number) {
    const h = this.header;
    if (h === null) this.runs = runs;
    else h[this.headerAt + H_RUNS] = runs;
  }

  /** Puts the block's header at word `at` of `words` (the arena), open for the WebAssembly runner. */
  fileHeader(words: Int32Array, at: number): void {
    this.header = words;
    this.headerAt = at;
    words[at + H_INSNS] = this.insnCount;
    words[at + H_RUNS] = this.runs;
    words[at + H_PAGE] = this.page;
    words[at + H_OPEN] = 1;
    words[at + H_LINK0] = -1;
    words[at + H_LINK1] = -1;
    words[at + H_LIN] = this.lin;
  }

  /**
   * The block may no longer be entered from a link (its frame was written: `valid` false) or should be
   * entered as a compiled region: the WebAssembly runner stops before it.
   */
  close(): void {
    if (this.header !== null) this.header[this.headerAt + H_OPEN] = 0;
  }

  /**
   * The block was dropped and its room in the arena released: it lets go of its words, which another block
   * may get (a dropped block is never run; were it, with no instructions the interpreter would run it).
   */
  detach(): void {
    this.close();
    this.header = null;
    this.code = NO_EIPS;
    this.codeAt = 0;
    this.insnCount = 0;
  }

  /** The linked successor for `eip`, when the TLB (`tlbRead`) still maps `eip` to its frame; or null. */
  linked(eip: number, tlbRead: Int32Array): Block | null {
    const next = this.link0Eip === eip ? this.link0 : this.link1Eip === eip ? this.link1 : null;
    return next?.valid && tlbRead[eip >>> 12] === next.page ? next : null;
  }

  /** Links `next` for `eip`, in the way that has `eip` already, or a free or stale one, else the second. */
  link(eip: number, next: Block): void {
    if (this.link0 === null || this.link0Eip === eip || !this.link0.valid) {
      this.link0 = next;
      this.link0Eip = eip;
      this.mirrorLink(H_LINK0_EIP, H_LINK0, eip, next);
    } else {
      this.link1 = next;
      this.link1Eip = eip;
      this.mirrorLink(H_LINK1_EIP, H_LINK1, eip, next);
    }
  }

  /** Copies a link into the header, for the WebAssembly runner: none unless both blocks are in the arena. */
  private mirrorLink(eipWord: number, targetWord: number, eip: number, next: Block): void {
    const h = this.header;
    if (h === null) return;
    h[this.headerAt + eipWord] = eip;
    h[this.headerAt + targetWord] = next.header === h ? next.headerAt : -1;
  }
}

export class CodeCache {
  /** Per frame, its blocks by linear EIP. */
  private readonly frames: (Map<number, Block> | undefined)[];
  /** A direct-mapped cache of lookups in front of the frame maps (a block entered after a syscall, mostly). */
  private readonly recent: (Block | null)[] = new Array(RECENT_SLOTS).fill(null);
  private readonly recentPhys = new Int32Array(RECENT_SLOTS).fill(-1);
  compiledBlocks = 0;
  decodedBlocks = 0;
  invalidations = 0;
  /** Told when a frame's blocks are dropped, with the page offsets they started at. */
  onFrameDropped: ((frame: number, offsets: Iterable<number>) => void) | null = null;
  /** Told of each block dropped, so its decoded words can be reused. */
  onBlockDropped: ((b: Block) => void) | null = null;
  /** Frames whose compiled code holds code of a frame (key) besides their own: dropped with it. */
  private readonly dependents = new Map<number, Set<number>>();

  constructor(
    private readonly mmu: Mmu,
    private readonly core: CpuCore,
  ) {
    this.frames = new Array(mmu.codeFrames.length);
    mmu.onCodeWrite = (phys) => this.codeWritten(phys);
  }

  /** The block for EIP `lin` at physical address `phys`, or null. */
  lookup(phys: number, lin: number): Block | null {
    const slot = (phys ^ (phys >>> 12)) & RECENT_MASK;
    const recent = this.recent[slot];
    if (recent !== null && this.recentPhys[slot] === phys && recent.lin === lin && recent.valid)
      return recent;
    const b = this.frames[phys >>> 12]?.get(lin);
    if (b === undefined) return null;
    this.recent[slot] = b;
    this.recentPhys[slot] = phys;
    return b;
  }

  /** How often the code at `phys` ran (a compiled entry counts as `compiledCount`; code never run, 0). */
  executions(phys: number, lin: number, compiledCount: number): number {
    const b = this.lookup(phys, lin);
    if (b === null) return 0;
    return b.fn !== null ? compiledCount : b.count;
  }

  /** Files `b` (decoded from the frame of `phys`); from now on stores to the frame are watched. */
  install(phys: number, b: Block): void {
    const frame = phys >>> 12;
    let blocks = this.frames[frame];
    if (blocks === undefined) {
      blocks = new Map();
      this.frames[frame] = blocks;
    }
    // A block filed again for the same EIP replaces the one before, which must not be entered any more.
    const replaced = blocks.get(b.lin);
    if (replaced !== undefined && replaced !== b) this.drop(replaced);
    blocks.set(b.lin, b);
    this.decodedBlocks++;
    if (this.mmu.codeFrames[frame] === 0) {
      this.mmu.codeFrames[frame] = 1;
      this.mmu.protectCodeFrame(frame);
    }
  }

  /** Frame `dependent`'s compiled code holds code of `frame` too: dropping `frame` drops `dependent`'s blocks. */
  addDependent(frame: number, dependent: number): void {
    let set = this.dependents.get(frame);
    if (set === undefined) {
      set = new Set();
      this.dependents.set(frame, set);
    }
    set.add(dependent);
  }

  invalidateRange(phys: number, sizeBytes: number): void {
    if (sizeBytes <= 0) return;
    const last = Math.min(phys + sizeBytes - 1, this.mmu.codeFrames.length * 4096 - 1);
    for (let frame = phys >>> 12; frame <= last >>> 12; frame++) this.invalidateFrame(frame);
  }

  private invalidateFrame(frame: number): void {
    const blocks = this.frames[frame];
    if (blocks === undefined && this.mmu.codeFrames[frame] === 0) return;
    if (blocks !== undefined) {
      for (const b of blocks.values()) this.drop(b);
      this.onFrameDropped?.(
        frame,
        Array.from(blocks.keys(), (lin) => lin & 0xfff),
      );
    }
    this.frames[frame] = undefined;
    this.mmu.codeFrames[frame] = 0;
    this.invalidations++;
    const dependents = this.dependents.get(frame);
    if (dependents === undefined) return;
    this.dependents.delete(frame);
    for (const dependent of dependents) this.invalidateFrame(dependent);
  }

  /** Drops one block: no link may enter it again, and its decoded words go (onBlockDropped). */
  private drop(b: Block): void {
    b.valid = false;
    b.close();
    this.onBlockDropped?.(b);
  }

  private codeWritten(phys: number): void {
    this.invalidateFrame(phys >>> 12);
    this.core.smcPending = true;
  }
}
