/**
 * How an exception leaves the interpreter: the thrower fills the CPU's one `FaultRecord` and throws the one
 * `FAULT_SIGNAL` object, so raising a #PF allocates nothing and captures no stack. `Cpu.run` catches the
 * signal, rolls EIP/ESP back to the instruction start and returns `RunExit.Fault`. Layer: arch plugin
 * (cpu-i386); used by the MMU, the segment loader and the instruction handlers.
 */
import type { FaultInfo } from '@kmos/abi-driver';

/** The details of the last exception; one object per CPU, rewritten on every fault (the ABI's `FaultInfo`). */
export class FaultRecord implements FaultInfo {
  vector = 0;
  /** -1 when the vector pushes no error code. */
  errorCode = -1;
  cr2 = 0;
  /** True for a trap (#BP, #OF, INT1's #DB): the run loop sets it, as only traps leave it by returning. */
  trap = false;
}

/** Thrown (never allocated again) to unwind from any depth of an instruction to `run`. */
export const FAULT_SIGNAL: { readonly kind: 'cpu-i386-fault' } = Object.freeze({ kind: 'cpu-i386-fault' });

/**
 * What the decoded tier's runner, and `step` for a REP string instruction, answer for a page fault found
 * without unwinding: the fault record is filled, EIP is on the instruction and nothing changed but the
 * progress a REP made. The run loop turns it into RunExit.Fault without the cost of a throw.
 */
export const FAULTED = -3;

export function isFaultSignal(e: unknown): boolean {
  return e === FAULT_SIGNAL;
}

/** Records the fault and unwinds; `errorCode` -1 for vectors without one. */
export function raiseFault(rec: FaultRecord, vector: number, errorCode: number, cr2 = 0): never {
  rec.vector = vector;
  rec.errorCode = errorCode;
  rec.cr2 = cr2;
  rec.trap = false;
  throw FAULT_SIGNAL;
}
