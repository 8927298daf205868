/**
 * The arch plugin: a CPU that runs ring-3 guest code out of emulated physical memory until the kernel is
 * needed, then returns why (the gVisor "platform" model). The kernel handles the exit in TypeScript — a
 * syscall, a page fault, an interrupt — and calls `run` again. Layer: the ABI; imports nothing.
 *
 * Hot-path shape: `run` returns a small integer and leaves the details in fields the CPU reuses, so an exit
 * allocates nothing.
 */
import type { PhysAddr, PhysicalMemory, VirtAddr } from './memory.js';
import type { PluginContext, PluginManifest } from './plugin.js';

/** Why `Cpu.run` returned. */
export const RunExit = {
  /** The instruction budget is spent: the time slice ended. */
  Budget: 0,
  /** The guest asked for the kernel: `int 0x80` or `sysenter` (see `Cpu.syscallGate`). EIP is past it. */
  Syscall: 1,
  /**
   * An exception: `Cpu.fault` holds vector, error code and CR2. For a fault (`FaultInfo.trap` false) EIP and
   * registers are as before the instruction, which can be restarted; for a trap (#BP, #OF, #DB from INT1 or
   * single-step) the instruction has completed and EIP is past it, as the hardware reports them.
   */
  Fault: 2,
  /** `requestInterrupt` was called: a device raised a line. EIP is at an instruction boundary. */
  Irq: 3,
  /** The guest executed `hlt` (in ring 3 that is #GP, so this comes only from kernel-set-up code). */
  Halt: 4,
} as const;
export type RunExit = (typeof RunExit)[keyof typeof RunExit];

/** Which instruction entered the kernel on `RunExit.Syscall`; the kernel returns with the matching path. */
export const SyscallGate = { Int80: 0, Sysenter: 1 } as const;
export type SyscallGate = (typeof SyscallGate)[keyof typeof SyscallGate];

/** General registers in the i386 encoding order (the `reg` field of ModR/M). */
export const Reg = { EAX: 0, ECX: 1, EDX: 2, EBX: 3, ESP: 4, EBP: 5, ESI: 6, EDI: 7 } as const;
export type Reg = (typeof Reg)[keyof typeof Reg];

/** Segment registers in the i386 encoding order (the `sreg` field of `mov sreg`). */
export const SegReg = { ES: 0, CS: 1, SS: 2, DS: 3, FS: 4, GS: 5 } as const;
export type SegReg = (typeof SegReg)[keyof typeof SegReg];

/** Exception vectors the CPU reports, named as the Intel SDM names them. */
export const Vector = {
  DE: 0,
  DB: 1,
  NMI: 2,
  BP: 3,
  OF: 4,
  BR: 5,
  UD: 6,
  NM: 7,
  DF: 8,
  TS: 10,
  NP: 11,
  SS: 12,
  GP: 13,
  PF: 14,
  MF: 16,
  AC: 17,
  MC: 18,
  XM: 19,
} as const;

/** Bits of the #PF error code (Intel SDM vol. 3, 4.7). */
export const PF_P = 1;
export const PF_W = 2;
export const PF_U = 4;

/** Details of the last `RunExit.Fault`; the object is reused by the CPU. `errorCode` is -1 when the vector has none. */
export interface FaultInfo {
  readonly vector: number;
  readonly errorCode: number;
  /** The faulting linear address for #PF; 0 otherwise. */
  readonly cr2: number;
  /**
   * Since ABI 1.1. True for a trap-class exception (#BP from INT3/INT 3, #OF from INTO, #DB from INT1 or
   * single-step): the instruction completed and EIP is past it. False for a fault: EIP is the faulting
   * instruction's and running again restarts it. Absent from CPUs built for 1.0, which report #BP, #OF and
   * #DB as traps and everything else as faults.
   */
  readonly trap?: boolean;
}

/** The four registers `cpuid` leaves for one leaf and subleaf, as unsigned 32-bit numbers. */
export interface CpuidResult {
  readonly eax: number;
  readonly ebx: number;
  readonly ecx: number;
  readonly edx: number;
}

/**
 * The register state of one thread, saved on a context switch or a signal and restored later. The kernel owns
 * these objects; the CPU fills and reads them. `fpu` is an FXSAVE image (512 bytes, Intel SDM vol. 1, 10.5.1).
 */
export interface CpuContext {
  readonly gpr: Int32Array;
  eip: number;
  eflags: number;
  readonly seg: Uint16Array;
  readonly fpu: Uint8Array;
}

/** x87 state images the kernel puts in signal frames: FNSAVE (108 bytes) and FXSAVE (512 bytes). */
export type FpuImageFormat = 'fnsave' | 'fxsave';

export interface Cpu {
  /** Runs guest code for at most `budgetInsns` instructions; returns why it stopped. */
  run(budgetInsns: number): RunExit;
  /** Valid after `RunExit.Fault`. */
  readonly fault: FaultInfo;
  /** Valid after `RunExit.Syscall`. */
  readonly syscallGate: SyscallGate;
  /** Instructions retired since creation: the guest's clock. */
  readonly insns: number;

  getReg(reg: Reg): number;
  setReg(reg: Reg, value: number): void;
  eip: number;
  /** Reading gives the architectural EFLAGS; writing sets the bits a ring-3 program may hold (IF stays set). */
  eflags: number;
  getSeg(seg: SegReg): number;
  /** Loads a selector with the checks of `mov sreg` at CPL 3; throws an Error with a reason when it would fault. */
  setSeg(seg: SegReg, selector: number): void;

  /** Writes GDT entry `index` (8 bytes as two dwords); selectors referring to it are reloaded on next load. */
  setGdtEntry(index: number, low: number, high: number): void;
  getGdtEntry(index: number): [low: number, high: number];
  /** Replaces the LDT (for `modify_ldt`): `entries` holds two dwords per descriptor. */
  setLdt(entries: Uint32Array): void;

  /** Loads CR3 (the page directory's physical address) and flushes the TLB. */
  setCr3(pageDirectory: PhysAddr): void;
  readonly cr3: PhysAddr;
  /** Drops the TLB entry for one page, as `invlpg`. */
  invlpg(addr: VirtAddr): void;
  flushTlb(): void;
  /**
   * The kernel wrote guest physical memory directly (loading a program, copying a COW page, reusing a frame):
   * any decoded or compiled code from that range is stale.
   */
  invalidateCode(addr: PhysAddr, sizeBytes: number): void;

  /** Makes `run` return `RunExit.Irq` at the next instruction boundary. Safe to call from device callbacks. */
  requestInterrupt(): void;

  saveContext(into: CpuContext): void;
  restoreContext(from: CpuContext): void;
  newContext(): CpuContext;
  /** Writes the x87/SSE state in `format` into `into` (FNSAVE does not reinitialise the FPU here). */
  saveFpu(format: FpuImageFormat, into: Uint8Array): void;
  restoreFpu(format: FpuImageFormat, from: Uint8Array): void;
  /** FNINIT: the FPU state a new program starts with. */
  resetFpu(): void;

  /**
   * Since ABI 1.1, optional. What the guest's `cpuid` instruction answers for `leaf` (EAX) and `subleaf`
   * (ECX), without touching the registers: the kernel derives AT_HWCAP and /proc/cpuinfo from it. Without
   * it the kernel describes an i686 with FPU, TSC, CX8, CMOV, MMX, FXSR, SSE and SSE2.
   */
  cpuid?(leaf: number, subleaf: number): CpuidResult;
  /**
   * Since ABI 1.1, optional. Counters the CPU chooses to show (names are identifiers, values non-negative
   * integers; the set is the plugin's own and may change between its versions). The kernel shows them in
   * /proc/kmos/cpu. A fresh object per call: it is not on a hot path.
   */
  stats?(): Record<string, number>;
}

export interface ArchContext extends PluginContext {
  readonly memory: PhysicalMemory;
}

export interface ArchPlugin extends PluginManifest {
  readonly kind: 'arch';
  /** The CPU's name as `/proc/cpuinfo` shows it. */
  readonly modelName: string;
  /**
   * Since ABI 1.2, optional: bytes of the arch's own state (a TLB, registers) to keep beside RAM in one
   * WebAssembly memory (PhysicalMemory.wasm), where code it compiles to WebAssembly reaches them. A kernel
   * that keeps RAM elsewhere gives none; the arch must then work without.
   */
  readonly stateBytes?: number;
  createCpu(ctx: ArchContext): Cpu;
}
