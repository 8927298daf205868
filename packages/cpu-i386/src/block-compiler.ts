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
import { FLAGS_STATUS } from './constants.js';
import type { CpuCore } from './cpu-core.js';
import { pop, push } from './decode.js';
import { getCF, setLazy, testCondition } from './flags.js';
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
  'getCF',
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
  getCF,
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

/**
 * The lazy-flag stores of one inlined ALU instruction, kept apart so they can be dropped when a later
 * instruction of the block overwrites every flag before anything reads them (dead-flag elimination).
 */
interface FlagStore {
  code: string;
  /** Index of the instruction in the block. */
  insn: number;
}

/** Whether each instruction reads flags (or might: helper calls count as reading) and writes all six. */
interface FlagUse {
  reads: boolean;
  writesAll: boolean;
  /** It accesses memory, so it may fault: the flags before it are then what the kernel sees. */
  mayFault: boolean;
}

/** Condition tests on the operands of the inlined flag producer just before a Jcc/SETcc/CMOVcc. */
const SUB_CONDITIONS: (string | null)[] = [
  null, // O
  null, // NO
  '(fa>>>0)<(fb>>>0)', // B
  '(fa>>>0)>=(fb>>>0)', // AE
  'fr===0', // Z
  'fr!==0', // NZ
  '(fa>>>0)<=(fb>>>0)', // BE
  '(fa>>>0)>(fb>>>0)', // A
  'fr<0', // S
  'fr>=0', // NS
  null, // P
  null, // NP
  'fa<fb', // L
  'fa>=fb', // GE
  'fa<=fb', // LE
  'fa>fb', // G
];
const LOGIC_CONDITIONS: (string | null)[] = [
  'false',
  'true',
  'false',
  'true',
  'fr===0',
  'fr!==0',
  'fr===0',
  'fr!==0',
  'fr<0',
  'fr>=0',
  null,
  null,
  'fr<0',
  'fr>=0',
  'fr<=0',
  'fr>0',
];

/** Segment-override prefixes, indexed by the segment register they select (ES CS SS DS FS GS). */
const SEGMENT_OVERRIDES = [0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65];

/** One-byte opcodes whose templates neither read nor write flags. */
const FLAG_NEUTRAL_ONE_BYTE = new Set([
  0x68, 0x6a, 0x87, 0x88, 0x89, 0x8a, 0x8b, 0x8d, 0x90, 0x98, 0x99, 0xc6, 0xc7,
]);

/** After INC/DEC only ZF and SF are known from the result alone (CF is the old one, OF needs more). */
const INCDEC_CONDITIONS: (string | null)[] = [
  null,
  null,
  null,
  null,
  'fr===0',
  'fr!==0',
  null,
  null,
  'fr<0',
  'fr>=0',
  null,
  null,
  null,
  null,
  null,
  null,
];

/** Decodes guest code from one page of RAM and writes JS source for it. */
class BlockWriter {
  private pos: number;
  private readonly lines: (string | FlagStore)[] = [];
  private readonly flagUse: FlagUse[] = [];
  /** What the previous instruction left in fa/fb/fr: 'sub', 'logic' (32-bit inline producers) or null. */
  private producer: 'sub' | 'logic' | 'incdec' | null = null;
  private producerNow: 'sub' | 'logic' | 'incdec' | null = null;
  private use: FlagUse = { reads: true, writesAll: false, mayFault: true };
  readonly eips: number[] = [];
  private k = 0;

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
      this.insnEip = eip;
      const mark = this.lines.length;
      this.lines.push(`s[0]=${eip};`);
      this.use = { reads: true, writesAll: false, mayFault: false };
      this.producerNow = null;
      const kind = this.instruction();
      if (kind === Emit.None) {
        this.lines.length = mark;
        this.pos = start;
        break;
      }
      // Only an instruction that can fault needs its EIP recorded: it is where a fault rolls back to.
      if (!this.use.mayFault) this.lines[mark] = '';
      this.producer = this.producerNow;
      this.flagUse.push(this.use);
      this.eips.push(eip);
      this.k++;
      if (kind === Emit.Terminator) return this.k;
    }
    this.lines.push(`c.eip=${this.nextEip};c.blockRetired=n+${this.k};return ${CONTINUE};`);
    return this.k;
  }

  /** The body, with flag stores no later instruction can observe dropped (flags are live at block exits). */
  source(): string {
    const live: boolean[] = new Array(this.flagUse.length);
    let flagsLive = true;
    for (let i = this.flagUse.length - 1; i >= 0; i--) {
      live[i] = flagsLive;
      const u = this.flagUse[i];
      flagsLive = u.reads || u.mayFault || (flagsLive && !u.writesAll);
    }
    return this.lines
      .map((line) => (typeof line === 'string' ? line : live[line.insn] ? line.code : ''))
      .join('\n');
  }

  /** Marks the current instruction as leaving the flags alone. */
  private noFlags(): void {
    this.use.reads = false;
  }

  /**
   * Inline form of ADD/OR/AND/SUB/XOR/CMP/TEST at 32 bits: fa, fb, fr hold operands and result, the lazy
   * fields are stored (unless dead). Returns the result expression, or null when `aop` has no inline form.
   */
  private inlineAlu(aop: number, a: string, b: string): string | null {
    let result: string;
    let lazyOp: number;
    switch (aop) {
      case 0:
        result = '(fa+fb)|0';
        lazyOp = 0;
        break;
      case 1:
        result = 'fa|fb';
        lazyOp = LAZY_LOGIC;
        break;
      case 4:
        result = 'fa&fb';
        lazyOp = LAZY_LOGIC;
        break;
      case 5:
      case 7:
        result = '(fa-fb)|0';
        lazyOp = 2;
        break;
      case 6:
        result = 'fa^fb';
        lazyOp = LAZY_LOGIC;
        break;
      default:
        return null;
    }
    this.emit(`fa=${a};fb=${b};fr=${result};`);
    this.lines.push({
      code: `L[0]=fa;L[1]=fb;L[2]=fr;c.lazyOp=${lazyOp};c.lazyWidthMask=-1;c.lazyMask=${FLAGS_STATUS};`,
      insn: this.k,
    });
    this.use = { reads: false, writesAll: true, mayFault: this.use.mayFault };
    this.producerNow = lazyOp === LAZY_LOGIC ? 'logic' : aop === 0 ? null : 'sub';
    return 'fr';
  }

  /** INC/DEC r32 inline: CF is computed into `flags` (it survives), the other five become lazy. */
  private inlineIncDec(n: number, dec: boolean): void {
    this.emit(`fa=r[${n}];fb=1;fr=(fa${dec ? '-' : '+'}1)|0;r[${n}]=fr;`);
    this.emit(
      `c.flags=(c.flags&-2)|getCF(c);L[0]=fa;L[1]=1;L[2]=fr;c.lazyOp=${dec ? 2 : 0};c.lazyWidthMask=-1;c.lazyMask=${FLAGS_STATUS & ~1};`,
    );
    this.producerNow = 'incdec';
  }

  /** A condition test: fused with the previous instruction's inline operands when possible. */
  private condition(cc: number): string {
    const table =
      this.producer === 'sub'
        ? SUB_CONDITIONS
        : this.producer === 'logic'
          ? LOGIC_CONDITIONS
          : this.producer === 'incdec'
            ? INCDEC_CONDITIONS
            : null;
    const fused = table === null ? null : table[cc];
    return fused ?? `testCondition(c,${cc})`;
  }

  private emit(line: string): void {
    this.lines.push(line);
  }

  /** After a store: leave if it hit compiled code (the rest of this block may be stale). */
  private emitStoreCheck(): void {
    this.emit(`if(c.smcPending){c.eip=${this.nextEip};c.blockRetired=n+${this.k + 1};return ${CONTINUE};}`);
  }

  private emitJump(target: string): Emit {
    if (target === `${this.lin}`) {
      this.emit(`{${this.loopBack()}}`);
      return Emit.Terminator;
    }
    this.emit(`c.eip=${target};c.blockRetired=n+${this.k + 1};return ${CONTINUE};`);
    return Emit.Terminator;
  }

  /**
   * A jump back to the block's own start: run the block again inside the function while the budget has
   * room for a whole pass and no interrupt is pending (s[2] counts finished passes for fault accounting).
   */
  private loopBack(): string {
    const len = this.k + 1;
    return `n+=${len};if(left-n>=${len}&&!c.irqPending){s[2]=n;continue;}c.eip=${this.lin};c.blockRetired=n;return ${CONTINUE};`;
  }

  // ---- Operands ----------------------------------------------------------------------------------------

  private modrm = 0;
  /** The segment-override prefix of the current instruction (SEG_ES..SEG_GS), or -1. */
  private seg = -1;
  private insnEip = 0;

  /** Reads ModR/M (+SIB/disp); for memory forms emits `ea=...;`. Returns false for forms not compiled. */
  private operand(): boolean {
    const modrm = this.byte();
    this.modrm = modrm;
    if (modrm >= 0xc0) return true;
    this.use.mayFault = true;
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
    this.emitEa(parts.join('+'));
    return true;
  }

  /**
   * `ea=` for an offset expression. Under a segment override the block leaves before this instruction when
   * the segment needs checks (null or limited: the interpreter does those exactly), else adds its base.
   */
  private emitEa(offset: string): void {
    if (this.seg < 0) {
      this.emit(`ea=(${offset})|0;`);
      return;
    }
    this.emit(
      `if((c.segCheckMask&${1 << this.seg})!==0){c.eip=${this.insnEip};c.blockRetired=n+${this.k};return ${CONTINUE};}`,
    );
    this.emit(`ea=(${offset}+c.segBase[${this.seg}])|0;`);
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
    let op = this.byte();
    this.seg = -1;
    const override = SEGMENT_OVERRIDES.indexOf(op);
    if (override >= 0) {
      this.seg = override;
      op = this.byte();
      if (SEGMENT_OVERRIDES.includes(op)) return Emit.None;
    }
    if (op < 0x40 && (op & 7) < 6) return this.aluForm(op);
    if (op >= 0x70 && op < 0x80) {
      const disp = this.sbyte();
      return this.conditionalJump(op & 0xf, disp);
    }
    if (op >= 0x40 && op < 0x50) {
      this.inlineIncDec(op & 7, op >= 0x48);
      return Emit.Normal;
    }
    if (op >= 0x50 && op < 0x58) {
      this.noFlags();
      this.use.mayFault = true;
      this.emit(`push(c,r[${op & 7}],-1);`);
      return Emit.Normal;
    }
    if (op >= 0x58 && op < 0x60) {
      this.noFlags();
      this.use.mayFault = true;
      this.emit(`v=pop(c,-1);r[${op & 7}]=v;`);
      return Emit.Normal;
    }
    if (op >= 0xb0 && op < 0xb8) {
      this.noFlags();
      this.emit(BlockWriter.set8(op & 7, `${this.byte()}`));
      return Emit.Normal;
    }
    if (op >= 0xb8 && op < 0xc0) {
      this.noFlags();
      this.emit(`r[${op & 7}]=${this.dword()};`);
      return Emit.Normal;
    }
    if (op >= 0x91 && op < 0x98) {
      this.noFlags();
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
      if (width === 32) {
        const inline = this.inlineAlu(aop, 'r[0]', `${imm}`);
        if (inline !== null) {
          if (aop !== ALU_CMP) this.emit(`r[0]=${inline};`);
          return Emit.Normal;
        }
      }
      const result = `alu(c,${aop},${this.regRead(width, 0)},${imm},${mask})`;
      if (aop === ALU_CMP) this.emit(`${result};`);
      else this.regWrite(width, 0, result);
      return Emit.Normal;
    }
    this.operand();
    if (width === 32) {
      const dest = form < 2 ? this.rmRead(32) : this.regRead(32, this.reg);
      const src = form < 2 ? this.regRead(32, this.reg) : this.rmRead(32);
      if (form < 2 && aop !== ALU_CMP) this.probeRmw(32);
      const inline = this.inlineAlu(aop, dest, src);
      if (inline !== null) {
        if (aop === ALU_CMP) return Emit.Normal;
        if (form < 2) this.rmWrite(32, inline);
        else this.regWrite(32, this.reg, inline);
        return Emit.Normal;
      }
    }
    if (form < 2) {
      if (aop !== ALU_CMP && (width === 8 || this.isReg)) this.probeRmw(width);
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
    if (target === this.lin) {
      this.emit(`if(${this.condition(cc)}){${this.loopBack()}}`);
      this.emit(`c.eip=${next};c.blockRetired=n+${this.k + 1};return ${CONTINUE};`);
      return Emit.Terminator;
    }
    this.emit(
      `c.eip=(${this.condition(cc)})?${target}:${next};c.blockRetired=n+${this.k + 1};return ${CONTINUE};`,
    );
    return Emit.Terminator;
  }

  private otherOneByte(op: number): Emit {
    if (FLAG_NEUTRAL_ONE_BYTE.has(op)) this.noFlags();
    switch (op) {
      case 0x0f:
        return this.twoByte();
      case 0x66:
        return this.operandSizeNop();
      case 0xa0:
      case 0xa1:
      case 0xa2:
      case 0xa3:
        return this.moffs(op);
      case 0x68:
        this.use.mayFault = true;
        this.emit(`push(c,${this.dword()},-1);`);
        return Emit.Normal;
      case 0x6a:
        this.use.mayFault = true;
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
        if (width === 32) {
          this.inlineAlu(4, this.rmRead(32), this.regRead(32, this.reg));
          return Emit.Normal;
        }
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
        this.inlineAlu(4, 'r[0]', `${this.dword()}`);
        return Emit.Normal;
      case 0xc1:
      case 0xd1:
      case 0xd3:
        return this.group2(op);
      case 0xc3:
        this.use.mayFault = true;
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
          `c.eip=${this.nextEip};c.syscallGate=0;c.blockRetired=n+${this.k + 1};return ${EXIT_SYSCALL};`,
        );
        return Emit.Terminator;
      case 0xe8: {
        const disp = this.dword();
        this.use.mayFault = true;
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

  /** `66 90` and `66 0F 1F /0` are the padding NOPs compilers emit; other 0x66 forms stay interpreted. */
  private operandSizeNop(): Emit {
    const next = this.byte();
    if (next === 0x90) {
      this.noFlags();
      return Emit.Normal;
    }
    if (next === 0x0f && this.byte() === 0x1f) return this.hintNop();
    return Emit.None;
  }

  /** 0F 1F /0: the multi-byte NOP; its operand is decoded but never touched. */
  private hintNop(): Emit {
    const mark = this.lines.length;
    this.operand();
    this.lines.length = mark; // the `ea=` line is not needed
    this.use.mayFault = false;
    this.noFlags();
    return Emit.Normal;
  }

  /** MOV AL/EAX <-> [moffs32] (A0..A3): glibc's `mov %gs:0x14, %eax` stack-protector load is one. */
  private moffs(op: number): Emit {
    this.noFlags();
    this.use.mayFault = true;
    this.emitEa(`${this.dword()}`);
    const width = (op & 1) === 0 ? 8 : 32;
    if (op < 0xa2) {
      this.regWrite(width, 0, width === 8 ? 'm.read8(ea)' : 'm.read32(ea)');
    } else {
      this.emit(width === 8 ? 'm.write8(ea,r[0]&255);' : 'm.write32(ea,r[0]);');
      this.emitStoreCheck();
    }
    return Emit.Normal;
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
    if (width === 32) {
      const inline = this.inlineAlu(aop, this.rmRead(32), `${imm}`);
      if (inline !== null) {
        if (aop !== ALU_CMP) this.rmWrite(32, inline);
        return Emit.Normal;
      }
    }
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
        this.inlineAlu(4, read, `${this.dword()}`);
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
        this.use.mayFault = true; // #DE
        this.emit(`div(c,${read},-1);`);
        return Emit.Normal;
      case 7:
        this.use.mayFault = true; // #DE
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
        this.use.mayFault = true;
        this.emit(`v=${read};push(c,${this.nextEip},-1);`);
        return this.emitJump('v');
      case 4:
        this.emit(`v=${read};`);
        return this.emitJump('v');
      case 6:
        this.use.mayFault = true;
        this.emit(`push(c,${read},-1);`);
        return Emit.Normal;
      default:
        return Emit.None;
    }
  }

  private twoByte(): Emit {
    const op = this.byte();
    if (op === 0xb6 || op === 0xb7 || op === 0xbe || op === 0xbf) this.noFlags();
    if (op >= 0x80 && op < 0x90) return this.conditionalJump(op & 0xf, this.dword());
    if (op >= 0x40 && op < 0x50) {
      this.operand();
      this.emit(`v=${this.rmRead(32)};if(${this.condition(op & 0xf)})r[${this.reg}]=v;`);
      return Emit.Normal;
    }
    if (op >= 0x90 && op < 0xa0) {
      this.operand();
      this.rmWrite(8, `(${this.condition(op & 0xf)})?1:0`);
      return Emit.Normal;
    }
    switch (op) {
      case 0x1f:
        return this.hintNop();
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

const factoryPrefix = `"use strict";return function block(c,r,m,s,left){let ea=0,v=0,t=0,fa=0,fb=0,fr=0,n=0;const L=c.lazy;s[2]=0;for(;;){`;

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
  const factory = new Function(...HELPER_NAMES, `${factoryPrefix}\n${writer.source()}\n}};`);
  b.fn = factory(...HELPERS) as BlockFn;
  b.length = count;
  b.insnEips = Int32Array.from(writer.eips);
  return true;
}
