/**
 * @kmos/cpu-i386: the arch plugin of kmOS, an i686-class CPU that runs ring-3 guest code out of emulated
 * physical memory and returns to the kernel on a syscall, fault, interrupt request or spent budget.
 *
 * Structure (imports go downward):
 *   plugin.ts          the ArchPlugin manifest; createCpu -> I386Cpu
 *   cpu.ts             the ABI's Cpu: run loop, registers/segments/GDT/CR3/contexts/FPU images for the kernel
 *   interpreter.ts     prefixes and the one-byte opcode map; interpreter-0f.ts the 0F map
 *   alu.ts muldiv.ts bcd.ts bit-ops.ts string-ops.ts system-ops.ts   instruction semantics
 *   decode.ts          fetch, ModR/M + SIB effective addresses, operands, the stack
 *   flags.ts           lazy EFLAGS
 *   segments.ts        selector loads and descriptor caches (GDT/LDT)
 *   mmu.ts             two-level paging with PSE, A/D bits, #PF, the typed-array TLB
 *   cpu-core.ts        the state all of the above share; constants.ts the SDM's numbers; fault.ts the unwind
 *   fpu-bus.ts fpu-unit.ts fpu-factory.ts   the contract with the x87 in fpu/ (written separately)
 */
import { plugin } from './plugin.js';

export { I386Cpu } from './cpu.js';
export { MODEL_NAME, PACKAGE_NAME, PACKAGE_VERSION, plugin } from './plugin.js';
export default plugin;
