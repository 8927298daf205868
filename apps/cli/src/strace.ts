/**
 * `kmos run --strace`: every syscall on stderr as strace prints it — `[pid N] name(args) = result` — with
 * the result's errno name for failures. Arguments are shown as numbers (hex for pointers); decoding them by
 * kind (paths, flags) uses the argument table in @kmos/abi-linux. Layer: CLI.
 */
import { errnoName, SYSCALL_NAMES, syscallArgs } from '@kmos/abi-linux';
import type { SyscallTracer } from '@kmos/kernel';
import type { CliIo } from './cli-io.js';

export function createStraceTracer(io: CliIo): SyscallTracer {
  const pending = new Map<number, string>();
  return {
    enter(t, nr, args) {
      const name = SYSCALL_NAMES[nr] ?? `syscall_${nr}`;
      const kinds: readonly string[] = syscallArgs(nr) ?? [];
      const shown = args.slice(0, kinds.length || 3).map((a, i) => formatArg(a, kinds[i]));
      pending.set(t.tid, `[pid ${t.tid}] ${name}(${shown.join(', ')})`);
    },
    exit(t, nr, result) {
      const call = pending.get(t.tid) ?? `[pid ${t.tid}] ${SYSCALL_NAMES[nr] ?? nr}(...)`;
      pending.delete(t.tid);
      const r = result | 0;
      const shown = r < 0 && r > -4096 ? `-1 ${errnoName(-r) ?? -r}` : r > 0xffff || r < -0xffff ? `0x${(r >>> 0).toString(16)}` : `${r}`;
      io.err(`${call} = ${shown}\n`);
    },
  };
}

function formatArg(value: number, kind: string | undefined): string {
  if (kind === 'fd' || kind === 'int' || kind === 'dirfd' || kind === 'pid' || kind === 'signal') return `${value | 0}`;
  if (kind === 'size' || kind === 'uint' || kind === 'mode') return kind === 'mode' ? `0${value.toString(8)}` : `${value >>> 0}`;
  return value === 0 ? 'NULL' : `0x${(value >>> 0).toString(16)}`;
}
