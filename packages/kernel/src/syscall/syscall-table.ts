/**
 * The syscall table as data (STYLE.md, "The syscall layer"): every Linux i386 syscall number, with its
 * support level — `supported`, `partial` (with a note saying what is missing) or `unimplemented` (with the
 * errno it returns) — and its handler. `kmos syscalls` prints it and docs/syscalls.md is generated from it.
 * Handlers live with their subsystem's syscalls (syscall/handlers/*.ts) and are named `sys_<linux name>`.
 * Layer: kernel syscall; the dispatcher (dispatch.ts) reads the arrays built here.
 */
import { ENOSYS, SYSCALL_NAMES } from '@kmos/abi-linux';
import type { Thread } from '../proc/thread.js';

/** A handler's answer: the value for %eax, a promise of it (the thread sleeps), or KEEP_REGISTERS. */
export type SyscallResult = number | Promise<number> | typeof KEEP_REGISTERS;

/** Returned by handlers that set the registers themselves (execve, rt_sigreturn) or never return (exit). */
export const KEEP_REGISTERS = Symbol('keep registers');

/**
 * A syscall handler. Arguments are the six argument registers in the i386 order (%ebx, %ecx, %edx, %esi,
 * %edi, %ebp), as unsigned 32-bit numbers; one fixed signature keeps the dispatch call monomorphic.
 */
export type SyscallHandler = (
  t: Thread,
  a: number,
  b: number,
  c: number,
  d: number,
  e: number,
  f: number,
) => SyscallResult;

export type SupportLevel = 'supported' | 'partial' | 'unimplemented';

/** How a subsystem declares one of its syscalls. */
export interface SyscallImpl {
  readonly handler: SyscallHandler;
  /** Omitted: supported. */
  readonly status?: 'supported' | 'partial';
  /** For partial support: what is missing. */
  readonly note?: string;
}

export interface SyscallEntry {
  readonly nr: number;
  readonly name: string;
  readonly status: SupportLevel;
  readonly note: string;
  /** The errno an unimplemented syscall returns. */
  readonly errno: number;
  readonly handler: SyscallHandler | null;
}

/** Syscalls deliberately left out, with the errno Linux gives in the same situation and why. */
export interface Unimplemented {
  readonly errno: number;
  readonly note: string;
}

export class SyscallTable {
  /** Indexed by syscall number: the hot path of the dispatcher. */
  readonly handlers: (SyscallHandler | null)[];
  readonly entries: readonly SyscallEntry[];
  /** Indexed by syscall number too: the dispatcher asks for the errno of an unimplemented call on every call. */
  private readonly byNr: (SyscallEntry | undefined)[];

  constructor(
    impls: Readonly<Record<string, SyscallImpl>>,
    unimplemented: Readonly<Record<string, Unimplemented>> = {},
  ) {
    const known = new Map(Object.entries(SYSCALL_NAMES).map(([nr, name]) => [name, Number(nr)]));
    for (const name of [...Object.keys(impls), ...Object.keys(unimplemented)]) {
      if (!known.has(name)) throw new Error(`syscall table: ${name} is not an i386 syscall`);
    }
    const size = Math.max(...known.values()) + 1;
    this.handlers = new Array<SyscallHandler | null>(size).fill(null);
    const entries: SyscallEntry[] = [];
    for (const [name, nr] of [...known].sort((x, y) => x[1] - y[1])) {
      const impl = impls[name];
      if (impl) {
        this.handlers[nr] = impl.handler;
        entries.push({
          nr,
          name,
          status: impl.status ?? 'supported',
          note: impl.note ?? '',
          errno: 0,
          handler: impl.handler,
        });
      } else {
        const missing = unimplemented[name];
        entries.push({
          nr,
          name,
          status: 'unimplemented',
          note: missing?.note ?? '',
          errno: missing?.errno ?? ENOSYS,
          handler: null,
        });
      }
    }
    this.entries = entries;
    this.byNr = new Array<SyscallEntry | undefined>(size);
    for (const e of entries) this.byNr[e.nr] = e;
  }

  nameOf(nr: number): string {
    return SYSCALL_NAMES[nr] ?? `syscall_${nr}`;
  }

  entry(nr: number): SyscallEntry | null {
    return Number.isInteger(nr) ? (this.byNr[nr] ?? null) : null;
  }
}
