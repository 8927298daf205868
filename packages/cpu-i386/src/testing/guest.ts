/**
 * Test support (not part of the plugin's API): a small guest machine for unit tests — RAM, real i386 page
 * tables built in it, and an I386Cpu over them — plus a GNU `as` wrapper that assembles Intel-syntax
 * snippets into flat code, cached in os.tmpdir() by content hash. Layer: tests of the arch plugin.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Logger, type PhysAddr, type PhysicalMemory, Reg } from '@kmos/abi-driver';
import { PTE_P, PTE_RW, PTE_US } from '../constants.js';
import { type CompileBudget, I386Cpu, NO_COMPILE_BUDGET, type RegionCompiler } from '../cpu.js';
import { createX87 } from '../fpu-factory.js';
import { ARCH_STATE_BYTES } from '../wasm/arch-state.js';

export const USER_RW = PTE_P | PTE_RW | PTE_US;
export const USER_RO = PTE_P | PTE_US;

export const silentLog: Logger = {
  debugEnabled: false,
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
};

/**
 * `sizeBytes` of RAM (a multiple of 64 KiB), in a WebAssembly memory with the CPU's area after it when
 * `wasm` is set, as the kernel lays it out (see PhysicalMemory.wasm), else in a plain ArrayBuffer.
 */
export function createMemory(sizeBytes: number, wasm = false): PhysicalMemory {
  const pages = Math.ceil((sizeBytes + ARCH_STATE_BYTES) / 65536);
  const memory = wasm
    ? new (globalThis as unknown as WasmGlobal).WebAssembly.Memory({ initial: pages, maximum: pages })
    : null;
  const buffer = memory === null ? new ArrayBuffer(sizeBytes) : memory.buffer;
  return {
    sizeBytes,
    buffer,
    u8: new Uint8Array(buffer, 0, sizeBytes),
    u16: new Uint16Array(buffer, 0, sizeBytes >>> 1),
    u32: new Uint32Array(buffer, 0, sizeBytes >>> 2),
    i32: new Int32Array(buffer, 0, sizeBytes >>> 2),
    ...(memory === null
      ? {}
      : { wasm: { memory, archOffset: sizeBytes, archBytes: pages * 65536 - sizeBytes } }),
  };
}

interface WasmGlobal {
  WebAssembly: { Memory: new (d: { initial: number; maximum: number }) => { buffer: ArrayBuffer } };
}

/** RAM with a page directory at PD_PHYS and a bump allocator of frames above FIRST_FRAME. */
export class GuestMachine {
  static readonly PD_PHYS = 0x1000;
  private nextFrame = 0x100000;
  readonly memory: PhysicalMemory;
  readonly cpu: I386Cpu;

  /**
   * `jitThreshold` 0 with `decodeBlocks` false tests the interpreter alone; `decodeBlocks` alone tests the
   * decoded tier; a small threshold sends nearly everything through compiled traces.
   */
  constructor(
    sizeBytes = 16 << 20,
    jitThreshold = 0,
    decodeBlocks = false,
    compiler: RegionCompiler = 'js',
    compileBudget: CompileBudget = NO_COMPILE_BUDGET,
  ) {
    this.memory = createMemory(sizeBytes, compiler === 'wasm');
    this.cpu = new I386Cpu(this.memory, createX87, jitThreshold, decodeBlocks, compiler, compileBudget);
    this.cpu.setCr3(GuestMachine.PD_PHYS as PhysAddr);
  }

  allocFrame(): number {
    const f = this.nextFrame;
    this.nextFrame += 4096;
    this.memory.u8.fill(0, f, f + 4096);
    return f;
  }

  /** The PTE slot (a u32 index) for `va`, creating its page table (user, writable at PDE level). */
  pteIndex(va: number): number {
    const u32 = this.memory.u32;
    const pdi = (GuestMachine.PD_PHYS >>> 2) + (va >>> 22);
    if ((u32[pdi] & PTE_P) === 0) u32[pdi] = this.allocFrame() | USER_RW;
    return ((u32[pdi] & ~0xfff) >>> 2) + ((va >>> 12) & 0x3ff);
  }

  /** Maps the page at `va` to a fresh frame (or `frame`) with `flags`; returns the frame. */
  map(va: number, flags = USER_RW, frame = this.allocFrame()): number {
    this.memory.u32[this.pteIndex(va)] = (frame | flags) >>> 0;
    return frame;
  }

  pte(va: number): number {
    return this.memory.u32[this.pteIndex(va)];
  }

  physOf(va: number): number {
    return (this.pte(va) & ~0xfff) + (va & 0xfff);
  }

  /** Copies bytes into mapped guest memory by walking the test's tables. */
  write(va: number, bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i++) this.memory.u8[this.physOf(va + i)] = bytes[i];
  }

  read(va: number, sizeBytes: number): Uint8Array {
    const out = new Uint8Array(sizeBytes);
    for (let i = 0; i < sizeBytes; i++) out[i] = this.memory.u8[this.physOf(va + i)];
    return out;
  }
}

/** Where testProgram puts things: two code pages, one data page and a stack page below STACK_TOP. */
export const TEST_CODE = 0x00400000;
export const TEST_DATA = 0x00600000;
export const TEST_STACK_TOP = 0x007ffff0;

/**
 * A machine with `code` at TEST_CODE (two pages), a data page and a stack, EIP at the code, ESP at the
 * stack top and the other registers from `regValues` (the tests' common starting point).
 */
export function testProgram(
  code: Uint8Array,
  regValues: readonly number[],
  jitThreshold: number,
  decodeBlocks = false,
  compiler: RegionCompiler = 'js',
): GuestMachine {
  const m = new GuestMachine(8 << 20, jitThreshold, decodeBlocks, compiler);
  m.map(TEST_CODE);
  m.map(TEST_CODE + 0x1000);
  m.write(TEST_CODE, code);
  m.map(TEST_DATA);
  m.map(TEST_STACK_TOP & ~0xfff);
  for (let r = 0; r < 8; r++) m.cpu.setReg(r as Reg, regValues[r] ?? 0);
  m.cpu.setReg(Reg.ESP, TEST_STACK_TOP);
  m.cpu.eip = TEST_CODE;
  return m;
}

const cacheDir = join(tmpdir(), 'kmos-cpu-i386-asm');

/**
 * Assembles Intel-syntax 32-bit source with GNU as; returns the .text bytes and each label's offset.
 * Results are cached by a hash of the source.
 */
export function assemble(source: string): { code: Uint8Array; labels: Map<string, number> } {
  mkdirSync(cacheDir, { recursive: true });
  const full = `.intel_syntax noprefix\n.code32\n.text\n${source}\n`;
  const key = createHash('sha256').update(full).digest('hex').slice(0, 24);
  const bin = join(cacheDir, `${key}.bin`);
  const sym = join(cacheDir, `${key}.sym`);
  if (!existsSync(bin) || !existsSync(sym)) {
    const src = join(cacheDir, `${key}.s`);
    const obj = join(cacheDir, `${key}.o`);
    writeFileSync(src, full);
    execFileSync('as', ['--32', '-o', obj, src]);
    execFileSync('objcopy', ['-O', 'binary', '-j', '.text', obj, `${bin}.tmp`]);
    writeFileSync(sym, execFileSync('nm', [obj]));
    writeFileSync(bin, readFileSync(`${bin}.tmp`));
  }
  const labels = new Map<string, number>();
  for (const line of readFileSync(sym, 'utf8').split('\n')) {
    const [addr, , name] = line.trim().split(/\s+/);
    if (name !== undefined) labels.set(name, Number.parseInt(addr, 16));
  }
  return { code: new Uint8Array(readFileSync(bin)), labels };
}
