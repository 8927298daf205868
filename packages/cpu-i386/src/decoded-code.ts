/**
 * Where decoded instructions live: packed into seven int32 words each, in large shared chunks, so a block's
 * instructions sit side by side in 28 bytes apiece. Layer: arch plugin (cpu-i386); decoded-block.ts packs
 * what it decodes here and runs it from here; a Block (code-cache.ts) names its chunk and first word.
 *
 * Why: a record object per instruction took 192 bytes (21 fields of 8 bytes and a header, apart from its
 * neighbours on the heap). A program with a lot of code (python's start-up decodes 35,000 blocks) then reads
 * some 40 MB of records, each instruction a miss all the way to RAM, and the collector traces every one of
 * them. Packed, the same code takes a seventh of that, read in order, and chunks are few objects.
 *
 * Layout of an instruction's words (`at` its first):
 * - OPS: fast kind (bits 0-4), fastStore (5), plain (6), endsBlock (7), reg (8-10), rm (11-13), sub
 *   (14-17), seg (18-20), scale (21-22), base + 1 (23-26), index + 1 (27-30);
 * - FORM: kind (0-7), access (8-9), stack (10-11), ModR/M (12-19), width code (20-21: 32, 8 or 16 bits),
 *   length in bytes (22-25);
 * - IMM, DISP, TARGET, NEXT: as the DecodedInsn fields of those names (EIP is NEXT less the length: the
 *   inline paths want the address after an instruction, only records the one of its start);
 * - SPEC: the WebAssembly runner's own path for the instruction and the registers it names (decoded-spec.ts).
 *
 * Chunks are never compacted: a block dropped by a store to its frame leaves its words unused, and a chunk
 * is freed by the collector once no block names it. Self-modifying code is rare enough for that.
 */
import { ALU_CMP } from './alu.js';
import type { DecodedInsn } from './decoded-block.js';
import { Spec, specWord } from './decoded-spec.js';

export const WORDS_PER_INSN = 7;
export const W_OPS = 0;
export const W_FORM = 1;
export const W_IMM = 2;
export const W_DISP = 3;
export const W_TARGET = 4;
export const W_NEXT = 5;
export const W_SPEC = 6;

/** Bit positions in the OPS word that the inline paths read directly. */
export const OPS_FAST_MASK = 0x1f;
export const OPS_FAST_STORE = 1 << 5;
export const OPS_PLAIN = 1 << 6;
export const OPS_ENDS_BLOCK = 1 << 7;
export const OPS_REG_SHIFT = 8;
export const OPS_RM_SHIFT = 11;
export const OPS_SUB_SHIFT = 14;
export const OPS_SEG_SHIFT = 18;
export const OPS_SCALE_SHIFT = 21;
export const OPS_BASE_SHIFT = 23;
export const OPS_INDEX_SHIFT = 27;
export const FORM_WIDTH_SHIFT = 20;
export const FORM_LENGTH_SHIFT = 22;

/** Width codes of the FORM word: the operand width mask `m` of DecodedInsn, by code. */
const WIDTH_MASKS = [-1, 0xff, 0xffff];
export const WIDTH_CODE_8 = 1;

/** Words per chunk: room for about 2,700 instructions (a block has at most 48). */
const CHUNK_WORDS = 1 << 14;

/** Where a block's packed instructions went. */
export interface CodeSpan {
  readonly words: Int32Array;
  readonly at: number;
}

/**
 * In the arena, a block's instructions follow a header of HEADER_WORDS words, which the WebAssembly runner
 * (wasm/decoded-runner.ts) reads to go on from block to block: the instruction count, the runs (the Block's
 * `count`), the physical page it was decoded from, whether it may be entered there (1: valid and not the
 * entry of a compiled region), its two links as Block keeps them (EIP, then the target's header as a
 * word index, -1 for none), and the EIP it was decoded for. The runner follows a link only to an open
 * header for that EIP on the page the TLB maps: the room of dropped blocks is reused (DecodedCodeStore), so
 * a link may outlive its target, and its word index may now hold another block's header.
 */
export const HEADER_WORDS = 9;
export const H_INSNS = 0;
export const H_RUNS = 1;
export const H_PAGE = 2;
export const H_OPEN = 3;
export const H_LINK0_EIP = 4;
export const H_LINK0 = 5;
export const H_LINK1_EIP = 6;
export const H_LINK1 = 7;
export const H_LIN = 8;

/**
 * Hands out room for packed instructions: from `arena` (the arch area's words, which the WebAssembly runner
 * reads; each block with a header before it) while it has room, then from the current JS chunk, starting a
 * new chunk when it is full.
 *
 * The room of a block dropped from the arena (`release`) goes to a later block that fits in it, the smallest
 * such room first; it is never split, so a header only ever lands where a header was, never inside another
 * block's instructions, and a stale link into the arena finds a closed header or a header it checks (see
 * HEADER_WORDS). Without reuse a long session filled the arena (a shell running a few dozen programs) and
 * every block decoded after that ran in the JS runner.
 */
export class DecodedCodeStore {
  private chunk = new Int32Array(CHUNK_WORDS);
  private top = 0;
  private arenaTop = 0;
  /** Released arena headers by the instructions their room holds. */
  private readonly released: number[][] = [];
  /** The instructions the room behind each reused header holds (its first block's count). */
  private readonly roomOf = new Map<number, number>();

  constructor(private readonly arena: Int32Array | null = null) {}

  /** Room for `insns` instructions. */
  reserve(insns: number): CodeSpan {
    const words = insns * WORDS_PER_INSN;
    const arena = this.arena;
    if (arena !== null) {
      for (let room = insns; room < this.released.length; room++) {
        const header = this.released[room]?.pop();
        if (header === undefined) continue;
        this.roomOf.set(header, room);
        return { words: arena, at: header + HEADER_WORDS };
      }
    }
    if (arena !== null && this.arenaTop + HEADER_WORDS + words <= arena.length) {
      const span = { words: arena, at: this.arenaTop + HEADER_WORDS };
      this.arenaTop += HEADER_WORDS + words;
      return span;
    }
    if (this.top + words > this.chunk.length) {
      this.chunk = new Int32Array(Math.max(CHUNK_WORDS, words));
      this.top = 0;
    }
    const span = { words: this.chunk, at: this.top };
    this.top += words;
    return span;
  }

  /** The block of `insns` instructions whose header is at arena word `headerAt` was dropped. */
  release(headerAt: number, insns: number): void {
    const room = this.roomOf.get(headerAt) ?? insns;
    let list = this.released[room];
    if (list === undefined) {
      list = [];
      this.released[room] = list;
    }
    list.push(headerAt);
  }
}

/** Packs decoded instruction `d` into `words` from `at`. */
export function packInsn(d: DecodedInsn, words: Int32Array, at: number): void {
  words[at + W_OPS] =
    d.fast |
    (d.fastStore ? OPS_FAST_STORE : 0) |
    (d.plain ? OPS_PLAIN : 0) |
    (d.endsBlock ? OPS_ENDS_BLOCK : 0) |
    (d.reg << OPS_REG_SHIFT) |
    (d.rm << OPS_RM_SHIFT) |
    (d.sub << OPS_SUB_SHIFT) |
    (d.seg << OPS_SEG_SHIFT) |
    (d.scale << OPS_SCALE_SHIFT) |
    ((d.base + 1) << OPS_BASE_SHIFT) |
    ((d.index + 1) << OPS_INDEX_SHIFT);
  words[at + W_FORM] =
    d.kind |
    (d.access << 8) |
    (d.stack << 10) |
    (d.modrm << 12) |
    (WIDTH_MASKS.indexOf(d.m) << FORM_WIDTH_SHIFT) |
    ((d.next - d.eip) << FORM_LENGTH_SHIFT);
  words[at + W_IMM] = d.imm;
  words[at + W_DISP] = d.disp;
  words[at + W_TARGET] = d.target;
  words[at + W_NEXT] = d.next;
  words[at + W_SPEC] = specWord(d);
}

/**
 * Fuses each compare of the `count` instructions packed in `words` from `at` with a Jcc after it: the
 * compare's SPEC id becomes its *_JCC form for the Jcc's condition (the Jcc's words stay, for every other
 * runner and for the fused path to read its target).
 */
export function fuseCompareBranches(words: Int32Array, at: number, count: number): void {
  for (let i = 0; i + 1 < count; i++) {
    const p = at + i * WORDS_PER_INSN;
    const branch = words[p + WORDS_PER_INSN + W_SPEC] as number;
    const cc = (branch & 0xff) - Spec.JCC;
    if (cc < 0 || cc >= 16) continue;
    const spec = (words[p + W_SPEC] as number) & 0xff;
    const fused =
      spec === Spec.ALU_R32_R32 + ALU_CMP
        ? Spec.CMP_R32_R32_JCC
        : spec === Spec.ALU_R32_IMM + ALU_CMP
          ? Spec.CMP_R32_IMM_JCC
          : spec === Spec.TEST_R32_R32
            ? Spec.TEST_R32_R32_JCC
            : Spec.NONE;
    if (fused !== Spec.NONE) words[p + W_SPEC] = ((words[p + W_SPEC] as number) & ~0xff) | (fused + cc);
  }
}

/** Fills `d` with the instruction packed at `at` (the record the handlers take). */
export function unpackInsn(words: Int32Array, at: number, d: DecodedInsn): DecodedInsn {
  const ops = words[at + W_OPS];
  const form = words[at + W_FORM];
  d.fast = ops & OPS_FAST_MASK;
  d.fastStore = (ops & OPS_FAST_STORE) !== 0;
  d.plain = (ops & OPS_PLAIN) !== 0;
  d.endsBlock = (ops & OPS_ENDS_BLOCK) !== 0;
  d.reg = (ops >>> OPS_REG_SHIFT) & 7;
  d.rm = (ops >>> OPS_RM_SHIFT) & 7;
  d.sub = (ops >>> OPS_SUB_SHIFT) & 0xf;
  d.seg = (ops >>> OPS_SEG_SHIFT) & 7;
  d.scale = (ops >>> OPS_SCALE_SHIFT) & 3;
  d.base = ((ops >>> OPS_BASE_SHIFT) & 0xf) - 1;
  d.index = ((ops >>> OPS_INDEX_SHIFT) & 0xf) - 1;
  d.kind = form & 0xff;
  d.access = ((form >>> 8) & 3) as DecodedInsn['access'];
  d.stack = ((form >>> 10) & 3) as DecodedInsn['stack'];
  d.modrm = (form >>> 12) & 0xff;
  d.m = WIDTH_MASKS[(form >>> FORM_WIDTH_SHIFT) & 3];
  d.imm = words[at + W_IMM];
  d.disp = words[at + W_DISP];
  d.target = words[at + W_TARGET];
  d.next = words[at + W_NEXT];
  d.eip = (d.next - ((form >>> FORM_LENGTH_SHIFT) & 0xf)) | 0;
  return d;
}

/** Whether every field of `d` fits its bits (packInsn would lose nothing). */
export function packable(d: DecodedInsn): boolean {
  const length = d.next - d.eip;
  return (
    fits(d.reg, 7) &&
    fits(d.rm, 7) &&
    fits(d.seg, 7) &&
    fits(d.scale, 3) &&
    fits(d.base + 1, 8) &&
    fits(d.index + 1, 8) &&
    fits(d.modrm, 0xff) &&
    fits(d.fast, OPS_FAST_MASK) &&
    fits(d.sub, 0xf) &&
    fits(d.kind, 0xff) &&
    WIDTH_MASKS.includes(d.m) &&
    length >= 1 &&
    length <= 15
  );
}

function fits(v: number, max: number): boolean {
  return v >= 0 && v <= max;
}
