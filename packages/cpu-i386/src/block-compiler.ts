/**
 * The region compiler: turns the hot code of one page, reached from a hot entry, into one JS function
 * (`new Function`), so the interpreter's fetch, prefix and dispatch work is paid once per region, and
 * jumps, loops, calls and returns inside the region stay inside the function.
 * Layer: arch plugin (cpu-i386); called by the run loop (cpu.ts), caches through code-cache.ts.
 *
 * How it works
 * - A region is written as runs of straight-line code, from the entry and from each target found on the
 *   way that ran before (its decoded block counted runs): Jcc targets, jump and call targets in the page,
 *   and the return addresses of calls into the region. A run follows direct jumps and calls in place and
 *   ends at a control transfer or at code already written; code that never ran stays out, and branches to
 *   it leave the function. A region never spans two pages, so one frame's invalidation covers it.
 * - It is written twice: the first pass finds what is jumped to, the second puts a `case` label before
 *   each of those instructions in one `switch` inside a loop. A goto is `bi=label; continue`; a RET compares
 *   the popped address with the region's return addresses. Each goto first checks the budget (room for
 *   the longest straight run, at most the whole region) and pending interrupts, and leaves otherwise.
 * - Retired instructions are counted per segment (from a label or a goto): `n` holds the finished
 *   segments, each way out adds the ones of its segment, and a fault counts through `insnRetiredBefore`.
 * - The common 32-bit forms have templates (ALU, MOV, LEA, INC/DEC, PUSH/POP, TEST, shifts, MUL/DIV,
 *   MOVZX/MOVSX, IMUL, CMOVcc/SETcc, Jcc/JMP/CALL/RET, LOCK'd read-modify-writes, CMPXCHG/XADD, x87
 *   escapes, int 0x80). Any other instruction runs in place through the interpreter's `step` (see
 *   `interpreted`); only segment loads and RDTSC/RDPMC end a run before them.
 * - Guest registers are JS locals for the whole call; a memory operand's page comes from the TLB (a miss
 *   walks the tables), and a page fault or a store to a code frame leaves before the instruction, for the
 *   decoded tier to take the fault without unwinding. Flags from inline ALU templates stay in locals (fa, fb,
 *   fr, fk) and are stored into the lazy-flag fields only where something can look: before a helper that
 *   reads or writes EFLAGS, on the way out, and when a fault unwinds. At a label they may come from any
 *   of the ways in, so no condition there is fused with the instruction written before it. Other
 *   templates reuse the interpreter's semantic helpers (alu, shiftRotate, mul/div, testCondition), so
 *   flags and faults are the same code.
 * - A fault that still unwinds (#DE, an instruction run through `step`, an unaligned access reaching an
 *   unmapped page) does so exactly as in the interpreter: templates change registers only after their
 *   last access that can fault, and the catch stores the faulting instruction's EIP.
 * - Memory operands assume flat DS and SS (base 0, nothing to check); the run loop only enters regions
 *   when that holds, and instructions that load DS, SS, ES or CS never run inside one.
 * - A store through the MMU's slow path that hits compiled code makes the region leave after it.
 */
import { ALU_CMP, alu, incDec, neg, shiftRotate } from './alu.js';
import { cmpxchg, xadd } from './bit-ops.js';
import { type Block, type BlockFn, TRACE_CAUGHT } from './code-cache.js';
import { FLAG_DF, FLAGS_STATUS, MAX_INSTRUCTION_BYTES } from './constants.js';
import { type CpuCore, LazyOp } from './cpu-core.js';
import { FAULTED } from './fault.js';
import { getCF, setLazy, testCondition } from './flags.js';
import { x87EflagsEntry, x87TraceEntry } from './fpu/trace-entry.js';
import { INSTRUCTION_PREFIXES, instructionLength } from './instruction-length.js';
import { step } from './interpreter.js';
import { div, idiv, imul1, mulU32, product } from './muldiv.js';

/** Most instructions in a region: bounds the function V8 compiles and the budget a call needs. */
export const MAX_REGION_INSNS = 192;

/**
 * Whether the instruction at offset `pos` of the page at physical address `page` ends in that page. A region
 * holds only such instructions: one that crosses into the next page depends on that page's mapping, and
 * runs decoded, where the fetch walks both. (Entries in a page's last bytes, such as a return address
 * after a call at the page end, used to be refused outright: a shell loop went out to the decoded tier
 * and back through them on every pass.)
 */
export function endsInPage(u8: Uint8Array, page: number, pos: number): boolean {
  return pos <= 4096 - MAX_INSTRUCTION_BYTES || instructionLength(u8, page + pos, page + 4096) > 0;
}
const LAZY_LOGIC = 4;
const EXIT_SYSCALL = 1;
const CONTINUE = -1;

/** Shifts with inline templates (by a constant, on a register), by their ModR/M reg field. */
const INLINE_SHIFTS: { operator: string; lazyOp: number }[] = [];
INLINE_SHIFTS[4] = { operator: '<<', lazyOp: LazyOp.SHL };
INLINE_SHIFTS[5] = { operator: '>>>', lazyOp: LazyOp.SHR };
INLINE_SHIFTS[6] = INLINE_SHIFTS[4]; // SAL
INLINE_SHIFTS[7] = { operator: '>>', lazyOp: LazyOp.SAR };

/** Helpers the generated code calls, passed in once so the source can name them. */
const HELPER_NAMES = [
  'alu',
  'incDec',
  'getCF',
  'neg',
  'shiftRotate',
  'testCondition',
  'setLazy',
  'imul1',
  'div',
  'idiv',
  'cmpxchg',
  'xadd',
  'step',
  'mulU32',
  'product',
] as const;
const HELPERS = [
  alu,
  incDec,
  getCF,
  neg,
  shiftRotate,
  testCondition,
  setLazy,
  imul1,
  div,
  idiv,
  cmpxchg,
  xadd,
  step,
  mulU32,
  product,
];

/** What `checkEa` has made sure of for the current instruction's memory operand. */
const enum EaCheck {
  None = 0,
  Read = 1,
  Write = 2,
}

const enum Emit {
  /** No template: the block ends before this instruction. */
  None = 0,
  Normal = 1,
  /** A control transfer: the template has set EIP and returned. */
  Terminator = 2,
}

/**
 * Stores the pending flags of an inline ALU producer (fa, fb, fr and fk = lazy op + 1) into the CpuCore's
 * lazy fields. Inline producers only set locals; this runs where something else may look at EFLAGS: before
 * a helper that reads or writes them, when the region leaves, and when a fault unwinds it.
 */
const MATERIALIZE_FLAGS = `if(fk!==0){L[0]=fa;L[1]=fb;L[2]=fr;c.lazyOp=fk-1;c.lazyWidthMask=-1;c.lazyMask=${FLAGS_STATUS};fk=0;}`;

/** Helpers that read or write EFLAGS through the CpuCore: pending inline flags are stored before each call. */
const FLAG_HELPER_CALL =
  /\b(?:alu|incDec|getCF|neg|shiftRotate|testCondition|setLazy|imul1|div|idiv|cmpxchg|xadd)\(c,/;

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

/**
 * x87 memory forms that write memory, as a bit per ModR/M reg field for each of D8..DF: FST(P) m32fp,
 * FNSTENV, FNSTCW (D9); FISTTP/FIST(P) m32int, FSTP m80fp (DB); FISTTP m64int, FST(P) m64fp, FNSAVE, FNSTSW
 * (DD); FISTTP/FIST(P) m16int, FBSTP, FISTP m64int (DF).
 */
const X87_MEMORY_STORES = [0, 0xcc, 0, 0x8e, 0, 0xce, 0, 0xce];

/** Segment-override prefixes, indexed by the segment register they select (ES CS SS DS FS GS). */
export const SEGMENT_OVERRIDES = [0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65];

/**
 * Guest memory accesses in generated code. A memory operand's page comes from the TLB once per instruction
 * (`checkEa`); an aligned dword or a byte then indexes RAM directly, an unaligned dword goes through the MMU,
 * which splits it across pages. Stores through the MMU may hit a code frame; they set `sm`, which the
 * template tests after the instruction (the TLB never holds code frames for writing, so the inline path
 * cannot).
 */
function store32(addr: string, value: string): string {
  return `w=${value};if((${addr}&3)===0&&(p=TW[${addr}>>>12])>=0)M32[(p|${addr}&4095)>>2]=w;else{c.smcPending=false;m.write32(${addr},w);sm=c.smcPending;}`;
}

/** A dword at `ea` after `checkEa` set `q`: RAM directly when aligned, else through the MMU. */
const LOAD32_EA = '((ea&3)===0?M32[(q|ea&4095)>>2]:m.read32(ea))';

/**
 * A dword store to `ea` after `checkEa(true)`: the page is no code frame, but an unaligned store may reach
 * one in the next page.
 */
function storeEa32(value: string): string {
  return `w=${value};if((ea&3)===0)M32[(q|ea&4095)>>2]=w;else{c.smcPending=false;m.write32(ea,w);sm=c.smcPending;}`;
}

/** MUL, IMUL, DIV and IDIV helpers work on the CpuCore's EAX and EDX: the locals go out and come back. */
const SYNC_EDX_EAX_OUT = 'R[0]=r[0];R[2]=r[2];';
const SYNC_EDX_EAX_IN = 'r[0]=R[0];r[2]=R[2];';

/** Helpers that decode their own operands from the ModR/M byte see every register and `ea` in the core. */
const SYNC_REGS_OUT = 'R[0]=r[0];R[1]=r[1];R[2]=r[2];R[3]=r[3];R[4]=r[4];R[5]=r[5];R[6]=r[6];R[7]=r[7];';
const SYNC_ALL_OUT = `${SYNC_REGS_OUT}c.ea=ea;`;

/** One-byte opcodes that may load DS, SS, ES or CS: POP ES/SS/DS, MOV Sreg, LES/LDS, far CALL/JMP/RET, IRET. */
const LOADS_SEGMENT_ONE_BYTE = new Set([0x07, 0x17, 0x1f, 0x8e, 0xc4, 0xc5, 0x9a, 0xea, 0xca, 0xcb, 0xcf]);

/**
 * The length of the instruction at `at` (bytes of `u8` up to `end`) when a region may run it in place through
 * the interpreter's `step`, else -1: not one that loads DS, SS, ES or CS (regions assume them flat), nor
 * RDTSC or RDPMC (they read the retired-instruction count, which a region settles only at its end).
 */
export function steppableLength(u8: Uint8Array, at: number, end: number): number {
  let op = at;
  while (INSTRUCTION_PREFIXES.has(u8[op] as number) && op < at + 14) op++;
  const first = u8[op] as number;
  if (LOADS_SEGMENT_ONE_BYTE.has(first)) return -1;
  // LSS loads SS.
  if (first === 0x0f && [0xb2, 0x31, 0x33].includes(u8[op + 1] as number)) return -1;
  return instructionLength(u8, at, end);
}
const SYNC_ALL_IN = 'r[0]=R[0];r[1]=R[1];r[2]=R[2];r[3]=R[3];r[4]=R[4];r[5]=R[5];r[6]=R[6];r[7]=R[7];';

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

/**
 * Decodes a region of guest code from one page of RAM and writes JS source for it: runs of straight-line
 * code from the entry and from each hot target found (see the file header), with gotos between them and
 * exits for everything else.
 */
class BlockWriter {
  private pos: number;
  private readonly lines: string[] = [];
  /** What the previous instruction left in fa/fb/fr: 'sub', 'logic' (32-bit inline producers) or null. */
  private producer: 'sub' | 'logic' | 'incdec' | null = null;
  private producerNow: 'sub' | 'logic' | 'incdec' | null = null;
  /** Whether the current instruction may fault (it is then where a fault rolls back to). */
  private mayFault = false;
  /** Whether fk may be non-zero here (an inline producer ran since the last store of the flags). */
  private flagsPending = true;
  /** EIP of each instruction written, in order. */
  readonly eips: number[] = [];
  /** For each instruction written: how many of its segment's instructions run before it (see `since`). */
  readonly retiredBefore: number[] = [];
  /** In-page targets of gotos and returns: the ones written get a case label in the second pass. */
  readonly targets = new Set<number>();
  /** Where runs of code start that are still to be written: hot branch targets and return addresses. */
  private readonly pending: number[] = [];
  /** EIP → index of each instruction written: a jump to written code becomes a goto. */
  private readonly written = new Map<number, number>();
  /** Return addresses of the calls whose callee is in the region: a RET dispatches among them. */
  private readonly callReturns = new Set<number>();
  /** EIPs given a case label, in label order (label 0 is the entry). */
  readonly labelEips: number[] = [];
  /**
   * Instructions of the current segment written so far. A segment starts at the region's entry, a label
   * or a goto; `n` counts the retired instructions of finished segments, so an exit adds `since` (+1).
   */
  private since = 0;
  /** Set by a template that moved `pos` to follow a jump inside the page. */
  private followed = false;
  private k = 0;

  /**
   * `executions(eip)`: how often the code at `eip` ran before (0 if never): only code that ran joins the
   * region. `labels`: the EIPs the first pass found jumped to (empty in the first pass).
   */
  constructor(
    private readonly u8: Uint8Array,
    private readonly page: number,
    private readonly lin: number,
    private readonly executions: (eip: number) => number,
    private readonly hasFpu: boolean,
    private readonly labels: ReadonlySet<number>,
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

  /** Writes the region: runs of code from the entry and from each hot target found; returns the count. */
  write(): number {
    this.pending.push(this.lin);
    while (this.pending.length > 0 && this.k < MAX_REGION_INSNS) {
      const start = this.pending.pop() as number;
      if (this.written.has(start)) continue;
      this.pos = start & 0xfff;
      this.since = 0;
      this.producer = null;
      this.flagsPending = true;
      this.writeRun();
    }
    return this.k;
  }

  /** Straight-line code from `pos` until a control transfer ends it or it reaches code already written. */
  private writeRun(): void {
    for (;;) {
      const start = this.pos;
      const eip = this.nextEip;
      if (this.written.has(eip)) {
        this.emitGoto(eip, this.since);
        return;
      }
      if (this.k >= MAX_REGION_INSNS || !endsInPage(this.u8, this.page, this.pos)) {
        this.emit(exitAt(eip, this.since));
        return;
      }
      if (this.labels.has(eip)) this.placeLabel(eip);
      this.insnEip = eip;
      const mark = this.lines.length;
      this.lines.push(`ip=${eip};`);
      this.mayFault = false;
      this.followed = false;
      this.producerNow = null;
      const flagsPending = this.flagsPending;
      let kind = this.instruction();
      if (kind === Emit.None) {
        // Undo what the template wrote before it gave up, including its idea of the pending flags.
        this.lines.length = mark + 1;
        this.flagsPending = flagsPending;
        this.pos = start;
        this.mayFault = false;
        this.producerNow = null;
        kind = this.interpreted(eip);
        if (kind === Emit.None) {
          this.lines.length = mark;
          this.emit(exitAt(eip, this.since));
          return;
        }
      }
      // Only an instruction that can fault needs its EIP recorded: it is where a fault rolls back to.
      if (!this.mayFault) this.lines[mark] = '';
      // After a followed jump the next instruction is not the fused partner of this one's flags.
      this.producer = this.followed ? null : this.producerNow;
      this.written.set(eip, this.k);
      this.eips.push(eip);
      this.retiredBefore.push(this.since);
      this.k++;
      this.since++;
      if (kind === Emit.Terminator) return;
    }
  }

  /**
   * A case label before the instruction at `eip`: code may jump here with any flags pending, and code
   * falling into it from above finishes its segment first.
   */
  private placeLabel(eip: number): void {
    if (this.since > 0) this.lines.push(`n+=${this.since};`);
    this.lines.push(`case ${this.labelEips.length}:`);
    this.labelEips.push(eip);
    this.since = 0;
    this.producer = null;
    this.flagsPending = true;
  }

  /**
   * The region's body: a `switch` on the label to run, inside the loop that gotos continue. Gotos back (to
   * code written at or before the jump, in the order the region is written) and returns check the budget
   * (room for the whole region) and interrupts first. Forward gotos need not: code that only falls through
   * and jumps forward in that order runs each instruction at most once, so no more than the region
   * between two checks. Gotos to code not in the region, and returns to no call of it, leave.
   */
  source(): string {
    const labelOf = new Map(this.labelEips.map((eip, i) => [eip, i]));
    const budget = this.k;
    const jump = (target: string, label: number) =>
      `if(left-n<${budget}||c.irqPending){pc=${target};break out;}bi=${label};continue out;`;
    const returns = [...this.callReturns].filter((eip) => labelOf.has(eip));
    const body = this.lines
      .join('\n')
      .replace(/@G(-?\d+),(\d+),(\d+)@/g, (_, target: string, retired: string, from: string) => {
        const label = labelOf.get(Number(target));
        if (label === undefined) return exitAt(target, Number(retired));
        const forward = (this.written.get(Number(target)) as number) > Number(from);
        return forward ? `n+=${retired};bi=${label};continue out;` : `n+=${retired};${jump(target, label)}`;
      })
      .replace(/@R(\d+)@/g, (_, retired: string) => {
        const cases = returns.map((eip) => `if(v===${eip}){${jump('v', labelOf.get(eip) as number)}}`);
        return `n+=${retired};${cases.join('')}pc=v;d=0;break out;`;
      })
      .replace(/\br\[(\d)\]/g, 'r$1');
    return `switch(bi){\n${body}\n}`;
  }

  /** Goes to `target` after `retired` instructions of this segment: a label of the region, or out. */
  private emitGoto(target: number, retired: number): void {
    if (this.inPage(target)) this.targets.add(target);
    this.emit(gotoMark(target, retired, this.k));
  }

  private inPage(eip: number): boolean {
    return ((eip ^ this.lin) & ~0xfff) === 0;
  }

  /** Code that ran before (or is in the region already): worth a place in the region. */
  private hot(eip: number): boolean {
    return this.written.has(eip) || (this.inPage(eip) && this.executions(eip) > 0);
  }

  /** Queues the run at `eip` for writing when it is hot and not written yet. */
  private enqueue(eip: number): void {
    if (this.hot(eip) && !this.written.has(eip)) this.pending.push(eip);
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
    // Operands are read before fa/fb change: a faulting read must leave the pending flags intact.
    this.emit(`t=${a};v=${b};fa=t;fb=v;fr=${result};fk=${lazyOp + 1};`);
    this.flagsPending = true;
    this.producerNow = lazyOp === LAZY_LOGIC ? 'logic' : aop === 0 ? null : 'sub';
    return 'fr';
  }

  /**
   * A 32-bit result whose six flags the lazy op `lazyOp` derives from fa, fb and fr (see LazyOp): the flags
   * stay pending in locals like an inline ALU's. Returns the result expression.
   */
  private inlineProducer(a: string, b: string, result: string, lazyOp: number): string {
    this.emit(`t=${a};v=${b};fa=t;fb=v;fr=${result};fk=${lazyOp + 1};`);
    this.flagsPending = true;
    this.producerNow = null;
    return 'fr';
  }

  /** INC/DEC r32 inline: CF is computed into `flags` (it survives), the other five become lazy. */
  private inlineIncDec(n: number, dec: boolean): void {
    this.materializeFlags();
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
    if (FLAG_HELPER_CALL.test(line)) this.materializeFlags();
    this.lines.push(line);
  }

  /** Stores the pending inline flags into the CpuCore (before fa/fb/fr are reused or a helper runs). */
  private materializeFlags(): void {
    if (!this.flagsPending) return;
    this.lines.push(MATERIALIZE_FLAGS);
    this.flagsPending = false;
  }

  /** After a store: leave if it hit compiled code (the rest of this region may be stale). */
  private emitStoreCheck(): void {
    this.emit(`if(sm){${exitAt(this.nextEip, this.since + 1)}}`);
  }

  /** Whether the run can go on at `target` without a goto: in this page, not yet written, and room left. */
  private canFollow(target: number): boolean {
    return this.inPage(target) && !this.written.has(target) && this.k + 1 < MAX_REGION_INSNS;
  }

  /** Continues writing at `target` (same page): the jump costs nothing at run time. */
  private follow(target: number): Emit {
    this.pos = target & 0xfff;
    this.followed = true;
    return Emit.Normal;
  }

  /** An unconditional jump to a constant target: followed when it can be, else a goto. */
  private emitJump(target: number): Emit {
    if (this.canFollow(target)) return this.follow(target);
    this.emitGoto(target, this.since + 1);
    return Emit.Terminator;
  }

  /** A jump to a computed target (`v`) leaves the region. */
  private emitIndirectJump(): Emit {
    this.emit(exitAt('v', this.since + 1));
    return Emit.Terminator;
  }

  // ---- Operands ----------------------------------------------------------------------------------------

  private modrm = 0;
  /** How far the page of the current instruction's `ea` has been checked (see `checkEa`). */
  private eaChecked = EaCheck.None;
  /** The segment-override prefix of the current instruction (SEG_ES..SEG_GS), or -1. */
  private seg = -1;
  private insnEip = 0;

  /** Reads ModR/M (+SIB/disp); for memory forms emits `ea=...;`. Returns false for forms not compiled. */
  private operand(): boolean {
    const modrm = this.byte();
    this.modrm = modrm;
    if (modrm >= 0xc0) return true;
    this.mayFault = true;
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
    } else {
      this.emit(`if((c.segCheckMask&${1 << this.seg})!==0){${exitAt(this.insnEip, this.since)}}`);
      this.emit(`ea=(${offset}+c.segBase[${this.seg}])|0;`);
    }
    this.eaChecked = EaCheck.None;
  }

  /**
   * Loads `q`, the RAM page of `ea` for reading or writing, from the TLB, walking the tables on a miss.
   * When the walk faults the region leaves before this instruction (nothing of it done yet), and the
   * decoded tier takes the page fault without unwinding (a fault thrown here would cost the host a
   * microsecond or more). Code frames are never in the write TLB, so a store to code always leaves too.
   * Each instruction checks once.
   */
  private checkEa(write: boolean): void {
    const need = write ? EaCheck.Write : EaCheck.Read;
    if (this.eaChecked >= need) return;
    const tlb = write ? 'TW' : 'TR';
    this.emit(`q=${tlb}[ea>>>12];if(q<0&&(q=m.tlbPage(ea,${write}))<0){${exitAt(this.insnEip, this.since)}}`);
    this.eaChecked = need;
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

  /** The r/m operand as an expression (memory: checks `ea` first, see `checkEa`). */
  private rmRead(width: number): string {
    if (this.isReg) return width === 8 ? BlockWriter.get8(this.modrm & 7) : `r[${this.modrm & 7}]`;
    this.checkEa(false);
    return width === 8 ? 'M8[q|ea&4095]' : width === 16 ? 'm.read16(ea)' : LOAD32_EA;
  }

  private rmWrite(width: number, value: string): void {
    if (this.isReg) {
      const n = this.modrm & 7;
      this.emit(width === 8 ? BlockWriter.set8(n, value) : `r[${n}]=${value};`);
      return;
    }
    this.checkEa(true);
    if (width === 8) {
      this.emit(`M8[q|ea&4095]=${value};`);
      return;
    }
    this.emit(storeEa32(value));
    this.emitStoreCheck();
  }

  /**
   * PUSH at 32 bits on the flat stack, before anything else of the instruction changed: an unaligned ESP or
   * a page the walk cannot put in the write TLB (a fault, a code frame) leaves the region before the
   * instruction, for the decoded tier. ESP changes only after the store.
   */
  private push32(value: string): string {
    const leave = exitAt(this.insnEip, this.since);
    const page = 'p=TW[sp>>>12];if((p<0&&(p=m.tlbPage(sp,true))<0)||(sp&3)!==0)';
    return `sp=(r[4]-4)|0;${page}{${leave}}M32[(p|sp&4095)>>2]=${value};r[4]=sp;`;
  }

  /** POP at 32 bits into `v`; leaves as `push32` does. */
  private pop32(): string {
    const leave = exitAt(this.insnEip, this.since);
    const page = 'p=TR[r[4]>>>12];if((p<0&&(p=m.tlbPage(r[4],false))<0)||(r[4]&3)!==0)';
    return `${page}{${leave}}v=M32[(p|r[4]&4095)>>2];r[4]=(r[4]+4)|0;`;
  }

  private regRead(width: number, n: number): string {
    return width === 8 ? BlockWriter.get8(n) : `r[${n}]`;
  }

  private regWrite(width: number, n: number, value: string): void {
    this.emit(width === 8 ? BlockWriter.set8(n, value) : `r[${n}]=${value};`);
  }

  /**
   * Before a read-modify-write of r/m: its page is writable (so readable), and an unaligned access, which
   * may reach into the next page, is checked whole before the read, so a fault leaves nothing changed.
   */
  private probeRmw(width: number): void {
    if (this.isReg) return;
    this.checkEa(true);
    if (width > 8) this.emit(`if((ea&${width / 8 - 1})!==0)m.probeWrite(ea,${width / 8});`);
  }

  // ---- Instructions ------------------------------------------------------------------------------------

  private instruction(): Emit {
    if (this.u8[this.page + this.pos] === 0xf0) return this.locked();
    let op = this.byte();
    this.seg = -1;
    const override = SEGMENT_OVERRIDES.indexOf(op);
    if (override >= 0) {
      this.seg = override;
      op = this.byte();
      if (SEGMENT_OVERRIDES.includes(op)) return Emit.None;
    }
    if (op < 0x40 && (op & 7) < 6) return this.aluForm(op);
    if (op >= 0xd8 && op <= 0xdf) return this.x87Escape(op);
    if (op >= 0x70 && op < 0x80) {
      const disp = this.sbyte();
      return this.conditionalJump(op & 0xf, disp);
    }
    if (op >= 0x40 && op < 0x50) {
      this.inlineIncDec(op & 7, op >= 0x48);
      return Emit.Normal;
    }
    if (op >= 0x50 && op < 0x58) {
      this.mayFault = true;
      this.emit(this.push32(`r[${op & 7}]`));
      return Emit.Normal;
    }
    if (op >= 0x58 && op < 0x60) {
      this.mayFault = true;
      this.emit(`${this.pop32()}r[${op & 7}]=v;`);
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

  /**
   * An instruction without a template runs in place in the interpreter's `step`, with every register in
   * the core; the run goes on after it when EIP is where the instruction's length says (anything else
   * — a jump, a REP restarting itself, an exit such as a syscall — leaves). `st` tells the catch that a
   * fault came from inside `step`: the core then holds the interpreter's own fault state (a REP keeps its
   * progress) and only ESP needs the interpreter's rollback. Instructions that load DS, SS, ES or CS are
   * never run here: the region's code assumes flat data segments throughout.
   */
  private interpreted(eip: number): Emit {
    const length = steppableLength(this.u8, this.page + this.pos, this.page + 4096);
    if (length < 0) return Emit.None;
    this.mayFault = true;
    this.materializeFlags();
    const next = (eip + length) | 0;
    this.emit(`${SYNC_REGS_OUT}c.eip=ip;st=1;x=step(c);st=0;${SYNC_ALL_IN}`);
    // An instruction that answered FAULTED did not retire.
    const retired = `x===${FAULTED}?${this.since}:${this.since + 1}`;
    this.emit(`if(x!==${CONTINUE}||c.eip!==${next}){pc=c.eip;d=${retired};break out;}`);
    this.pos += length;
    return Emit.Normal;
  }

  /**
   * LOCK: one CPU runs one instruction at a time (threads switch between instructions), so a locked
   * read-modify-write is atomic already; only its legality matters. Forms LOCK may not prefix, or with a
   * register destination, stay interpreted (it raises #UD).
   */
  private locked(): Emit {
    const op = this.u8[this.page + this.pos + 1];
    const twoByteOp = this.u8[this.page + this.pos + 2];
    const modrm = this.u8[this.page + this.pos + (op === 0x0f ? 3 : 2)];
    const reg = (modrm >> 3) & 7;
    const lockable =
      op === 0x0f
        ? twoByteOp === 0xb1 || twoByteOp === 0xc1
        : (op < 0x38 && (op & 7) === 1) ||
          ((op === 0x81 || op === 0x83) && reg !== 7) ||
          (op === 0xff && reg < 2) ||
          (op === 0xf7 && (reg === 2 || reg === 3)) ||
          op === 0x87;
    if (!lockable || modrm >= 0xc0) return Emit.None;
    this.pos++;
    return this.instruction();
  }

  /**
   * D8..DF: the x87 unit executes the instruction as it does for the interpreter; the region saves the fetch,
   * the decode and a return to the run loop. Common forms call an entry point decoded now (fpu/trace-entry.ts)
   * and fall back to `execute`, which reads the instruction's EIP (FIP) from s[0]. Only FCMOVcc reads EFLAGS
   * and only FCOMI and friends write them, so pending flags are stored for those alone; FCOMI's entry returns
   * its ZF/PF/CF, set here over the other status flags. FNSTSW AX reads the status word into AX. An FPU store
   * that hits compiled code ends the region after it, as an integer store does.
   */
  private x87Escape(op: number): Emit {
    if (!this.hasFpu) return Emit.None; // the interpreter raises #NM
    this.operand();
    this.mayFault = true; // #MF, #NM, stack faults
    const modrm = this.modrm;
    this.emit('c.fpuTouched=true;');
    const call = `c.fpu.execute(${op},${modrm},${this.isReg ? 0 : 'ea'},false);`;
    if (op === 0xdf && modrm === 0xe0) {
      this.emit('r[0]=(r[0]&-65536)|c.fpu.state.statusWord();');
      return Emit.Normal;
    }
    const eflags = x87EflagsEntry(op, modrm);
    if (eflags !== null) {
      this.materializeFlags();
      this.emit(
        `s[0]=ip;t=${eflags};if(t<0){${call}}else{c.flags=(c.flags&${~FLAGS_STATUS})|t;c.lazyMask=0;}`,
      );
      return Emit.Normal;
    }
    if (this.isReg && (op === 0xda || op === 0xdb) && modrm < 0xe0) this.materializeFlags(); // FCMOVcc
    const entry = x87TraceEntry(op, modrm);
    const stores = !this.isReg && X87_MEMORY_STORES[op - 0xd8] & (1 << this.reg);
    // The unit reaches memory through the MMU; checking the page first leaves instead of faulting.
    if (!this.isReg) this.checkEa(stores !== 0);
    if (stores) this.emit('c.smcPending=false;');
    this.emit(entry !== null ? `s[0]=ip;if(!${entry})${call}` : `s[0]=ip;${call}`);
    if (stores) {
      this.emit('sm=c.smcPending;');
      this.emitStoreCheck();
    }
    return Emit.Normal;
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
      if (form < 2 && aop !== ALU_CMP) this.probeRmw(32);
      const dest = form < 2 ? this.rmRead(32) : this.regRead(32, this.reg);
      const src = form < 2 ? this.regRead(32, this.reg) : this.rmRead(32);
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

  /**
   * Jcc: a goto when the condition holds, and the run goes on with the next instruction. When only the
   * target ever ran, the run follows the target instead and the next instruction is the goto.
   */
  private conditionalJump(cc: number, disp: number): Emit {
    const next = this.nextEip;
    const target = (next + disp) | 0;
    const condition = this.condition(cc);
    this.enqueue(target);
    if (this.hot(next) || !this.hot(target)) {
      this.emit(`if(${condition}){${gotoMark(target, this.since + 1, this.k)}}`);
      if (this.inPage(target)) this.targets.add(target);
      return Emit.Normal;
    }
    this.emit(`if(!(${condition})){${gotoMark(next, this.since + 1, this.k)}}`);
    if (this.inPage(next)) this.targets.add(next);
    return this.emitJump(target);
  }

  private otherOneByte(op: number): Emit {
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
        this.mayFault = true;
        this.emit(this.push32(`${this.dword()}`));
        return Emit.Normal;
      case 0x6a:
        this.mayFault = true;
        this.emit(this.push32(`${this.sbyte()}`));
        return Emit.Normal;
      case 0x69:
      case 0x6b: {
        this.operand();
        const imm = op === 0x69 ? this.dword() : this.sbyte();
        this.emit(
          `r[${this.reg}]=${this.inlineProducer(this.rmRead(32), `${imm}`, 'Math.imul(fa,fb)', LazyOp.IMUL)};`,
        );
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
        this.probeRmw(32);
        this.emit(`t=${LOAD32_EA};${storeEa32(`r[${this.reg}]`)}`);
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
        this.mayFault = false;
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
        this.mayFault = true;
        this.emit(`${this.pop32()}${returnMark(this.since + 1)}`);
        return Emit.Terminator;
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
        this.emit(`c.syscallGate=0;x=${EXIT_SYSCALL};${exitAt(this.nextEip, this.since + 1)}`);
        return Emit.Terminator;
      case 0xe8: {
        const disp = this.dword();
        this.mayFault = true;
        this.emit(this.push32(`${this.nextEip}`));
        const target = (this.nextEip + disp) | 0;
        // A callee in the region returns through the RET dispatch to the code after this call.
        if (this.canFollow(target) || this.written.has(target)) {
          this.callReturns.add(this.nextEip);
          this.targets.add(this.nextEip);
          this.enqueue(this.nextEip);
        }
        return this.emitJump(target);
      }
      case 0xe9: {
        const disp = this.dword();
        return this.emitJump((this.nextEip + disp) | 0);
      }
      case 0xeb: {
        const disp = this.sbyte();
        return this.emitJump((this.nextEip + disp) | 0);
      }
      case 0xf6: {
        // TEST r/m8, imm8 only; the other F6 forms stay interpreted.
        this.operand();
        if (this.reg !== 0) return Emit.None;
        this.emit(`setLazy(c,${LAZY_LOGIC},0,0,${this.rmRead(8)}&${this.byte()},255);`);
        return Emit.Normal;
      }
      case 0xfc:
      case 0xfd:
        // CLD/STD: DF is no status flag, so the lazy flags are not involved.
        this.emit(op === 0xfc ? `c.flags&=${~FLAG_DF};` : `c.flags|=${FLAG_DF};`);
        return Emit.Normal;
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
    this.mayFault = false;
    return Emit.Normal;
  }

  /** MOV AL/EAX <-> [moffs32] (A0..A3): glibc's `mov %gs:0x14, %eax` stack-protector load is one. */
  private moffs(op: number): Emit {
    this.mayFault = true;
    this.emitEa(`${this.dword()}`);
    const width = (op & 1) === 0 ? 8 : 32;
    this.modrm = 0; // a memory operand, for rmRead and rmWrite
    if (op < 0xa2) this.regWrite(width, 0, this.rmRead(width));
    else this.rmWrite(width, width === 8 ? 'r[0]&255' : 'r[0]');
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
    const inline = INLINE_SHIFTS[kind];
    if (this.isReg && op !== 0xd3 && count !== '0' && inline !== undefined) {
      const n = this.modrm & 7;
      this.emit(`r[${n}]=${this.inlineProducer(`r[${n}]`, count, `fa${inline.operator}fb`, inline.lazyOp)};`);
      return Emit.Normal;
    }
    this.emit(`t=${count};`);
    const read = this.rmRead(32);
    if (this.isReg) {
      this.emit(`if(t!==0){r[${this.modrm & 7}]=shiftRotate(c,${kind},${read},t,-1);}`);
      return Emit.Normal;
    }
    this.emit(
      `if(t!==0){m.probeWrite(ea,4);${store32('ea', `shiftRotate(c,${kind},${read},t,-1)`)}}else{${read};}`,
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
        // CF = OF = high half not zero: the MUL lazy op keeps the high half as its `a`.
        this.emit(`v=${read};mulU32(r[0],v);r[0]=product.lo;r[2]=product.hi;`);
        this.inlineProducer('r[2]', '0', 'r[0]', LazyOp.MUL);
        return Emit.Normal;
      case 5:
        this.emit(`v=${read};${SYNC_EDX_EAX_OUT}imul1(c,v,-1);${SYNC_EDX_EAX_IN}`);
        return Emit.Normal;
      case 6:
        this.mayFault = true; // #DE
        this.emit(`v=${read};${SYNC_EDX_EAX_OUT}div(c,v,-1);${SYNC_EDX_EAX_IN}`);
        return Emit.Normal;
      case 7:
        this.mayFault = true; // #DE
        this.emit(`v=${read};${SYNC_EDX_EAX_OUT}idiv(c,v,-1);${SYNC_EDX_EAX_IN}`);
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
        this.mayFault = true;
        this.emit(`v=${read};${this.push32(`${this.nextEip}`)}`);
        return this.emitIndirectJump();
      case 4:
        this.emit(`v=${read};`);
        return this.emitIndirectJump();
      case 6:
        this.mayFault = true;
        this.emit(`v=${read};${this.push32('v')}`);
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
      case 0xb1:
      case 0xc1: {
        // CMPXCHG / XADD r/m32, r32 through the interpreter's routines (they may store: SMC check after).
        this.operand();
        this.mayFault = true;
        const helper = op === 0xb1 ? 'cmpxchg' : 'xadd';
        this.emit(
          `${SYNC_ALL_OUT}c.smcPending=false;${helper}(c,${this.modrm},-1);sm=c.smcPending;${SYNC_ALL_IN}`,
        );
        this.emitStoreCheck();
        return Emit.Normal;
      }
      case 0xaf:
        this.operand();
        this.emit(
          `r[${this.reg}]=${this.inlineProducer(`r[${this.reg}]`, this.rmRead(32), 'Math.imul(fa,fb)', LazyOp.IMUL)};`,
        );
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

/**
 * A goto placeholder from the `from`-th instruction written, resolved to a label or an exit once the
 * region's labels are known (`source`).
 */
function gotoMark(target: number, retired: number, from: number): string {
  return `@G${target},${retired},${from}@`;
}

/** A RET placeholder: goes to `v` among the region's return addresses, or leaves. */
function returnMark(retired: number): string {
  return `@R${retired}@`;
}

/**
 * Leaves the region at `eip` (a constant or `v`) with `retired` instructions of this segment done. Only
 * constants go into locals here: a way out that never ran before V8 optimized the function then needs no
 * type feedback, and taking it later does not deoptimize the function.
 */
function exitAt(eip: number | string, retired: number): string {
  return `pc=${eip};d=${retired};break out;`;
}

/**
 * The function around a region body. Guest registers live in locals `r0`..`r7` for the whole call (V8 keeps
 * them in machine registers) and go back to the CpuCore's array on the way out; the EIP of the instruction
 * running is the local `ip`, the label to run next `bi`. Every way out goes through the code after the
 * loop. A fault unwinds to the catch, which stores what the run loop needs: registers, pending flags, the
 * faulting EIP (s[0]) and the instructions retired in finished segments (s[2]); it hands the exception to
 * the run loop in `c.caught` and returns TRACE_CAUGHT, as a rethrow would cost the host another unwind.
 */
function traceFunctionSource(body: string): string {
  const written = new Set([...body.matchAll(/\br(\d)=(?!=)/g)].map((m) => Number(m[1])));
  // Only the registers the region mentions become locals: each costs a load on every call.
  const used = new Set([...body.matchAll(/\br(\d)\b/g)].map((m) => Number(m[1])));
  const loadRegs = [...used].map((n) => `,r${n}=R[${n}]`).join('');
  const storeRegs = [...written].map((n) => `R[${n}]=r${n};`).join('');
  return (
    `"use strict";return function trace(c,R,m,s,left,bi){let ea=0,q=0,v=0,t=0,w=0,p=0,sp=0,fa=0,fb=0,fr=0,fk=0,n=0,d=0,pc=0,ip=0,sm=false,st=0,x=${CONTINUE}${loadRegs};` +
    'const L=c.lazy,TR=m.tlbRead,TW=m.tlbWrite,M8=m.u8,M32=m.i32;' +
    `try{out:for(;;){\n${body}\n}}catch(e){if(st===0){${storeRegs}}else{R[4]=s[1];}${MATERIALIZE_FLAGS}s[0]=ip;s[2]=n;c.caught=e;return ${TRACE_CAUGHT};}` +
    `n+=d;${storeRegs}${MATERIALIZE_FLAGS}c.eip=pc;c.blockRetired=n;return x;};`
  );
}

/**
 * Compiles the region entered at `b.lin` (physical page `page`) into `b`, and makes it the compiled code of
 * every other decoded block it starts a segment at (`blockAt` finds them): a block whose code is in a
 * region already is not compiled again for an entry of its own. Returns how many blocks became its entries
 * (installRegion), 0 when the entry's first instruction has no template (the counter that asked has passed
 * the threshold, so it is not asked again).
 */
export function compileBlock(
  c: CpuCore,
  b: Block,
  page: number,
  executions: (eip: number) => number,
  blockAt: (eip: number) => Block | null,
): number {
  const hasFpu = c.fpu !== null;
  // The first pass finds what is jumped to; the second writes the same code with labels there and at each
  // decoded block's start.
  const survey = new BlockWriter(c.mmu.u8, page, b.lin, executions, hasFpu, new Set());
  if (survey.write() === 0) return 0;
  const entries = survey.eips.filter((eip) => eip !== b.lin && isLabelOfNewRegion(blockAt(eip)));
  const labels = new Set([b.lin, ...survey.targets, ...entries]);
  const writer = new BlockWriter(c.mmu.u8, page, b.lin, executions, hasFpu, labels);
  const count = writer.write();
  const factory = new Function(...HELPER_NAMES, traceFunctionSource(writer.source()));
  const fn = factory(...HELPERS) as BlockFn;
  return installRegion(b, blockAt, {
    fn,
    callInsns: JS_REGION_CALL_INSNS,
    chainIndex: -1,
    labelEips: writer.labelEips,
    count,
    eips: Int32Array.from(writer.eips),
    retiredBefore: Int32Array.from(writer.retiredBefore),
  });
}

/**
 * Most instructions one call of a JS region may run. Regions loop inside themselves; coming back now and
 * then lets V8 see their way out run before it optimizes a long loop on the stack (a way out first taken in
 * optimized code deoptimizes it, and V8 re-enters that same code at the loop again and again).
 */
const JS_REGION_CALL_INSNS = 4096;

/** A compiled region as the run loop enters it, whichever compiler wrote it. */
export interface CompiledRegion {
  readonly fn: BlockFn;
  /** Most instructions one call may run (the run loop passes no larger budget). */
  readonly callInsns: number;
  /** A WebAssembly region's slot in the region chain's table; -1 for a JS region. */
  readonly chainIndex: number;
  /** The EIP at each label, label 0 being the entry. */
  readonly labelEips: readonly number[];
  /** Instructions in the region, and for each its EIP and the instructions of its segment before it. */
  readonly count: number;
  readonly eips: Int32Array;
  readonly retiredBefore: Int32Array;
}

/**
 * Whether a decoded block inside a region being compiled gets a label there, so it can enter the region: it
 * belongs to no region yet and is no `midway` block.
 */
export function isLabelOfNewRegion(b: Block | null): boolean {
  return b !== null && b.fn === null && !b.midway;
}

/**
 * Makes `region` the compiled code of the block `b` it was compiled for and of every other decoded block
 * at one of its labels that has none yet (`blockAt` finds them). Returns how many blocks became its entries.
 */
export function installRegion(
  b: Block,
  blockAt: (eip: number) => Block | null,
  region: CompiledRegion,
): number {
  let entries = 0;
  region.labelEips.forEach((eip, label) => {
    const entry = eip === b.lin ? b : blockAt(eip);
    if (entry === null || (entry !== b && entry.fn !== null)) return;
    entries++;
    entry.fn = region.fn;
    entry.close();
    entry.entryLabel = label;
    entry.length = region.count;
    entry.callInsns = region.callInsns;
    entry.chainIndex = region.chainIndex;
    entry.insnEips = region.eips;
    entry.insnRetiredBefore = region.retiredBefore;
  });
  return entries;
}
