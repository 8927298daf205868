/**
 * Runs a static i386 ELF on the emulated CPU (an `ArchPlugin` such as @kmos/cpu-i386) the way Linux would
 * start it, serving only the syscalls the test programs use: write(4), exit(1), exit_group(252). Anything
 * else that stops the CPU (a fault, an unknown syscall, hlt, an exception thrown by the CPU, too many instructions) ends the run with a
 * failure report naming vector, error code, CR2, EIP and the code bytes there.
 *
 * Temporary: when the kernel gains `kmos run`, this file goes and the suite runs programs through it.
 */
import {
  type ArchPlugin,
  type Cpu,
  type Logger,
  type PhysAddr,
  Reg,
  RunExit,
  SegReg,
  type VirtAddr,
} from '@kmos/abi-driver';
import { loadElf } from './elf-loader.js';
import { createGuestRam } from './guest-ram.js';
import { PageTables } from './page-tables.js';

const RAM_BYTES = 64 * 1024 * 1024;
/** The stack sits where Linux puts it on i386: just below the 3 GiB kernel split. */
const STACK_TOP = 0xc000_0000;
const STACK_BYTES = 256 * 1024;
/** argc, argv[0], envp[0], auxv[0] (two words), rounded up to keep ESP 16-byte aligned as Linux does. */
const INITIAL_STACK_WORDS = 8;
/** Linux's flat user segments (arch/x86/include/asm/segment.h): GDT 14 = user code, 15 = user data. */
const GDT_USER_CS = 14;
const GDT_USER_DS = 15;
const USER_DS_SELECTOR = (GDT_USER_DS << 3) | 3;
/** Flat 4 GiB descriptors, DPL 3, 32-bit, 4 KiB granularity (Intel SDM vol. 3, 3.4.5). */
const FLAT_CODE_DPL3: [number, number] = [0x0000_ffff, 0x00cf_fa00];
const FLAT_DATA_DPL3: [number, number] = [0x0000_ffff, 0x00cf_f200];
/** What Linux gives a new process: IF and the always-one bit 1. */
const INITIAL_EFLAGS = 0x202;

const SYS_exit = 1;
const SYS_write = 4;
const SYS_exit_group = 252;
const EFAULT = 14;

/** Instructions per `run` call; the loop only checks the total between slices. */
const SLICE_INSNS = 10_000_000;

export type EmulatedResult =
  | { readonly ok: true; readonly stdout: string; readonly exitCode: number; readonly insns: number }
  | { readonly ok: false; readonly stdout: string; readonly failure: string };

const silentLog: Logger = {
  debugEnabled: false,
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
};

/**
 * The largest group needs about 30 million instructions; ten times that ends a runaway guest (a CPU bug
 * that loops) well inside vitest's timeout, with a report instead of a hang.
 */
const DEFAULT_MAX_INSNS = 300_000_000;

/** `compiler`: the CPU's option for what hot code becomes (JS functions or WebAssembly). */
export function runOnEmulatedCpu(
  plugin: ArchPlugin,
  image: Uint8Array,
  maxInsns = DEFAULT_MAX_INSNS,
  compiler: 'js' | 'wasm' = 'js',
): EmulatedResult {
  const ram = createGuestRam(RAM_BYTES, plugin.stateBytes ?? 0);
  const tables = new PageTables(ram);
  const elf = loadElf(image, tables);
  tables.mapRange((STACK_TOP - STACK_BYTES) as VirtAddr, STACK_BYTES);
  const panic = (message: string): never => {
    throw new Error(`CPU panic: ${message}`);
  };
  // Compile code on its second execution: the loops over operand values then run in compiled traces, so
  // the host comparison checks the trace compiler (instructions without templates still interpret).
  const options = { jitThreshold: 2, compiler };
  const cpu = plugin.createCpu({ memory: ram.memory, log: silentLog, options, panic });
  setUpLinuxUserState(cpu, tables.directory, elf.entry);
  return serveSyscalls(cpu, tables, maxInsns);
}

function setUpLinuxUserState(cpu: Cpu, directory: PhysAddr, entry: VirtAddr): void {
  cpu.setGdtEntry(GDT_USER_CS, ...FLAT_CODE_DPL3);
  cpu.setGdtEntry(GDT_USER_DS, ...FLAT_DATA_DPL3);
  for (const seg of [SegReg.DS, SegReg.ES, SegReg.SS]) cpu.setSeg(seg, USER_DS_SELECTOR);
  cpu.setCr3(directory);
  cpu.resetFpu();
  // The initial stack of the i386 System V ABI with no arguments: argc = 0, argv[0] = NULL, envp[0] = NULL,
  // auxv = {AT_NULL, 0}: five zero words. The pages are fresh, so they are zero already; ESP points at argc.
  for (const reg of [Reg.EAX, Reg.ECX, Reg.EDX, Reg.EBX, Reg.EBP, Reg.ESI, Reg.EDI]) cpu.setReg(reg, 0);
  cpu.setReg(Reg.ESP, STACK_TOP - INITIAL_STACK_WORDS * 4);
  cpu.eflags = INITIAL_EFLAGS;
  cpu.eip = entry;
}

function serveSyscalls(cpu: Cpu, tables: PageTables, maxInsns: number): EmulatedResult {
  const decoder = new TextDecoder('latin1');
  let stdout = '';
  for (;;) {
    if (cpu.insns > maxInsns) return { ok: false, stdout, failure: `no exit after ${maxInsns} instructions` };
    let exit: RunExit;
    try {
      exit = cpu.run(SLICE_INSNS);
    } catch (error) {
      // An exception out of the CPU (an unimplemented opcode, a panic) is a CPU bug: report where it happened.
      const where = `eip=${hex(cpu.eip)} code=[${codeBytes(tables, cpu.eip)}] ${registerDump(cpu)}`;
      return { ok: false, stdout, failure: `CPU threw ${String(error)} ${where}` };
    }
    if (exit === RunExit.Budget) continue;
    if (exit !== RunExit.Syscall) return { ok: false, stdout, failure: describeStop(cpu, tables, exit) };
    const nr = cpu.getReg(Reg.EAX);
    if (nr === SYS_exit || nr === SYS_exit_group) {
      return { ok: true, stdout, exitCode: cpu.getReg(Reg.EBX) & 0xff, insns: cpu.insns };
    }
    if (nr !== SYS_write) {
      return { ok: false, stdout, failure: `unexpected syscall ${nr} at eip=${hex(cpu.eip)}` };
    }
    const bytes = tables.read(cpu.getReg(Reg.ECX) as VirtAddr, cpu.getReg(Reg.EDX) >>> 0);
    if (bytes !== null) stdout += decoder.decode(bytes);
    cpu.setReg(Reg.EAX, bytes === null ? -EFAULT : bytes.length);
  }
}

function describeStop(cpu: Cpu, tables: PageTables, exit: RunExit): string {
  const where = `eip=${hex(cpu.eip)} code=[${codeBytes(tables, cpu.eip)}] ${registerDump(cpu)}`;
  if (exit === RunExit.Fault) {
    const { vector, errorCode, cr2 } = cpu.fault;
    return `fault vector=${vector} error=${errorCode} cr2=${hex(cr2)} ${where}`;
  }
  const names: Record<number, string> = { [RunExit.Irq]: 'irq', [RunExit.Halt]: 'hlt' };
  return `unexpected exit ${names[exit] ?? exit} ${where}`;
}

function codeBytes(tables: PageTables, eip: number): string {
  const bytes = tables.read(eip as VirtAddr, 12);
  if (bytes === null) return 'unmapped';
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

function registerDump(cpu: Cpu): string {
  const names = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'];
  const regs = names.map((name, i) => `${name}=${hex(cpu.getReg(i as Reg))}`);
  return `${regs.join(' ')} eflags=${hex(cpu.eflags)}`;
}

const hex = (v: number): string => (v >>> 0).toString(16).padStart(8, '0');
