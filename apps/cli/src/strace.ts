/**
 * `kmos run --strace`: every syscall on stderr as strace prints it — `[pid N] name(args) = result` — with
 * paths and strings quoted, written buffers shown (truncated), numbers by kind, and failures as `-1 ENAME`.
 * Argument kinds come from the table in @kmos/abi-linux. Layer: CLI.
 */
import { errnoName, SOCKETCALL_NARGS, SYSCALL_ARGS, SYSCALL_NAMES, syscallArgs } from '@kmos/abi-linux';
import { peekUserBytes, peekUserString, type SyscallTracer } from '@kmos/kernel';
import type { CliIo } from './cli-io.js';

/** strace's default string limit (-s 32). */
const STRING_LIMIT = 32;
const PATH_MAX = 4096;

type Thread = Parameters<SyscallTracer['enter']>[0];

export function createStraceTracer(io: CliIo): SyscallTracer {
  const pending = new Map<number, string>();
  return {
    enter(t, nr, args) {
      const call = socketSubcall(t, nr, args);
      const name = call?.name ?? SYSCALL_NAMES[nr] ?? `syscall_${nr}`;
      const kinds: readonly string[] = call?.kinds ?? syscallArgs(nr) ?? [];
      const values = call?.args ?? args;
      const shown = values
        .slice(0, kinds.length || 3)
        .map((a, i) => formatArg(t, a, kinds[i], values[i + 1]));
      pending.set(t.tid, `[pid ${t.tid}] ${name}(${shown.join(', ')})`);
    },
    exit(t, nr, result) {
      const call = pending.get(t.tid) ?? `[pid ${t.tid}] ${SYSCALL_NAMES[nr] ?? nr}(...)`;
      pending.delete(t.tid);
      if (result === null) return io.err(`${call} = ?\n`);
      const r = result | 0;
      const shown =
        r < 0 && r > -4096
          ? `-1 ${errnoName(-r) ?? -r}`
          : r > 0xffff || r < -0xffff
            ? `0x${(r >>> 0).toString(16)}`
            : `${r}`;
      io.err(`${call} = ${shown}\n`);
    },
  };
}

/** socketcall's sub-calls by number; accept, send and recv read their arguments as accept4, sendto, recvfrom do. */
const SOCKET_SUBCALLS: Record<number, [name: string, argsOf: string]> = {
  1: ['socket', 'socket'],
  2: ['bind', 'bind'],
  3: ['connect', 'connect'],
  4: ['listen', 'listen'],
  5: ['accept', 'accept4'],
  6: ['getsockname', 'getsockname'],
  7: ['getpeername', 'getpeername'],
  8: ['socketpair', 'socketpair'],
  9: ['send', 'sendto'],
  10: ['recv', 'recvfrom'],
  11: ['sendto', 'sendto'],
  12: ['recvfrom', 'recvfrom'],
  13: ['shutdown', 'shutdown'],
  14: ['setsockopt', 'setsockopt'],
  15: ['getsockopt', 'getsockopt'],
  16: ['sendmsg', 'sendmsg'],
  17: ['recvmsg', 'recvmsg'],
  18: ['accept4', 'accept4'],
  19: ['recvmmsg', 'recvmmsg'],
  20: ['sendmmsg', 'sendmmsg'],
};

/** socketcall(call, args) shown as the call it makes, with the arguments it reads, as strace shows it. */
function socketSubcall(t: Thread, nr: number, args: readonly number[]) {
  if (SYSCALL_NAMES[nr] !== 'socketcall') return null;
  const sub = SOCKET_SUBCALLS[args[0] ?? 0];
  const count = SOCKETCALL_NARGS[args[0] ?? 0];
  if (!sub || count === undefined) return null;
  const bytes = peekUserBytes(t, args[1] ?? 0, count * 4);
  if (!bytes) return null;
  const view = new DataView(bytes.buffer);
  return {
    name: sub[0],
    kinds: (SYSCALL_ARGS[sub[1]] ?? []).slice(0, count),
    args: Array.from({ length: count }, (_, i) => view.getUint32(i * 4, true)),
  };
}

/** A byte string as strace quotes it: printable ASCII as is, the rest escaped. */
function quote(bytes: string, truncated: boolean): string {
  const escaped = bytes.replace(/[^\x20-\x7e]|["\\]/g, (c) => {
    const code = c.charCodeAt(0);
    if (c === '\n') return '\\n';
    if (c === '\t') return '\\t';
    if (c === '"' || c === '\\') return `\\${c}`;
    return `\\${code.toString(8)}`;
  });
  return `"${escaped}"${truncated ? '...' : ''}`;
}

function formatArg(t: Thread, value: number, kind: string | undefined, next: number | undefined): string {
  if (value === 0 && (kind === 'path' || kind === 'str' || kind === 'ptr' || kind?.startsWith('buf')))
    return 'NULL';
  switch (kind) {
    case 'fd':
    case 'dirfd':
    case 'int':
    case 'pid':
    case 'signal':
      return (value | 0) === -100 && kind === 'dirfd' ? 'AT_FDCWD' : `${value | 0}`;
    case 'size':
    case 'uint':
      return `${value >>> 0}`;
    case 'mode':
      return `0${value.toString(8)}`;
    case 'path':
    case 'str': {
      const s = peekUserString(t, value, PATH_MAX);
      return s === null ? `0x${value.toString(16)}` : quote(s, false);
    }
    case 'buf:in': {
      const size = Math.min(next ?? 0, STRING_LIMIT);
      const bytes = peekUserBytes(t, value, size);
      return bytes === null
        ? `0x${value.toString(16)}`
        : quote(Buffer.from(bytes).toString('latin1'), (next ?? 0) > STRING_LIMIT);
    }
    default:
      return `0x${(value >>> 0).toString(16)}`;
  }
}
