/**
 * The x87 floating-point unit of the emulated i686: decodes an escape instruction (opcode 0xD8..0xDF and its
 * ModR/M byte, the core having computed the effective address) and executes it on the register file in
 * x87-state.ts. Layer: arch plugin (cpu-i386), x87 unit; the integer core calls `execute` and the image
 * functions, and reaches back only through `FpuBus` (bus.ts).
 *
 * How an instruction runs: a waiting instruction first delivers a pending unmasked exception (#MF). Memory is
 * read (and a store's destination probed) before any FPU state changes, so a page fault restarts cleanly.
 * The operation computes into scratch `Ext80`s, gathering exception flags in `fpx`; `finish` merges them into
 * the status word. A masked exception yields its default result (indefinite, infinity, ...); an unmasked
 * IE/DE/ZE leaves destination and stack alone, and ES makes the next waiting instruction raise #MF
 * (SDM vol. 1, 8.5-8.7). Arithmetic lives in arith.ts, format conversions in convert.ts, FPREM/FSCALE/FXTRACT
 * in scale-rem.ts, transcendental functions in transcendental.ts. Compiled traces call the `trace*` entry
 * points instead of `execute` for common forms (trace-entry.ts picks them), which take the fast paths of
 * fast-path.ts and memory-fast.ts and decline whatever those do not cover.
 */
import {
  add,
  anyDenormal,
  compareOrdered,
  denormalOperand,
  div,
  mul,
  sqrt,
  unorderedClass,
} from './arith.js';
import type { FpuBus } from './bus.js';
import {
  loadBcd,
  loadDouble,
  loadInt32,
  loadInt64,
  loadSingle,
  roundToIntegral,
  storeBcd,
  stored,
  storeFloat,
  storeInteger,
} from './convert.js';
import { classify, Ext80, fpx, K_SNAN, K_UNSUPPORTED } from './ext80.js';
import {
  fastArithExt80,
  fastRegisters,
  NOT_HANDLED,
  OP_ADD,
  OP_DIV,
  OP_MUL,
  OP_SUB,
  OP_SUBR,
} from './fast-path.js';
import {
  CMP_CC,
  CMP_EFLAGS,
  CMP_EQ,
  CMP_GT,
  CMP_LT,
  CMP_UN,
  compareFinite,
  decodeDouble,
  decodeInt64,
  decodeSingle,
  encodeDouble,
  encodeSingle,
} from './memory-fast.js';
import { FPREM_SPECIAL, fprem, fscale, fxtract } from './scale-rem.js';
import { f2xm1, fpatan, fptan, fsincos, fyl2x, fyl2xp1, loadConstant } from './transcendental.js';
import {
  FCW_PC,
  FCW_PC_SHIFT,
  FCW_RC,
  FCW_RC_SHIFT,
  FSW_B,
  FSW_C0,
  FSW_C1,
  FSW_C2,
  FSW_C3,
  FSW_DE,
  FSW_ES,
  FSW_EXCEPTIONS,
  FSW_IE,
  FSW_PE,
  FSW_SF,
  PC_24,
  PC_53,
  RC_CHOP,
  VECTOR_MF,
  VECTOR_UD,
} from './x87-constants.js';
import {
  ENV_SIZE_16,
  ENV_SIZE_32,
  getEnv,
  getFxsave,
  getSave,
  putEnv,
  putFxsave,
  putSave,
  SAVE_SIZE_16,
  SAVE_SIZE_32,
} from './x87-image.js';
import { X87State, type X87Storage } from './x87-state.js';

/**
 * The arithmetic selected by the reg field of D8/DC/DA/DE (register forms of DC/DE swap 4<->5, 6<->7): OP_ADD,
 * OP_MUL, OP_SUB, OP_SUBR and OP_DIV come from fast-path.ts; 7 is FDIVR (the default branch of `compute`).
 */
const OP_COM = 2;
const OP_COMP = 3;

/** Operand kinds of pushLoaded. */
const LOAD_READY = 0;
const LOAD_F32 = 1;
const LOAD_F64 = 2;
const LOAD_I32 = 3;
const LOAD_I64 = 4;
const LOAD_BCD = 5;
const LOAD_CONSTANT = 6;

export class X87 {
  readonly state: X87State;
  private readonly a = new Ext80();
  private readonly b = new Ext80();
  private readonly r = new Ext80();
  private readonly r2 = new Ext80();
  private readonly bytes = new Uint8Array(108);

  /** `storage`: where the registers live (the CPU's arch area); fresh arrays by default. */
  constructor(
    private readonly bus: FpuBus,
    storage?: X87Storage,
  ) {
    this.state = new X87State(storage);
  }

  reset(): void {
    this.state.reset();
  }

  exportWords(): void {
    this.state.exportWords();
  }

  importWords(): void {
    this.state.importWords();
  }

  execute(opcode: number, modrm: number, ea: number, operandSize16: boolean): void {
    const s = this.state;
    if ((s.sw & FSW_ES) !== 0 && !isNonWaiting(opcode, modrm)) this.bus.raise(VECTOR_MF);
    if (modrm >= 0xc0 && (opcode === 0xd8 || opcode === 0xdc || opcode === 0xde)) {
      if (this.arithmeticRegistersFast(opcode, modrm)) return;
    }
    fpx.begin(s.cw);
    if (modrm < 0xc0) this.executeMemory(opcode, (modrm >>> 3) & 7, ea, operandSize16, modrm);
    else this.executeRegister(opcode, modrm);
  }

  saveFnsave(into: Uint8Array, offset: number, operandSize16: boolean): void {
    putSave(this.state, into, offset, operandSize16);
  }

  restoreFnsave(from: Uint8Array, offset: number, operandSize16: boolean): void {
    getSave(this.state, from, offset, operandSize16);
  }

  saveFxsave(into: Uint8Array, offset: number): void {
    putFxsave(this.state, into, offset);
  }

  restoreFxsave(from: Uint8Array, offset: number): void {
    getFxsave(this.state, from, offset);
  }

  // ---- bookkeeping -------------------------------------------------------------------------------------

  private precisionBits(): number {
    const pc = (this.state.cw & FCW_PC) >>> FCW_PC_SHIFT;
    return pc === PC_24 ? 24 : pc === PC_53 ? 53 : 64;
  }

  private roundingControl(): number {
    return (this.state.cw & FCW_RC) >>> FCW_RC_SHIFT;
  }

  /** Records FIP/FOP (and FDP for memory operands) for a non-control instruction. */
  private noteInstruction(opcode: number, modrm: number, ea: number, isMemory: boolean): void {
    const s = this.state;
    s.fip = this.bus.fpuInstructionPointer();
    s.fop = ((opcode & 7) << 8) | modrm;
    if (isMemory) s.fdp = ea >>> 0;
  }

  /**
   * Merges the flags of the operation into the status word. C1 becomes "rounded up" (or, on a stack fault,
   * "overflow"), except for instructions that leave it alone (`keepC1`, as FCMOVcc and FCOMI do on hardware).
   */
  private finish(keepC1 = false): void {
    const s = this.state;
    const f = fpx.flags;
    let sw = s.sw | (f & (FSW_EXCEPTIONS | FSW_SF));
    if (keepC1 && (f & FSW_SF) === 0) {
      s.sw = sw;
      s.updateSummary();
      return;
    }
    sw &= ~FSW_C1;
    if ((f & FSW_SF) !== 0) {
      if (this.stackOverflowed) sw |= FSW_C1;
    } else if (fpx.roundedUp) sw |= FSW_C1;
    s.sw = sw;
    this.stackOverflowed = false;
    s.updateSummary();
  }

  private stackOverflowed = false;

  /** Stack underflow (an empty register read) or overflow (a push onto a full register): IE + SF. */
  private stackFault(overflow: boolean): boolean {
    fpx.flags |= FSW_IE | FSW_SF;
    fpx.roundedUp = false;
    this.stackOverflowed = overflow;
    return fpx.invalidMasked;
  }

  private setConditionCodes(cc: number): void {
    this.state.sw = (this.state.sw & ~(FSW_C0 | FSW_C2 | FSW_C3)) | cc;
  }

  private undefinedOpcode(): never {
    return this.bus.raise(VECTOR_UD);
  }

  // ---- memory forms -------------------------------------------------------------------------------------

  private executeMemory(opcode: number, reg: number, ea: number, os16: boolean, modrm: number): void {
    switch (opcode) {
      case 0xd8:
      case 0xda:
      case 0xdc:
      case 0xde:
        this.readArithmeticOperand(opcode, ea);
        this.noteInstruction(opcode, modrm, ea, true);
        this.arithmeticWithMemory(reg);
        return;
      case 0xd9:
        this.executeD9Memory(reg, ea, os16, opcode, modrm);
        return;
      case 0xdb:
        this.executeDBMemory(reg, ea, opcode, modrm);
        return;
      case 0xdd:
        this.executeDDMemory(reg, ea, os16, opcode, modrm);
        return;
      default:
        this.executeDFMemory(reg, ea, opcode, modrm);
    }
  }

  // The raw memory operand, read before any state changes.
  private memLo = 0;
  private memHi = 0;

  private readArithmeticOperand(opcode: number, ea: number): void {
    if (opcode === 0xdc) {
      this.memLo = this.bus.readU32(ea);
      this.memHi = this.bus.readU32(ea + 4);
    } else if (opcode === 0xde) {
      this.memLo = (this.bus.readU16(ea) << 16) >> 16;
    } else {
      this.memLo = this.bus.readU32(ea);
    }
    this.memOpcode = opcode;
  }

  private memOpcode = 0;

  /** Converts the memory operand read by readArithmeticOperand into `b`; false on an unmasked exception. */
  private convertMemoryOperand(): boolean {
    switch (this.memOpcode) {
      case 0xd8:
        return loadSingle(this.memLo, this.b, true);
      case 0xdc:
        return loadDouble(this.memLo, this.memHi, this.b, true);
      default:
        loadInt32(this.memLo, this.b);
        return true;
    }
  }

  private arithmeticWithMemory(reg: number): void {
    const s = this.state;
    if (s.isEmpty(0)) {
      const masked = this.stackFault(false);
      if (reg === OP_COM || reg === OP_COMP)
        this.compareResult(CMP_UN, masked && reg === OP_COMP ? 1 : 0, false);
      else if (masked) s.writeIndefinite(0, this.r);
      this.finish();
      return;
    }
    s.read(0, this.a);
    if (!this.convertMemoryOperand()) {
      this.finish();
      return;
    }
    if (reg === OP_COM || reg === OP_COMP) {
      this.compareAndSet(false, reg === OP_COMP ? 1 : 0, false);
      return;
    }
    // A denormal m32fp/m64fp is normal once extended but still reports DE: the general path handles it.
    if (!fpx.srcDenormal) {
      const status = this.computeFast(reg, s.top, this.b);
      if (status !== NOT_HANDLED) {
        this.finishFast(status);
        return;
      }
    }
    if (this.compute(reg, this.a, this.b)) s.write(0, this.r);
    this.finish();
  }

  /**
   * The common case of `compute` (fast-path.ts): physical register p = p op b. Returns the status bits to merge
   * (PE, C1), or NOT_HANDLED with nothing changed.
   */
  private computeFast(op: number, p: number, b: Ext80): number {
    const s = this.state;
    // The fast path rounds in fpx.cw's mode; FpuExceptions.begin has not run for a register form.
    fpx.cw = s.cw;
    const pc = this.precisionBits();
    return fastArithExt80(op, s.readPhys(p, this.a), b, s, p, pc);
  }

  /** `finish` for a fast-path result, whose only flags are PE and C1 ("rounded up"). */
  private finishFast(status: number): void {
    const s = this.state;
    s.sw = (s.sw & ~FSW_C1) | status;
    s.updateSummary();
  }

  /** r = a op b for the arithmetic reg values; false when an unmasked exception suppresses the result. */
  private compute(op: number, a: Ext80, b: Ext80): boolean {
    const p = this.precisionBits();
    switch (op) {
      case OP_ADD:
        return add(a, b, false, this.r, p);
      case OP_MUL:
        return mul(a, b, this.r, p);
      case OP_SUB:
        return add(a, b, true, this.r, p);
      case OP_SUBR:
        return add(b, a, true, this.r, p);
      case OP_DIV:
        return div(a, b, this.r, p);
      default:
        return div(b, a, this.r, p);
    }
  }

  private executeD9Memory(reg: number, ea: number, os16: boolean, opcode: number, modrm: number): void {
    switch (reg) {
      case 0: {
        const v = this.bus.readU32(ea);
        this.noteInstruction(opcode, modrm, ea, true);
        this.memLo = v;
        this.pushLoaded(LOAD_F32);
        return;
      }
      case 2:
      case 3:
        this.storeFloatTo(ea, false, reg === 3, opcode, modrm);
        return;
      case 4:
        this.fldenv(ea, os16);
        return;
      case 5:
        this.fldcw(this.bus.readU16(ea));
        return;
      case 6:
        this.fnstenv(ea, os16);
        return;
      case 7:
        this.bus.probeWrite(ea, 2);
        this.bus.writeU16(ea, this.state.cw);
        return;
      default:
        this.undefinedOpcode();
    }
  }

  private executeDBMemory(reg: number, ea: number, opcode: number, modrm: number): void {
    switch (reg) {
      case 0: {
        const v = this.bus.readU32(ea);
        this.noteInstruction(opcode, modrm, ea, true);
        this.memLo = v;
        this.pushLoaded(LOAD_I32);
        return;
      }
      case 1:
      case 2:
      case 3:
        this.storeIntegerTo(ea, 32, reg, opcode, modrm);
        return;
      case 5: {
        const lo = this.bus.readU32(ea);
        const hi = this.bus.readU32(ea + 4);
        const se = this.bus.readU16(ea + 8);
        this.noteInstruction(opcode, modrm, ea, true);
        this.b.set(se >>> 15, se & 0x7fff, hi, lo);
        this.pushLoaded(LOAD_READY);
        return;
      }
      case 7:
        this.storeExtendedTo(ea, opcode, modrm);
        return;
      default:
        this.undefinedOpcode();
    }
  }

  private executeDDMemory(reg: number, ea: number, os16: boolean, opcode: number, modrm: number): void {
    switch (reg) {
      case 0: {
        const lo = this.bus.readU32(ea);
        const hi = this.bus.readU32(ea + 4);
        this.noteInstruction(opcode, modrm, ea, true);
        this.memLo = lo;
        this.memHi = hi;
        this.pushLoaded(LOAD_F64);
        return;
      }
      case 1:
        this.storeIntegerTo(ea, 64, reg, opcode, modrm);
        return;
      case 2:
      case 3:
        this.storeFloatTo(ea, true, reg === 3, opcode, modrm);
        return;
      case 4:
        this.frstor(ea, os16);
        return;
      case 6:
        this.fnsave(ea, os16);
        return;
      case 7:
        this.bus.probeWrite(ea, 2);
        this.bus.writeU16(ea, this.state.statusWord());
        return;
      default:
        this.undefinedOpcode();
    }
  }

  private executeDFMemory(reg: number, ea: number, opcode: number, modrm: number): void {
    switch (reg) {
      case 0: {
        const v = (this.bus.readU16(ea) << 16) >> 16;
        this.noteInstruction(opcode, modrm, ea, true);
        this.memLo = v;
        this.pushLoaded(LOAD_I32);
        return;
      }
      case 1:
      case 2:
      case 3:
        this.storeIntegerTo(ea, 16, reg, opcode, modrm);
        return;
      case 4: {
        const bcd = this.bytes;
        for (let i = 0; i < 10; i++) bcd[i] = this.bus.readU8(ea + i);
        this.noteInstruction(opcode, modrm, ea, true);
        this.pushLoaded(LOAD_BCD);
        return;
      }
      case 5: {
        const lo = this.bus.readU32(ea);
        const hi = this.bus.readU32(ea + 4);
        this.noteInstruction(opcode, modrm, ea, true);
        this.memLo = lo;
        this.memHi = hi;
        this.pushLoaded(LOAD_I64);
        return;
      }
      case 6:
        this.fbstp(ea, opcode, modrm);
        return;
      default:
        this.storeIntegerTo(ea, 64, 3, opcode, modrm);
    }
  }

  /**
   * Pushes a loaded value of `kind` (its raw bits in memLo/memHi, or already in `b`). Stack overflow takes
   * precedence over the conversion's own exceptions. A switch rather than a callback: no allocation per load.
   */
  private pushLoaded(kind: number): void {
    const s = this.state;
    if (!s.isEmpty(7)) {
      if (this.stackFault(true)) {
        s.push();
        s.writeIndefinite(0, this.r);
      }
    } else if (this.convertLoad(kind)) {
      // A denormal m32fp/m64fp is loaded (normalized) even when DE is unmasked.
      if (fpx.srcDenormal) fpx.flags |= FSW_DE;
      s.push();
      s.write(0, this.b);
    }
    this.finish();
  }

  /** Converts the operand of a load into `b`; false when an unmasked exception stops the load. */
  private convertLoad(kind: number): boolean {
    switch (kind) {
      case LOAD_F32:
        return loadSingle(this.memLo, this.b);
      case LOAD_F64:
        return loadDouble(this.memLo, this.memHi, this.b);
      case LOAD_I32:
        loadInt32(this.memLo, this.b);
        return true;
      case LOAD_I64:
        loadInt64(this.memLo, this.memHi | 0, this.b);
        return true;
      case LOAD_BCD:
        loadBcd(this.bytes, this.b);
        return true;
      case LOAD_CONSTANT:
        loadConstant(this.memLo, this.roundingControl(), this.b);
        return true;
      default:
        return true;
    }
  }

  private storeFloatTo(ea: number, isDouble: boolean, pop: boolean, opcode: number, modrm: number): void {
    const s = this.state;
    let ok: boolean;
    if (s.isEmpty(0)) {
      ok = this.stackFault(false);
      stored.lo = isDouble ? 0 : 0xffc00000;
      stored.hi = 0xfff80000;
    } else {
      ok = storeFloat(s.read(0, this.a), isDouble);
    }
    if (ok) {
      this.bus.probeWrite(ea, isDouble ? 8 : 4);
      this.bus.writeU32(ea, stored.lo);
      if (isDouble) this.bus.writeU32(ea + 4, stored.hi);
    }
    this.noteInstruction(opcode, modrm, ea, true);
    if (ok && pop) s.pop();
    this.finish();
  }

  /** FIST (reg 2), FISTP (3) and FISTTP (1) of `sizeBits`. */
  private storeIntegerTo(ea: number, sizeBits: number, reg: number, opcode: number, modrm: number): void {
    const s = this.state;
    let ok: boolean;
    if (s.isEmpty(0)) {
      ok = this.stackFault(false);
      stored.lo = sizeBits === 16 ? 0x8000 : sizeBits === 32 ? 0x80000000 : 0;
      stored.hi = sizeBits === 64 ? 0x80000000 : 0;
    } else {
      ok = storeInteger(s.read(0, this.a), sizeBits, reg === 1 ? RC_CHOP : this.roundingControl());
    }
    if (ok) {
      this.bus.probeWrite(ea, sizeBits >>> 3);
      if (sizeBits === 16) this.bus.writeU16(ea, stored.lo);
      else this.bus.writeU32(ea, stored.lo);
      if (sizeBits === 64) this.bus.writeU32(ea + 4, stored.hi);
    }
    this.noteInstruction(opcode, modrm, ea, true);
    if (ok && reg !== 2) s.pop();
    this.finish();
  }

  private storeExtendedTo(ea: number, opcode: number, modrm: number): void {
    const s = this.state;
    let ok = true;
    if (s.isEmpty(0)) {
      ok = this.stackFault(false);
      this.a.set(1, 0x7fff, 0xc0000000, 0);
    } else {
      s.read(0, this.a);
    }
    if (ok) {
      this.bus.probeWrite(ea, 10);
      this.bus.writeU32(ea, this.a.lo);
      this.bus.writeU32(ea + 4, this.a.hi);
      this.bus.writeU16(ea + 8, (this.a.sign << 15) | this.a.exp);
    }
    this.noteInstruction(opcode, modrm, ea, true);
    if (ok) s.pop();
    this.finish();
  }

  private fbstp(ea: number, opcode: number, modrm: number): void {
    const s = this.state;
    const out = this.bytes;
    let ok: boolean;
    if (s.isEmpty(0)) {
      ok = this.stackFault(false);
      out.fill(0, 0, 10);
      out[7] = 0xc0;
      out[8] = 0xff;
      out[9] = 0xff;
    } else {
      ok = storeBcd(s.read(0, this.a), this.roundingControl(), out);
    }
    if (ok) {
      this.bus.probeWrite(ea, 10);
      for (let i = 0; i < 10; i++) this.bus.writeU8(ea + i, out[i]);
      s.pop();
    }
    this.noteInstruction(opcode, modrm, ea, true);
    this.finish();
  }

  // ---- control instructions -------------------------------------------------------------------------------

  private fldcw(v: number): void {
    this.state.cw = v | 0x0040;
    this.state.updateSummary();
  }

  private fnstenv(ea: number, os16: boolean): void {
    const size = os16 ? ENV_SIZE_16 : ENV_SIZE_32;
    putEnv(this.state, this.bytes, 0, os16);
    this.writeBytes(ea, size);
    // FNSTENV masks all exceptions after storing (SDM vol. 2, FSTENV).
    this.state.cw |= FSW_EXCEPTIONS;
    this.state.updateSummary();
  }

  private fldenv(ea: number, os16: boolean): void {
    this.readBytes(ea, os16 ? ENV_SIZE_16 : ENV_SIZE_32);
    getEnv(this.state, this.bytes, 0, os16);
  }

  private fnsave(ea: number, os16: boolean): void {
    const size = os16 ? SAVE_SIZE_16 : SAVE_SIZE_32;
    putSave(this.state, this.bytes, 0, os16);
    this.writeBytes(ea, size);
    this.state.reset();
  }

  private frstor(ea: number, os16: boolean): void {
    this.readBytes(ea, os16 ? SAVE_SIZE_16 : SAVE_SIZE_32);
    getSave(this.state, this.bytes, 0, os16);
  }

  private writeBytes(ea: number, size: number): void {
    this.bus.probeWrite(ea, size);
    for (let i = 0; i < size; i++) this.bus.writeU8(ea + i, this.bytes[i]);
  }

  private readBytes(ea: number, size: number): void {
    for (let i = 0; i < size; i++) this.bytes[i] = this.bus.readU8(ea + i);
  }

  // ---- register forms ---------------------------------------------------------------------------------------

  private executeRegister(opcode: number, modrm: number): void {
    const reg = (modrm >>> 3) & 7;
    const i = modrm & 7;
    switch (opcode) {
      case 0xd8:
        this.noteInstruction(opcode, modrm, 0, false);
        if (reg === OP_COM || reg === OP_COMP)
          this.compareRegisters(i, false, reg === OP_COMP ? 1 : 0, false);
        else this.arithmeticRegisters(reg, 0, i, false);
        return;
      case 0xdc:
        this.noteInstruction(opcode, modrm, 0, false);
        if (reg === OP_COM || reg === OP_COMP)
          this.compareRegisters(i, false, reg === OP_COMP ? 1 : 0, false);
        else this.arithmeticRegisters(reg >= 4 ? reg ^ 1 : reg, i, 0, false);
        return;
      case 0xde:
        this.executeDERegister(reg, i, modrm);
        return;
      case 0xd9:
        this.executeD9Register(reg, i, modrm);
        return;
      case 0xda:
        this.executeDARegister(reg, i, modrm);
        return;
      case 0xdb:
        this.executeDBRegister(reg, i, modrm);
        return;
      case 0xdd:
        this.executeDDRegister(reg, i, modrm);
        return;
      default:
        this.executeDFRegister(reg, i, modrm);
    }
  }

  /** ST(dest) = ST(dest) op ST(other) for op in the D8 numbering; pops afterwards when `pop`. */
  private arithmeticRegisters(op: number, dest: number, other: number, pop: boolean): void {
    const s = this.state;
    let ok: boolean;
    if (s.isEmpty(dest) || s.isEmpty(other)) {
      ok = this.stackFault(false);
      if (ok) s.writeIndefinite(dest, this.r);
    } else {
      ok = this.compute(op, s.read(dest, this.a), s.read(other, this.b));
      if (ok) s.write(dest, this.r);
    }
    if (ok && pop) s.pop();
    this.finish();
  }

  /**
   * FADD/FSUB/FSUBR/FMUL/FDIV/FDIVR (and their popping forms) on two registers, taken whole when both are
   * non-empty and the fast path (fast-path.ts) computes the result; false, with nothing changed, for
   * comparisons and every case the general path must handle.
   */
  private arithmeticRegistersFast(opcode: number, modrm: number): boolean {
    const reg = (modrm >>> 3) & 7;
    if (reg === OP_COM || reg === OP_COMP) return false;
    const i = modrm & 7;
    // D8 computes ST(0) = ST(0) op ST(i); DC and DE compute ST(i) = ST(i) op ST(0), with 4<->5 and 6<->7 swapped.
    const dest = opcode === 0xd8 ? 0 : i;
    const other = opcode === 0xd8 ? i : 0;
    const op = opcode === 0xd8 || reg < 4 ? reg : reg ^ 1;
    const fop = ((opcode & 7) << 8) | modrm;
    return this.traceArithmetic(op, dest, other, opcode === 0xde, fop, this.bus.fpuInstructionPointer());
  }

  // ---- entry points for compiled traces ---------------------------------------------------------------------
  // A trace (block-compiler.ts, through trace-entry.ts) decodes an escape instruction once, when it is
  // compiled, and calls one of these with the decoded operands, its FOP and its EIP (FIP). Each does what
  // `execute` would for its form when the fast case applies, and otherwise returns false having changed
  // nothing (a pending #MF, an empty or full register, an operand or result the fast path refuses): the trace
  // then calls `execute`, which handles everything.

  /** FADD..FDIVR(P) on ST(dest) and ST(other), `op` in the D8 numbering (OP_ADD..7). */
  traceArithmetic(op: number, dest: number, other: number, pop: boolean, fop: number, fip: number): boolean {
    const s = this.state;
    if ((s.sw & FSW_ES) !== 0) return false;
    const pd = (s.top + dest) & 7;
    const po = (s.top + other) & 7;
    if (s.empty[pd] !== 0 || s.empty[po] !== 0) return false;
    fpx.cw = s.cw;
    const pc = this.precisionBits();
    const status = fastRegisters(op, s, pd, po, pc);
    if (status === NOT_HANDLED) return false;
    s.fip = fip;
    s.fop = fop;
    if (pop) s.pop();
    this.finishFast(status);
    return true;
  }

  /** FILD m16int / m32int / m64int: exact, so no flag but C1 (cleared) changes. */
  traceLoadInt16(ea: number, fop: number, fip: number): boolean {
    const p = this.pushSlot();
    if (p < 0) return false;
    loadInt32((this.bus.readU16(ea) << 16) >> 16, this.b);
    return this.pushMemory(p, ea, fop, fip);
  }

  traceLoadInt32(ea: number, fop: number, fip: number): boolean {
    const p = this.pushSlot();
    if (p < 0) return false;
    loadInt32(this.bus.readU32(ea), this.b);
    return this.pushMemory(p, ea, fop, fip);
  }

  traceLoadInt64(ea: number, fop: number, fip: number): boolean {
    const p = this.pushSlot();
    if (p < 0) return false;
    decodeInt64(this.bus.readU32(ea), this.bus.readU32(ea + 4), this.b);
    return this.pushMemory(p, ea, fop, fip);
  }

  /** FLD m32fp / m64fp of a normal or zero value (the others signal, or are denormal: the general path). */
  traceLoadSingle(ea: number, fop: number, fip: number): boolean {
    const p = this.pushSlot();
    if (p < 0 || !decodeSingle(this.bus.readU32(ea), this.b)) return false;
    return this.pushMemory(p, ea, fop, fip);
  }

  traceLoadDouble(ea: number, fop: number, fip: number): boolean {
    const p = this.pushSlot();
    if (p < 0 || !decodeDouble(this.bus.readU32(ea), this.bus.readU32(ea + 4), this.b)) return false;
    return this.pushMemory(p, ea, fop, fip);
  }

  /** FLD m80fp: any bit pattern is pushed as it is, without an exception. */
  traceLoadExtended(ea: number, fop: number, fip: number): boolean {
    const p = this.pushSlot();
    if (p < 0) return false;
    const bus = this.bus;
    const lo = bus.readU32(ea);
    const hi = bus.readU32(ea + 4);
    const se = bus.readU16(ea + 8);
    this.b.set(se >>> 15, se & 0x7fff, hi, lo);
    return this.pushMemory(p, ea, fop, fip);
  }

  /** FLD1 (i = 0) and FLDZ (i = 6): exact in every rounding mode. */
  traceLoadConstant(i: number, fop: number, fip: number): boolean {
    const p = this.pushSlot();
    if (p < 0) return false;
    loadConstant(i, 0, this.b);
    return this.pushDecoded(p, fop, fip);
  }

  /** The physical register a push writes, or -1 when it is not empty or an exception is pending. */
  private pushSlot(): number {
    const s = this.state;
    const p = (s.top + 7) & 7;
    return (s.sw & FSW_ES) !== 0 || s.empty[p] === 0 ? -1 : p;
  }

  /** Pushes `b` into physical register p, as pushLoaded does for a load without exceptions. */
  private pushDecoded(p: number, fop: number, fip: number): boolean {
    const s = this.state;
    s.writePhys(p, this.b);
    s.top = p;
    s.fip = fip;
    s.fop = fop;
    s.sw &= ~FSW_C1;
    return true;
  }

  /** pushDecoded for a memory operand at ea, which becomes FDP. */
  private pushMemory(p: number, ea: number, fop: number, fip: number): boolean {
    this.state.fdp = ea >>> 0;
    return this.pushDecoded(p, fop, fip);
  }

  /** FST/FSTP m32fp and m64fp of a zero, or of a normal that stays normal in the format (encodeSingle/Double). */
  traceStoreSingle(pop: boolean, ea: number, fop: number, fip: number): boolean {
    const s = this.state;
    const p = s.top;
    if ((s.sw & FSW_ES) !== 0 || s.empty[p] !== 0) return false;
    const status = encodeSingle(s.readPhys(p, this.a), this.roundingControl());
    if (status === NOT_HANDLED) return false;
    this.bus.probeWrite(ea, 4);
    this.bus.writeU32(ea, stored.lo);
    return this.commitStore(status, pop, ea, fop, fip);
  }

  traceStoreDouble(pop: boolean, ea: number, fop: number, fip: number): boolean {
    const s = this.state;
    const p = s.top;
    if ((s.sw & FSW_ES) !== 0 || s.empty[p] !== 0) return false;
    const status = encodeDouble(s.readPhys(p, this.a), this.roundingControl());
    if (status === NOT_HANDLED) return false;
    const bus = this.bus;
    bus.probeWrite(ea, 8);
    bus.writeU32(ea, stored.lo);
    bus.writeU32(ea + 4, stored.hi);
    return this.commitStore(status, pop, ea, fop, fip);
  }

  /** FSTP m80fp: any value is stored as it is. */
  traceStoreExtended(ea: number, fop: number, fip: number): boolean {
    const s = this.state;
    const p = s.top;
    if ((s.sw & FSW_ES) !== 0 || s.empty[p] !== 0) return false;
    const bus = this.bus;
    bus.probeWrite(ea, 10);
    bus.writeU32(ea, s.lo[p]);
    bus.writeU32(ea + 4, s.hi[p]);
    bus.writeU16(ea + 8, (s.sign[p] << 15) | s.exp[p]);
    return this.commitStore(0, true, ea, fop, fip);
  }

  /**
   * FIST/FISTP m16int, m32int, m64int of a value that converts without IE (convert.ts's storeInteger, which
   * allocates nothing); PE and C1 as it reports them.
   */
  traceStoreInteger(sizeBits: number, pop: boolean, ea: number, fop: number, fip: number): boolean {
    const s = this.state;
    const p = s.top;
    if ((s.sw & FSW_ES) !== 0 || s.empty[p] !== 0) return false;
    fpx.begin(s.cw);
    if (!storeInteger(s.readPhys(p, this.a), sizeBits, this.roundingControl())) return false;
    if ((fpx.flags & ~FSW_PE) !== 0) return false;
    const status = fpx.flags === 0 ? 0 : fpx.roundedUp ? FSW_PE | FSW_C1 : FSW_PE;
    const bus = this.bus;
    bus.probeWrite(ea, sizeBits >>> 3);
    if (sizeBits === 16) bus.writeU16(ea, stored.lo);
    else bus.writeU32(ea, stored.lo);
    if (sizeBits === 64) bus.writeU32(ea + 4, stored.hi);
    return this.commitStore(status, pop, ea, fop, fip);
  }

  /** After a store's memory was written: the pointers, the pop and PE/C1 (`status`), as `finish` would. */
  private commitStore(status: number, pop: boolean, ea: number, fop: number, fip: number): boolean {
    const s = this.state;
    s.fip = fip;
    s.fop = fop;
    s.fdp = ea >>> 0;
    if (pop) s.pop();
    this.finishFast(status);
    return true;
  }

  /** FADD..FDIVR with a memory operand of D8 (m32fp), DC (m64fp), DA (m32int) or DE (m16int): `opcode`. */
  traceArithmeticMemory(op: number, opcode: number, ea: number, fop: number, fip: number): boolean {
    const s = this.state;
    const p = s.top;
    if ((s.sw & FSW_ES) !== 0 || s.empty[p] !== 0 || !this.readOperandFast(opcode, ea)) return false;
    const status = this.computeFast(op, p, this.b);
    if (status === NOT_HANDLED) return false;
    s.fip = fip;
    s.fop = fop;
    s.fdp = ea >>> 0;
    this.finishFast(status);
    return true;
  }

  /** FCOM/FCOMP (and FICOM/FICOMP) with a memory operand, both values zero or normal. */
  traceCompareMemory(opcode: number, pop: boolean, ea: number, fop: number, fip: number): boolean {
    const s = this.state;
    const p = s.top;
    if ((s.sw & FSW_ES) !== 0 || s.empty[p] !== 0 || !this.readOperandFast(opcode, ea)) return false;
    const outcome = compareFinite(s.readPhys(p, this.a), this.b);
    if (outcome < 0) return false;
    s.fip = fip;
    s.fop = fop;
    s.fdp = ea >>> 0;
    s.sw = (s.sw & ~(FSW_C0 | FSW_C1 | FSW_C2 | FSW_C3)) | CMP_CC[outcome];
    if (pop) s.pop();
    return true;
  }

  /** The memory operand of `opcode` into `b` when it is normal or zero (integers always are). */
  private readOperandFast(opcode: number, ea: number): boolean {
    const bus = this.bus;
    switch (opcode) {
      case 0xd8:
        return decodeSingle(bus.readU32(ea), this.b);
      case 0xdc:
        return decodeDouble(bus.readU32(ea), bus.readU32(ea + 4), this.b);
      case 0xda:
        loadInt32(bus.readU32(ea), this.b);
        return true;
      default:
        loadInt32((bus.readU16(ea) << 16) >> 16, this.b);
        return true;
    }
  }

  /** FCOM/FCOMP/FCOMPP/FUCOM/FUCOMP/FUCOMPP ST(i) (`pops` 0..2), both values zero or normal. */
  traceCompareRegister(i: number, pops: number, fop: number, fip: number): boolean {
    const s = this.state;
    const outcome = this.compareStack(i);
    if (outcome < 0) return false;
    s.fip = fip;
    s.fop = fop;
    s.sw = (s.sw & ~(FSW_C0 | FSW_C1 | FSW_C2 | FSW_C3)) | CMP_CC[outcome];
    if (pops > 0) s.pop();
    if (pops > 1) s.pop();
    return true;
  }

  /**
   * FCOMI/FUCOMI(P) ST(i): the EFLAGS status bits to set (ZF, PF, CF; OF, SF and AF clear), or -1 when the
   * trace must call `execute`. The status word is unchanged (C1 included), as on hardware.
   */
  traceCompareEflags(i: number, pop: boolean, fop: number, fip: number): number {
    const s = this.state;
    const outcome = this.compareStack(i);
    if (outcome < 0) return -1;
    s.fip = fip;
    s.fop = fop;
    if (pop) s.pop();
    return CMP_EFLAGS[outcome];
  }

  /** compareFinite on ST(0) and ST(i), or -1 when either is empty or an exception is pending. */
  private compareStack(i: number): number {
    const s = this.state;
    const p0 = s.top;
    const pi = (p0 + i) & 7;
    if ((s.sw & FSW_ES) !== 0 || s.empty[p0] !== 0 || s.empty[pi] !== 0) return -1;
    return compareFinite(s.readPhys(p0, this.a), s.readPhys(pi, this.b));
  }

  /** FCHS (i = 0) and FABS (i = 1) of a non-empty ST(0): any value, no exception. */
  traceSign(i: number, fop: number, fip: number): boolean {
    const s = this.state;
    const p = s.top;
    if ((s.sw & FSW_ES) !== 0 || s.empty[p] !== 0) return false;
    s.sign[p] = i === 0 ? s.sign[p] ^ 1 : 0;
    s.fip = fip;
    s.fop = fop;
    s.sw &= ~FSW_C1;
    return true;
  }

  /** FLD ST(i): a copy, flags untouched but C1 (cleared); an empty source goes the general way (IE). */
  traceLoadRegister(i: number, fop: number, fip: number): boolean {
    const s = this.state;
    const p = (s.top + 7) & 7;
    const src = (s.top + i) & 7;
    if ((s.sw & FSW_ES) !== 0 || s.empty[p] === 0 || s.empty[src] !== 0) return false;
    s.writePhys(p, s.readPhys(src, this.a));
    s.top = p;
    s.fip = fip;
    s.fop = fop;
    s.sw &= ~FSW_C1;
    return true;
  }

  /** FSTP ST(i) (and FST ST(i) when not `pop`): a copy of a non-empty ST(0). */
  traceStoreRegister(i: number, pop: boolean, fop: number, fip: number): boolean {
    const s = this.state;
    const p0 = s.top;
    if ((s.sw & FSW_ES) !== 0 || s.empty[p0] !== 0) return false;
    s.writePhys((p0 + i) & 7, s.readPhys(p0, this.a));
    if (pop) s.pop();
    s.fip = fip;
    s.fop = fop;
    s.sw &= ~FSW_C1;
    return true;
  }

  /** FXCH ST(i) with both registers non-empty. */
  traceExchange(i: number, fop: number, fip: number): boolean {
    const s = this.state;
    const p0 = s.top;
    const pi = (p0 + i) & 7;
    if ((s.sw & FSW_ES) !== 0 || s.empty[p0] !== 0 || s.empty[pi] !== 0) return false;
    s.readPhys(p0, this.a);
    s.writePhys(p0, s.readPhys(pi, this.b));
    s.writePhys(pi, this.a);
    s.fip = fip;
    s.fop = fop;
    s.sw &= ~FSW_C1;
    return true;
  }

  private executeDERegister(reg: number, i: number, modrm: number): void {
    this.noteInstruction(0xde, modrm, 0, false);
    if (reg === OP_COM) this.compareRegisters(i, false, 1, false);
    else if (reg === OP_COMP) {
      if (i !== 1) this.undefinedOpcode();
      this.compareRegisters(1, false, 2, false);
    } else this.arithmeticRegisters(reg >= 4 ? reg ^ 1 : reg, i, 0, true);
  }

  // ---- comparisons --------------------------------------------------------------------------------------

  /** FCOM/FUCOM/FCOMI/FUCOMI family on ST(0) and ST(i). */
  private compareRegisters(i: number, quiet: boolean, pops: number, toEflags: boolean): void {
    const s = this.state;
    if (s.isEmpty(0) || s.isEmpty(i)) {
      this.stackFault(false);
      this.compareResult(CMP_UN, fpx.invalidMasked ? pops : 0, toEflags);
      this.finish();
      return;
    }
    s.read(0, this.a);
    s.read(i, this.b);
    this.compareAndSet(quiet, pops, toEflags);
  }

  /**
   * Compares `a` with `b`, sets the condition codes or EFLAGS and finishes. The result is reported even
   * when IE or DE is unmasked; only the pops are then skipped.
   */
  private compareAndSet(quiet: boolean, pops: number, toEflags: boolean): void {
    const outcome = this.compareValues(this.a, this.b, quiet);
    const unmasked = (fpx.flags & ~this.state.cw & FSW_EXCEPTIONS) !== 0;
    this.compareResult(outcome, unmasked ? 0 : pops, toEflags);
    this.finish(toEflags);
  }

  private compareResult(outcome: number, pops: number, toEflags: boolean): void {
    if (toEflags)
      this.bus.setZfPfCf(outcome >= CMP_EQ, outcome === CMP_UN, outcome === CMP_LT || outcome === CMP_UN);
    else this.setConditionCodes(CMP_CC[outcome]);
    fpx.roundedUp = false;
    for (let k = 0; k < pops; k++) this.state.pop();
  }

  /** CMP_* outcome, or -1 when an unmasked exception suppresses it. */
  private compareValues(a: Ext80, b: Ext80, quiet: boolean): number {
    const ka = classify(a);
    const kb = classify(b);
    if (unorderedClass(ka) || unorderedClass(kb)) {
      const signalling =
        !quiet || ka === K_SNAN || kb === K_SNAN || ka === K_UNSUPPORTED || kb === K_UNSUPPORTED;
      if (signalling) fpx.flags |= FSW_IE;
      return CMP_UN;
    }
    if (anyDenormal(ka, kb)) denormalOperand();
    const c = compareOrdered(a, ka, b, kb);
    return c > 0 ? CMP_GT : c < 0 ? CMP_LT : CMP_EQ;
  }

  // ---- D9 register forms: loads, exchanges, constants and functions ---------------------------------------

  private executeD9Register(reg: number, i: number, modrm: number): void {
    switch (reg) {
      case 0:
        this.noteInstruction(0xd9, modrm, 0, false);
        this.fldRegister(i);
        return;
      case 1:
        this.noteInstruction(0xd9, modrm, 0, false);
        this.fxch(i);
        return;
      case 2:
        if (i !== 0) this.undefinedOpcode();
        this.noteInstruction(0xd9, modrm, 0, false);
        return;
      case 3:
        this.noteInstruction(0xd9, modrm, 0, false);
        this.fstRegister(i, true);
        return;
      case 4:
        this.executeD9E0(i, modrm);
        return;
      case 5:
        if (i === 7) this.undefinedOpcode();
        this.noteInstruction(0xd9, modrm, 0, false);
        this.memLo = i;
        this.pushLoaded(LOAD_CONSTANT);
        return;
      default:
        this.noteInstruction(0xd9, modrm, 0, false);
        this.executeFunction(modrm);
    }
  }

  private fldRegister(i: number): void {
    const s = this.state;
    if (s.isEmpty(i)) {
      if (this.stackFault(false)) {
        s.push();
        s.writeIndefinite(0, this.r);
      }
      this.finish();
      return;
    }
    s.read(i, this.b);
    this.pushLoaded(LOAD_READY);
  }

  private fxch(i: number): void {
    const s = this.state;
    if (s.isEmpty(0) || s.isEmpty(i)) {
      if (!this.stackFault(false)) {
        this.finish();
        return;
      }
      if (s.isEmpty(0)) s.writeIndefinite(0, this.r);
      if (s.isEmpty(i)) s.writeIndefinite(i, this.r);
    }
    s.read(0, this.a);
    s.read(i, this.b);
    s.write(0, this.b);
    s.write(i, this.a);
    this.finish();
  }

  /** FST ST(i) / FSTP ST(i): a plain copy of ST(0). */
  private fstRegister(i: number, pop: boolean): void {
    const s = this.state;
    let ok = true;
    if (s.isEmpty(0)) {
      ok = this.stackFault(false);
      if (ok) s.writeIndefinite(i, this.r);
    } else {
      s.write(i, s.read(0, this.a));
    }
    if (ok && pop) s.pop();
    this.finish();
  }

  /** D9 E0..E7: FCHS, FABS, FTST, FXAM. */
  private executeD9E0(i: number, modrm: number): void {
    if (i === 2 || i === 3 || i > 5) this.undefinedOpcode();
    this.noteInstruction(0xd9, modrm, 0, false);
    const s = this.state;
    if (i === 5) {
      this.fxam();
      return;
    }
    if (s.isEmpty(0)) {
      const masked = this.stackFault(false);
      if (i === 4) this.setConditionCodes(CMP_CC[CMP_UN]);
      else if (masked) s.writeIndefinite(0, this.r);
      this.finish();
      return;
    }
    s.read(0, this.a);
    if (i === 4) {
      this.b.set(0, 0, 0, 0);
      this.compareAndSet(false, 0, false);
      return;
    }
    this.a.sign = i === 0 ? this.a.sign ^ 1 : 0;
    s.write(0, this.a);
    this.finish();
  }

  private fxam(): void {
    const s = this.state;
    const p = s.phys(0);
    let cc: number;
    if (s.empty[p]) cc = FSW_C3 | FSW_C0;
    else {
      const k = classify(s.read(0, this.a));
      cc = FXAM_CC[k];
    }
    s.sw = (s.sw & ~(FSW_C0 | FSW_C1 | FSW_C2 | FSW_C3)) | cc | (s.sign[p] ? FSW_C1 : 0);
  }

  /** D9 F0..FF. */
  private executeFunction(modrm: number): void {
    const s = this.state;
    switch (modrm) {
      case 0xf6:
        s.top = (s.top - 1) & 7;
        s.sw &= ~FSW_C1;
        return;
      case 0xf7:
        s.top = (s.top + 1) & 7;
        s.sw &= ~FSW_C1;
        return;
      default:
        this.executeArithmeticFunction(modrm);
    }
  }

  /** The D9 F0..FF functions that read ST(0) (and ST(1)). */
  private executeArithmeticFunction(modrm: number): void {
    const s = this.state;
    if ((modrm === 0xf2 || modrm === 0xf4 || modrm === 0xfb) && !s.isEmpty(0) && !s.isEmpty(7)) {
      if (modrm !== 0xf4) s.sw &= ~FSW_C2;
      this.pushPairOverflow();
      return;
    }
    const needsTwo =
      modrm === 0xf1 ||
      modrm === 0xf3 ||
      modrm === 0xf5 ||
      modrm === 0xf8 ||
      modrm === 0xf9 ||
      modrm === 0xfd;
    if (s.isEmpty(0) || (needsTwo && s.isEmpty(1))) {
      this.functionUnderflow(modrm);
      return;
    }
    s.read(0, this.a);
    if (needsTwo) s.read(1, this.b);
    switch (modrm) {
      case 0xf0:
        this.unaryResult(f2xm1(this.a, this.r));
        return;
      case 0xf1:
        this.binaryPopResult(fyl2x(this.a, this.b, this.r));
        return;
      case 0xf2:
        this.pushPairResult(fptan(this.a, this.r, this.r2));
        return;
      case 0xf3:
        this.binaryPopResult(fpatan(this.a, this.b, this.r));
        return;
      case 0xf4:
        this.pushPairResult(fxtract(this.a, this.r, this.r2), false);
        return;
      case 0xf5:
      case 0xf8:
        this.fpremResult(modrm === 0xf5);
        return;
      case 0xf9:
        this.binaryPopResult(fyl2xp1(this.a, this.b, this.r));
        return;
      case 0xfa:
        this.unaryResult(sqrt(this.a, this.r, this.precisionBits()));
        return;
      case 0xfb:
        this.pushPairResult(fsincos(this.a, this.r, this.r2, 3));
        return;
      case 0xfc:
        this.unaryResult(roundToIntegral(this.a, this.roundingControl(), this.r));
        return;
      case 0xfd:
        this.unaryResult(fscale(this.a, this.b, this.r));
        return;
      case 0xfe:
        this.fsinOrCos(1);
        return;
      default:
        this.fsinOrCos(2);
    }
  }

  private fsinOrCos(which: number): void {
    const ok = fsincos(this.a, this.r, this.r2, which);
    // C2 reports "operand out of range"; C0 and C3 are left alone, as on the reference hardware.
    if (ok === 1) this.state.sw |= FSW_C2;
    else this.state.sw &= ~FSW_C2;
    if (ok === 0) {
      this.state.write(0, which === 1 ? this.r : this.r2);
    }
    this.finish();
  }

  private unaryResult(ok: boolean): void {
    if (ok) this.state.write(0, this.r);
    this.finish();
  }

  /** FYL2X, FPATAN, FYL2XP1: ST(1) = result, pop. */
  private binaryPopResult(ok: boolean): void {
    if (ok) {
      this.state.write(1, this.r);
      this.state.pop();
    }
    this.finish();
  }

  /**
   * FPTAN, FXTRACT and FSINCOS: ST(0) = r, then push r2. Status 1 means the operand was out of range
   * (C2 set, nothing changes), 2 means an unmasked exception, 0 success.
   */
  private pushPairResult(status: number, clearsC2 = true): void {
    const s = this.state;
    if (status === 1) s.sw |= FSW_C2;
    else if (clearsC2) s.sw &= ~FSW_C2;
    if (status === 0) {
      if (!s.isEmpty(7)) {
        if (this.stackFault(true)) {
          s.writeIndefinite(0, this.r);
          s.push();
          s.writeIndefinite(0, this.r);
        }
      } else {
        s.write(0, this.r);
        s.push();
        s.write(0, this.r2);
      }
    }
    this.finish();
  }

  /** FPTAN, FXTRACT, FSINCOS with a full stack: IE + SF (C1 = 1), masked response two indefinites. */
  private pushPairOverflow(): void {
    const s = this.state;
    if (this.stackFault(true)) {
      s.writeIndefinite(0, this.r);
      s.push();
      s.writeIndefinite(0, this.r);
    }
    this.finish();
  }

  private fpremResult(nearest: boolean): void {
    const cc = fprem(this.a, this.b, this.r, nearest);
    if (cc < 0) {
      // A NaN or invalid operand clears C2 (and C1) but leaves C0 and C3.
      this.state.sw &= ~FSW_C2;
      if (cc === FPREM_SPECIAL) this.state.write(0, this.r);
    } else {
      this.state.write(0, this.r);
      this.state.sw = (this.state.sw & ~(FSW_C0 | FSW_C2 | FSW_C3)) | (cc & (FSW_C0 | FSW_C2 | FSW_C3));
      fpx.roundedUp = (cc & FSW_C1) !== 0;
    }
    this.finish();
  }

  /** Stack underflow in D9 F0..FF: masked, the destination(s) get the indefinite. */
  private functionUnderflow(modrm: number): void {
    const s = this.state;
    // FPREM(1), FPTAN, FSINCOS, FSIN and FCOS report "complete / in range" (C2 = 0) even on underflow.
    if (modrm === 0xf5 || modrm === 0xf8 || modrm === 0xf2 || modrm === 0xfb || modrm >= 0xfe)
      s.sw &= ~FSW_C2;
    if (this.stackFault(false)) {
      if (modrm === 0xf1 || modrm === 0xf3 || modrm === 0xf9) {
        s.writeIndefinite(1, this.r);
        s.pop();
      } else if (modrm === 0xf2 || modrm === 0xf4 || modrm === 0xfb) {
        s.writeIndefinite(0, this.r);
        s.push();
        s.writeIndefinite(0, this.r);
      } else {
        s.writeIndefinite(0, this.r);
      }
    }
    this.finish();
  }

  // ---- DA/DB/DD/DF register forms -------------------------------------------------------------------------

  private executeDARegister(reg: number, i: number, modrm: number): void {
    if (reg < 4) {
      this.noteInstruction(0xda, modrm, 0, false);
      this.fcmov(reg, false, i);
      return;
    }
    if (modrm !== 0xe9) this.undefinedOpcode();
    this.noteInstruction(0xda, modrm, 0, false);
    this.compareRegisters(1, true, 2, false);
  }

  private executeDBRegister(reg: number, i: number, modrm: number): void {
    if (reg < 4) {
      this.noteInstruction(0xdb, modrm, 0, false);
      this.fcmov(reg, true, i);
      return;
    }
    if (reg === 5 || reg === 6) {
      this.noteInstruction(0xdb, modrm, 0, false);
      this.compareRegisters(i, reg === 5, 0, true);
      return;
    }
    if (reg !== 4) this.undefinedOpcode();
    if (i === 2) {
      const s = this.state;
      s.sw &= ~(FSW_EXCEPTIONS | FSW_SF | FSW_ES | FSW_B);
    } else if (i === 3) {
      this.state.reset();
    } else if (i > 4) {
      this.undefinedOpcode();
    }
    // DB E0, E1, E4 (FENI, FDISI, FSETPM) are 8087/287 leftovers: no-ops on later FPUs.
  }

  /** FCMOVcc: conditions B, E, BE, U (negated for DB). */
  private fcmov(cond: number, negate: boolean, i: number): void {
    const f = this.bus.getEflags();
    const cf = f & 0x01;
    const zf = f & 0x40;
    const pf = f & 0x04;
    let take = cond === 0 ? cf !== 0 : cond === 1 ? zf !== 0 : cond === 2 ? (cf | zf) !== 0 : pf !== 0;
    if (negate) take = !take;
    const s = this.state;
    if (s.isEmpty(0) || s.isEmpty(i)) {
      // Underflow writes the indefinite whether or not the condition holds.
      if (this.stackFault(false)) s.writeIndefinite(0, this.r);
      this.finish();
      return;
    }
    if (take) s.write(0, s.read(i, this.a));
    this.finish(true);
  }

  private executeDDRegister(reg: number, i: number, modrm: number): void {
    this.noteInstruction(0xdd, modrm, 0, false);
    const s = this.state;
    switch (reg) {
      case 0:
        s.empty[s.phys(i)] = 1;
        s.sw &= ~FSW_C1;
        return;
      case 1:
        this.fxch(i);
        return;
      case 2:
        this.fstRegister(i, false);
        return;
      case 3:
        this.fstRegister(i, true);
        return;
      case 4:
        this.compareRegisters(i, true, 0, false);
        return;
      case 5:
        this.compareRegisters(i, true, 1, false);
        return;
      default:
        this.undefinedOpcode();
    }
  }

  private executeDFRegister(reg: number, i: number, modrm: number): void {
    const s = this.state;
    switch (reg) {
      case 0:
        // FFREEP (undocumented but present on every i686): free ST(i), then pop.
        this.noteInstruction(0xdf, modrm, 0, false);
        s.empty[s.phys(i)] = 1;
        s.pop();
        s.sw &= ~FSW_C1;
        return;
      case 1:
        this.noteInstruction(0xdf, modrm, 0, false);
        this.fxch(i);
        return;
      case 2:
      case 3:
        this.noteInstruction(0xdf, modrm, 0, false);
        this.fstRegister(i, true);
        return;
      case 4:
        if (i !== 0) this.undefinedOpcode();
        this.bus.setAx(s.statusWord());
        return;
      case 5:
      case 6:
        this.noteInstruction(0xdf, modrm, 0, false);
        this.compareRegisters(i, reg === 5, 1, true);
        return;
      default:
        this.undefinedOpcode();
    }
  }
}

/** FXAM condition codes (C3, C2, C0) by operand class (SDM vol. 2, FXAM). */
const FXAM_CC = [
  FSW_C3, // zero
  FSW_C3 | FSW_C2, // denormal
  FSW_C2, // normal
  FSW_C2 | FSW_C0, // infinity
  FSW_C0, // QNaN
  FSW_C0, // SNaN
  0, // unsupported
];

/** FNINIT, FNCLEX, FNSTCW, FNSTSW, FNSTENV, FNSAVE (and the FENI/FDISI/FSETPM no-ops) do not wait. */
function isNonWaiting(opcode: number, modrm: number): boolean {
  if (modrm >= 0xc0)
    return (opcode === 0xdb && modrm >= 0xe0 && modrm <= 0xe4) || (opcode === 0xdf && modrm === 0xe0);
  const reg = (modrm >>> 3) & 7;
  return (opcode === 0xd9 && (reg === 6 || reg === 7)) || (opcode === 0xdd && (reg === 6 || reg === 7));
}
