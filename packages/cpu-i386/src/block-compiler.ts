/**
 * The block compiler: turns a hot run of guest instructions into one JS function (`new Function`), so the
 * interpreter's fetch, prefix and dispatch work is paid once per block instead of once per instruction.
 * Layer: arch plugin (cpu-i386); called by the run loop (cpu.ts), caches through code-cache.ts.
 *
 * How it works
 * - Only the common unprefixed 32-bit forms have templates (ALU, MOV, LEA, INC/DEC, PUSH/POP, TEST, shifts,
 *   MUL/DIV, MOVZX/MOVSX, IMUL, CMOVcc/SETcc, Jcc/JMP/CALL/RET, int 0x80). A block ends before the first
 *   instruction without one (the interpreter runs it), after a control transfer, at MAX_BLOCK_INSNS, or
 *   near the end of the page (a block never spans two pages, so one frame's invalidation covers it).
 * - Templates reuse the interpreter's semantic helpers (alu, incDec, shiftRotate, mul/div, push/pop,
 *   testCondition), so flags and faults are the same code; only decoding is specialised: registers, EA
 *   arithmetic, immediates and next-EIP values become constants in the source.
 * - Every instruction first stores its EIP into insnStart[INSN_EIP]: a fault unwinds exactly as in the
 *   interpreter, and the run loop counts the instructions before it as retired. Templates change ESP only
 *   after their last access that can fault, so no ESP rollback is needed for them.
 * - Memory operands assume flat DS and SS (base 0, nothing to check); the run loop only enters blocks
 *   when that holds, and instructions that load segment registers are never compiled.
 * - After each store the block checks `smcPending` and leaves if the store hit compiled code.
 */
import { ALU_CMP, alu, incDec, neg, shiftRotate } from './alu.js';
import type { Block, BlockFn } from './code-cache.js';
import type { CpuCore } from './cpu-core.js';
import { pop, push } from './decode.js';
import { setLazy, testCondition } from './flags.js';
import { div, idiv, imul1, imulTrunc, mul } from './muldiv.js';

/** Longest block, in instructions: bounds compile time and how far a block may overshoot nothing. */
const MAX_BLOCK_INSNS = 64;
/** Stop decoding this close to the page end: the longest instruction is 15 bytes. */
const PAGE_TAIL_BYTES = 16;
const LAZY_LOGIC = 4;
const EXIT_SYSCALL = 1;
const CONTINUE = -1;

/** Helpers the generated code calls, passed in once so the source can name them. */
const HELPER_NAMES = [
  'alu',
  'incDec',
  'neg',
  'shiftRotate',
  'testCondition',
  'push',
  'pop',
  'setLazy',
  'mul',
  'imul1',
  'div',
  'idiv',
  'imulTrunc',
] as const;
const HELPERS = [
  alu,
  incDec,
  neg,
  shiftRotate,
  testCondition,
  push,
  pop,
  setLazy,
  mul,
  imul1,
  div,
  idiv,
  imulTrunc,
];

const enum Emit {
  /** No template: the block ends before this instruction. */
  None = 0,
  Normal = 1,
  /** A control transfer: the template has set EIP and returned. */
  Terminator = 2,
}

/** Decodes guest code from one page of RAM and writes JS source for it. */
class BlockWriter {
  private pos: number;
  private readonly lines: string[] = [];
  readonly eips: number[] = [];
  private k = 0;
  private insnStart = 0;

  constructor(
    private readonly u8: Uint8Array,
    private readonly page: number,
    private readonly lin: number,
  ) {
    this.pos = lin & 0xfff;
  }

  private byte(): number {
    return this.u8[this.page + this.pos++];
  }

  private sbyte(): number {
    return (this.byte() << 24) >> 24;
  }

  private dword(): number {
    const v = this.byte() | (this.byte() << 8) | (this.byte() << 16) | (this.byte() << 24);
    return v;
  }

  private get nextEip(): number {
    return (this.lin - (this.lin & 0xfff) + this.pos) | 0;
  }

  /** Compiles up to MAX_BLOCK_INSNS instructions; returns the function source body and instruction count. */
  write(): number {
    while (this.k < MAX_BLOCK_INSNS && this.pos <= 4096 - PAGE_TAIL_BYTES) {
      const start = this.pos;
      const eip = (this.lin - (this.lin & 0xfff) + start) | 0;
      const mark = this.lines.length;
      this.insnStart = eip;
      this.lines.push(`s[0]=${eip};`);
      const kind = this.instruction();
      if (kind === Emit.None) {
        this.lines.length = mark;
        this.pos = start;
        break;
      }
      this.eips.push(eip);
      this.k++;
      if (kind === Emit.Terminator) return this.k;
    }
    this.lines.push(`c.eip=${this.nextEip};c.blockRetired=${this.k};return ${CONTINUE};`);
    return this.k;
  }

  source(): string {
    return this.lines.join('\n');
  }

  private emit(line: string): void {
    this.lines.push(line);
  }

  /** After a store: leave if it hit compiled code (the rest of this block may be stale). */
  private emitStoreCheck(): void {
    this.emit(`if(c.smcPending){c.eip=${this.nextEip};c.blockRetired=${this.k + 1};return ${CONTINUE};}`);
  }

  private emitJump(target: string): Emit {
    this.emit(`c.eip=${target};c.blockRetired=${this.k + 1};return ${CONTINUE};`);
    return Emit.Terminator;
  }

  // ---- Operands ----------------------------------------------------------------------------------------

  private modrm = 0;

  /** Reads ModR/M (+SIB/disp); for memory forms emits `ea=...;`. Returns false for forms not compiled. */
  private operand(): boolean {
    const modrm = this.byte();
    this.modrm = modrm;
    if (modrm >= 0xc0) return true;
    const mod = modrm >> 6;
    const rm = modrm & 7;
    const parts: string[] = [];
    let disp = 0;
    if (rm === 4) {
      const sib = this.byte();
      const base = sib & 7;
      const index = (sib >> 3) & 7;
      const scale = sib >> 6;
      if (base === 5 && mod === 0) disp = this.dword();
      else parts.push(`r[${base}]`);
      if (index !== 4) parts.push(scale === 0 ? `r[${index}]` : `(r[${index}]<<${scale})`);
    } else if (rm === 5 && mod === 0) {
      disp = this.dword();
    } else {
      parts.push(`r[${rm}]`);
    }
    if (mod === 1) disp = this.sbyte();
    else if (mod === 2) disp = this.dword();
    if (disp !== 0 || parts.length === 0) parts.push(`${disp}`);
    this.emit(`ea=(${parts.join('+')})|0;`);
    return true;
  }

  private get reg(): number {
    return (this.modrm >> 3) & 7;
  }

  private get isReg(): boolean {
    return this.modrm >= 0xc0;
  }

  private static get8(n: number): string {
    return n < 4 ? `(r[${n}]&255)` : `((r[${n - 4}]>>8)&255)`;
  }

  private static set8(n: number, value: string): string {
    return n < 4
      ? `r[${n}]=(r[${n}]&-256)|((${value})&255);`
      : `r[${n - 4}]=(r[${n - 4}]&-65281)|(((${value})&255)<<8);`;
  }

  /** The r/m operand as an expression (memory: after `ea` is set). */
  private rmRead(width: number): string {
    if (this.isReg) return width === 8 ? BlockWriter.get8(this.modrm & 7) : `r[${this.modrm & 7}]`;
    return width === 8 ? 'm.read8(ea)' : width === 16 ? 'm.read16(ea)' : 'm.read32(ea)';
  }

  private rmWrite(width: number, value: string): void {
    if (this.isReg) {
      const n = this.modrm & 7;
      this.emit(width === 8 ? BlockWriter.set8(n, value) : `r[${n}]=${value};`);
      return;
    }
    this.emit(width === 8 ? `m.write8(ea,${value});` : `m.write32(ea,${value});`);
    this.emitStoreCheck();
  }

  private regRead(width: number, n: number): string {
    return width === 8 ? BlockWriter.get8(n) : `r[${n}]`;
  }

  private regWrite(width: number, n: number, value: string): void {
    this.emit(width === 8 ? BlockWriter.set8(n, value) : `r[${n}]=${value};`);
  }

  private probeRmw(width: number): void {
    if (!this.isReg) this.emit(`m.probeWrite(ea,${width / 8});`);
  }

  // ---- Instructions ------------------------------------------------------------------------------------

  private instruction(): Emit {
    const op = this.byte();
    if (op < 0x40 && (op & 7) < 6) return this.aluForm(op);
    if (op >= 0x70 && op < 0x80) {
      const disp = this.sbyte();
      return this.conditionalJump(op & 0xf, disp);
    }
    if (op >= 0x40 && op < 0x50) {
      this.emit(`r[${op & 7}]=incDec(c,r[${op & 7}],${op >= 0x48},-1);`);
      return Emit.Normal;
    }
    if (op >= 0x50 && op < 0x58) {
      this.emit(`push(c,r[${op & 7}],-1);`);
      return Emit.Normal;
    }
    if (op >= 0x58 && op < 0x60) {
      this.emit(`v=pop(c,-1);r[${op & 7}]=v;`);
      return Emit.Normal;
    }
    if (op >= 0xb0 && op < 0xb8) {
      this.emit(BlockWriter.set8(op & 7, `${this.byte()}`));
      return Emit.Normal;
    }
    if (op >= 0xb8 && op < 0xc0) {
      this.emit(`r[${op & 7}]=${this.dword()};`);
      return Emit.Normal;
    }
    if (op >= 0x91 && op < 0x98) {
      this.emit(`t=r[${op & 7}];r[${op & 7}]=r[0];r[0]=t;`);
      return Emit.Normal;
    }
    return this.otherOneByte(op);
  }

  private aluForm(op: number): Emit {
    const aop = op >> 3;
    const form = op & 7;
    const width = (form & 1) === 0 ? 8 : 32;
    const mask = width === 8 ? 255 : -1;
    if (form >= 4) {
      const imm = width === 8 ? this.byte() : this.dword();
      const result = `alu(c,${aop},${this.regRead(width, 0)},${imm},${mask})`;
      if (aop === ALU_CMP) this.emit(`${result};`);
      else this.regWrite(width, 0, result);
      return Emit.Normal;
    }
    this.operand();
    if (form < 2) {
      if (aop !== ALU_CMP) this.probeRmw(width);
      const result = `alu(c,${aop},${this.rmRead(width)},${this.regRead(width, this.reg)},${mask})`;
      if (aop === ALU_CMP) this.emit(`${result};`);
      else this.rmWrite(width, result);
    } else {
      const result = `alu(c,${aop},${this.regRead(width, this.reg)},${this.rmRead(width)},${mask})`;
      if (aop === ALU_CMP) this.emit(`${result};`);
      else this.regWrite(width, this.reg, result);
    }
    return Emit.Normal;
  }

  private conditionalJump(cc: number, disp: number): Emit {
    const next = this.nextEip;
    const target = (next + disp) | 0;
    this.emit(
      `c.eip=testCondition(c,${cc})?${target}:${next};c.blockRetired=${this.k + 1};return ${CONTINUE};`,
    );
    return Emit.Terminator;
  }

  private otherOneByte(op: number): Emit {
    switch (op) {
      case 0x0f:
        return this.twoByte();
      case 0x68:
        this.emit(`push(c,${this.dword()},-1);`);
        return Emit.Normal;
      case 0x6a:
        this.emit(`push(c,${this.sbyte()},-1);`);
        return Emit.Normal;
      case 0x69:
      case 0x6b: {
        this.operand();
        const imm = op === 0x69 ? this.dword() : this.sbyte();
        this.emit(`r[${this.reg}]=imulTrunc(c,${this.rmRead(32)},${imm},-1);`);
        return Emit.Normal;
      }
      case 0x80:
      case 0x81:
      case 0x83:
        return this.group1(op);
      case 0x84:
      case 0x85: {
        const width = op === 0x84 ? 8 : 32;
        this.operand();
        const value = `${this.rmRead(width)}&${this.regRead(width, this.reg)}`;
        this.emit(`setLazy(c,${LAZY_LOGIC},0,0,${value},${width === 8 ? 255 : -1});`);
        return Emit.Normal;
      }
      case 0x87: {
        this.operand();
        if (this.isReg) {
          this.emit(`t=r[${this.modrm & 7}];r[${this.modrm & 7}]=r[${this.reg}];r[${this.reg}]=t;`);
          return Emit.Normal;
        }
        this.emit(`t=m.read32(ea);m.write32(ea,r[${this.reg}]);`);
        this.emitStoreCheckAfter(`r[${this.reg}]=t;`);
        return Emit.Normal;
      }
      case 0x88:
      case 0x89: {
        const width = op === 0x88 ? 8 : 32;
        this.operand();
        this.rmWrite(width, this.regRead(width, this.reg));
        return Emit.Normal;
      }
      case 0x8a:
      case 0x8b: {
        const width = op === 0x8a ? 8 : 32;
        this.operand();
        this.regWrite(width, this.reg, this.rmRead(width));
        return Emit.Normal;
      }
      case 0x8d:
        this.operand();
        if (this.isReg) return Emit.None;
        this.emit(`r[${this.reg}]=ea;`);
        return Emit.Normal;
      case 0x90:
        return Emit.Normal;
      case 0x98:
        this.emit('r[0]=(r[0]<<16)>>16;');
        return Emit.Normal;
      case 0x99:
        this.emit('r[2]=r[0]>>31;');
        return Emit.Normal;
      case 0xa8:
        this.emit(`setLazy(c,${LAZY_LOGIC},0,0,r[0]&${this.byte()},255);`);
        return Emit.Normal;
      case 0xa9:
        this.emit(`setLazy(c,${LAZY_LOGIC},0,0,r[0]&${this.dword()},-1);`);
        return Emit.Normal;
      case 0xc1:
      case 0xd1:
      case 0xd3:
        return this.group2(op);
      case 0xc3:
        this.emit('v=pop(c,-1);');
        return this.emitJump('v');
      case 0xc6:
      case 0xc7: {
        const width = op === 0xc6 ? 8 : 32;
        this.operand();
        if (this.reg !== 0) return Emit.None;
        this.rmWrite(width, `${width === 8 ? this.byte() : this.dword()}`);
        return Emit.Normal;
      }
      case 0xcd:
        if (this.byte() !== 0x80) return Emit.None;
        this.emit(
          `c.eip=${this.nextEip};c.syscallGate=0;c.blockRetired=${this.k + 1};return ${EXIT_SYSCALL};`,
        );
        return Emit.Terminator;
      case 0xe8: {
        const disp = this.dword();
        this.emit(`push(c,${this.nextEip},-1);`);
        return this.emitJump(`${(this.nextEip + disp) | 0}`);
      }
      case 0xe9: {
        const disp = this.dword();
        return this.emitJump(`${(this.nextEip + disp) | 0}`);
      }
      case 0xeb: {
        const disp = this.sbyte();
        return this.emitJump(`${(this.nextEip + disp) | 0}`);
      }
      case 0xf7:
        return this.group3();
      case 0xff:
        return this.group5();
      default:
        return Emit.None;
    }
  }

  private emitStoreCheckAfter(line: string): void {
    this.emit(line);
    this.emitStoreCheck();
  }

  private group1(op: number): Emit {
    const width = op === 0x80 ? 8 : 32;
    this.operand();
    const aop = this.reg;
    const imm = op === 0x80 ? this.byte() : op === 0x81 ? this.dword() : this.sbyte();
    if (aop !== ALU_CMP) this.probeRmw(width);
    const result = `alu(c,${aop},${this.rmRead(width)},${imm},${width === 8 ? 255 : -1})`;
    if (aop === ALU_CMP) this.emit(`${result};`);
    else this.rmWrite(width, result);
    return Emit.Normal;
  }

  private group2(op: number): Emit {
    this.operand();
    const kind = this.reg;
    const count = op === 0xc1 ? `${this.byte() & 31}` : op === 0xd1 ? '1' : '(r[1]&31)';
    this.emit(`t=${count};`);
    const read = this.rmRead(32);
    if (this.isReg) {
      this.emit(`if(t!==0){r[${this.modrm & 7}]=shiftRotate(c,${kind},${read},t,-1);}`);
      return Emit.Normal;
    }
    this.emit(
      `if(t!==0){m.probeWrite(ea,4);m.write32(ea,shiftRotate(c,${kind},${read},t,-1));}else{${read};}`,
    );
    this.emitStoreCheck();
    return Emit.Normal;
  }

  private group3(): Emit {
    this.operand();
    const read = this.rmRead(32);
    switch (this.reg) {
      case 0:
        this.emit(`setLazy(c,${LAZY_LOGIC},0,0,${read}&${this.dword()},-1);`);
        return Emit.Normal;
      case 2:
        this.probeRmw(32);
        this.rmWrite(32, `~${read}`);
        return Emit.Normal;
      case 3:
        this.probeRmw(32);
        this.emit(`v=${read};`);
        this.rmWrite(32, '(-v|0)');
        this.emit('neg(c,v,-1);');
        return Emit.Normal;
      case 4:
        this.emit(`mul(c,${read},-1);`);
        return Emit.Normal;
      case 5:
        this.emit(`imul1(c,${read},-1);`);
        return Emit.Normal;
      case 6:
        this.emit(`div(c,${read},-1);`);
        return Emit.Normal;
      case 7:
        this.emit(`idiv(c,${read},-1);`);
        return Emit.Normal;
      default:
        return Emit.None;
    }
  }

  private group5(): Emit {
    this.operand();
    const read = this.rmRead(32);
    switch (this.reg) {
      case 0:
      case 1:
        this.probeRmw(32);
        this.emit(`v=${read};`);
        this.rmWrite(32, `incDec(c,v,${this.reg === 1},-1)`);
        return Emit.Normal;
      case 2:
        this.emit(`v=${read};push(c,${this.nextEip},-1);`);
        return this.emitJump('v');
      case 4:
        this.emit(`v=${read};`);
        return this.emitJump('v');
      case 6:
        this.emit(`push(c,${read},-1);`);
        return Emit.Normal;
      default:
        return Emit.None;
    }
  }

  private twoByte(): Emit {
    const op = this.byte();
    if (op >= 0x80 && op < 0x90) return this.conditionalJump(op & 0xf, this.dword());
    if (op >= 0x40 && op < 0x50) {
      this.operand();
      this.emit(`v=${this.rmRead(32)};if(testCondition(c,${op & 0xf}))r[${this.reg}]=v;`);
      return Emit.Normal;
    }
    if (op >= 0x90 && op < 0xa0) {
      this.operand();
      this.rmWrite(8, `testCondition(c,${op & 0xf})?1:0`);
      return Emit.Normal;
    }
    switch (op) {
      case 0xaf:
        this.operand();
        this.emit(`r[${this.reg}]=imulTrunc(c,r[${this.reg}],${this.rmRead(32)},-1);`);
        return Emit.Normal;
      case 0xb6:
        this.operand();
        this.emit(`r[${this.reg}]=${this.rmRead(8)};`);
        return Emit.Normal;
      case 0xb7:
        this.operand();
        this.emit(`r[${this.reg}]=${this.isReg ? `r[${this.modrm & 7}]&65535` : 'm.read16(ea)'};`);
        return Emit.Normal;
      case 0xbe:
        this.operand();
        this.emit(`r[${this.reg}]=(${this.rmRead(8)}<<24)>>24;`);
        return Emit.Normal;
      case 0xbf:
        this.operand();
        this.emit(`r[${this.reg}]=(${this.isReg ? `r[${this.modrm & 7}]` : 'm.read16(ea)'}<<16)>>16;`);
        return Emit.Normal;
      default:
        return Emit.None;
    }
  }
}

const factoryPrefix = `"use strict";return function block(c,r,m,s){let ea=0,v=0,t=0;`;

/**
 * Compiles the block starting at `b.lin` (physical page `page`); marks it uncompilable when its first
 * instruction has no template. Returns whether a function was produced.
 */
export function compileBlock(c: CpuCore, b: Block, page: number): boolean {
  const writer = new BlockWriter(c.mmu.u8, page, b.lin);
  const count = writer.write();
  if (count === 0) {
    b.hits = Number.NEGATIVE_INFINITY;
    return false;
  }
  const factory = new Function(...HELPER_NAMES, `${factoryPrefix}\n${writer.source()}\n};`);
  b.fn = factory(...HELPERS) as BlockFn;
  b.length = count;
  b.insnEips = Int32Array.from(writer.eips);
  return true;
}
