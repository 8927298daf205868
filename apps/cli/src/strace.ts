/**
 * `kmos run --strace`: every syscall on stderr as strace prints it — `[pid N] name(args) = result` — with
 * paths and strings quoted, written buffers shown (truncated), flags, commands and signals by name
 * (strace-symbols.ts), and failures as `-1 ENAME (message)`.
 * Argument kinds come from the table in @kmos/abi-linux. Layer: CLI.
 */
import {
  AF_INET,
  AF_INET6,
  AF_NETLINK,
  AT_FDCWD,
  errnoName,
  F_DUPFD,
  F_DUPFD_CLOEXEC,
  F_GET_SEALS,
  F_GETFD,
  F_GETFL,
  F_GETLEASE,
  F_GETOWN,
  F_GETPIPE_SZ,
  F_GETSIG,
  F_SETFD,
  F_SETFL,
  F_SETOWN,
  F_SETPIPE_SZ,
  F_SETSIG,
  O_CLOEXEC,
  O_DIRECT,
  O_NONBLOCK,
  PR_CAPBSET_DROP,
  PR_CAPBSET_READ,
  PR_GET_CHILD_SUBREAPER,
  PR_GET_DUMPABLE,
  PR_GET_KEEPCAPS,
  PR_GET_NAME,
  PR_GET_NO_NEW_PRIVS,
  PR_GET_PDEATHSIG,
  PR_GET_SECCOMP,
  PR_GET_TIMERSLACK,
  PR_SET_CHILD_SUBREAPER,
  PR_SET_DUMPABLE,
  PR_SET_KEEPCAPS,
  PR_SET_NAME,
  PR_SET_NO_NEW_PRIVS,
  PR_SET_PDEATHSIG,
  PR_SET_TIMERSLACK,
  SA_RESTORER,
  SOCKETCALL_NARGS,
  SYSCALL_ARGS,
  SYSCALL_NAMES,
  strerror,
  syscallArgs,
} from '@kmos/abi-linux';
import { peekUserBytes, peekUserString, type SyscallTracer } from '@kmos/kernel';
import type { CliIo } from './cli-io.js';
import { formatSockaddr, SOCKADDR_MAX } from './strace-sockaddr.js';
import {
  atFlags,
  capabilityName,
  FD_FLAGS,
  flagNames,
  NAMED_KINDS,
  netlinkProtocol,
  octalMode,
  openFlags,
  openTakesMode,
  SIGACTION_FLAGS,
  signalName,
  signalSet,
} from './strace-symbols.js';

/** strace's default string limit (-s 32). */
const STRING_LIMIT = 32;
const PATH_MAX = 4096;

type Thread = Parameters<SyscallTracer['enter']>[0];

export function createStraceTracer(io: CliIo): SyscallTracer {
  const pending = new Map<number, Pending>();
  return {
    enter(t, nr, args) {
      const call = socketSubcall(t, nr, args);
      const name = call?.name ?? SYSCALL_NAMES[nr] ?? `syscall_${nr}`;
      const known = call?.kinds ?? syscallArgs(nr);
      const values = call?.args ?? args;
      const shown = formatArgs(t, name, known ?? [], known === null ? values.slice(0, 3) : values);
      pending.set(t.tid, { name, values, shown, outputs: outputsOf(t, name, known ?? [], values) });
    },
    exit(t, nr, result) {
      const call = pending.get(t.tid);
      pending.delete(t.tid);
      const prefix = `[pid ${t.tid}] `;
      if (call === undefined) return io.err(`${prefix}${SYSCALL_NAMES[nr] ?? nr}(...) = ${result ?? '?'}\n`);
      const r = result === null ? null : result | 0;
      const shown = [...call.shown];
      if (r !== null)
        for (const output of call.outputs) shown[output.index] = output.render(r) ?? shown[output.index];
      const text = `${prefix}${call.name}(${shown.join(', ')})`;
      io.err(`${text} = ${r === null ? '?' : formatResult(r, call.name, call.values)}\n`);
    },
  };
}

interface Pending {
  readonly name: string;
  readonly values: readonly number[];
  /** The arguments as shown at entry. */
  readonly shown: readonly string[];
  /** Arguments strace shows as what the call wrote there, once it returned. */
  readonly outputs: readonly Output[];
}

/** The argument at `index` (of those shown) as the call left it, given its result; null keeps the entry's. */
interface Output {
  readonly index: number;
  readonly render: (result: number) => string | null;
}

/**
 * The arguments the call writes through that strace shows after it: buffers read into (as many bytes as
 * the result says), _llseek's offset, pipe2's and socketpair's descriptors, rt_sigprocmask's old set and
 * rt_sigaction's old action. Indexes count a 64-bit pair as one argument, as `formatArgs` shows them.
 */
function outputsOf(t: Thread, name: string, kinds: readonly string[], values: readonly number[]): Output[] {
  const ptrAt = (i: number) => values[i] ?? 0;
  const words = (ptr: number, count: number) => {
    const bytes = ptr === 0 ? null : peekUserBytes(t, ptr, count * 4);
    return bytes === null ? null : Array.from(new Int32Array(bytes.buffer));
  };
  switch (name) {
    case '_llseek':
      return [{ index: 2, render: (r) => (r === 0 ? offsetAt(t, ptrAt(3)) : null) }];
    case 'pipe':
    case 'pipe2':
    case 'socketpair': {
      const at = name === 'socketpair' ? 3 : 0;
      const render = (r: number) => (r === 0 ? `[${words(ptrAt(at), 2)?.join(', ') ?? ''}]` : null);
      return [{ index: at, render }];
    }
    case 'rt_sigprocmask':
      return [{ index: 2, render: (r) => (r === 0 ? sigsetAt(t, ptrAt(2)) : null) }];
    case 'rt_sigaction':
      return [{ index: 2, render: (r) => (r === 0 ? sigactionAt(t, ptrAt(2)) : null) }];
    case 'accept':
    case 'accept4':
    case 'getsockname':
    case 'getpeername':
      return addressOutputs(t, 1, ptrAt(1), ptrAt(2));
    case 'recvfrom':
      return [...addressOutputs(t, 4, ptrAt(4), ptrAt(5)), ...bufferOutput(t, kinds, values)];
    case 'getrandom':
      return [];
    case 'prctl':
      // The int PR_GET_PDEATHSIG and PR_GET_CHILD_SUBREAPER write, as `[n]`.
      if (values[0] !== PR_GET_PDEATHSIG && values[0] !== PR_GET_CHILD_SUBREAPER) return [];
      return [
        {
          index: 1,
          render: (r) => {
            const n = r === 0 ? words(ptrAt(1), 1)?.[0] : undefined;
            if (n === undefined) return null;
            return `[${values[0] === PR_GET_PDEATHSIG ? signalName(n) : n}]`;
          },
        },
      ];
  }
  return bufferOutput(t, kinds, values);
}

/** A buffer the call fills (`buf:out`), shown with as many bytes as the result says. */
function bufferOutput(t: Thread, kinds: readonly string[], values: readonly number[]): Output[] {
  const buffer = kinds.indexOf('buf:out');
  if (buffer < 0) return [];
  const ptr = values[buffer] ?? 0;
  return [{ index: buffer, render: (r) => (r >= 0 ? bufferAt(t, ptr, r) : null) }];
}

/**
 * A socket address the call writes (accept, getsockname, recvfrom), argument `index`, and its value-result
 * length after it: the address as far as both lengths allow (the pointer when nothing was written), the
 * length as `[in => out]`, or `[in]` when unchanged or the call failed.
 */
function addressOutputs(t: Thread, index: number, addressPtr: number, lengthPtr: number): Output[] {
  if (addressPtr === 0 || lengthPtr === 0) return [];
  const lengthIn = peekUserBytes(t, lengthPtr, 4);
  if (lengthIn === null) return [];
  const given = new DataView(lengthIn.buffer).getUint32(0, true);
  const written = () => {
    const bytes = peekUserBytes(t, lengthPtr, 4);
    return bytes === null ? null : new DataView(bytes.buffer).getUint32(0, true);
  };
  const address = (r: number) => {
    const out = r >= 0 ? written() : null;
    if (out === null || out === 0) return null;
    const bytes = peekUserBytes(t, addressPtr, Math.min(given, out, SOCKADDR_MAX));
    return bytes === null ? null : formatSockaddr(bytes, (s) => quote(s, false));
  };
  const length = (r: number) => {
    const out = r >= 0 ? written() : null;
    return out === null || out === given ? `[${given}]` : `[${given} => ${out}]`;
  };
  return [
    { index, render: address },
    { index: index + 1, render: length },
  ];
}

/** A buffer of `size` bytes at `ptr` quoted as strace quotes data (its first STRING_LIMIT bytes). */
function bufferAt(t: Thread, ptr: number, size: number): string | null {
  const bytes = ptr === 0 ? null : peekUserBytes(t, ptr, Math.min(size, STRING_LIMIT));
  return bytes === null ? null : quote(Buffer.from(bytes).toString('latin1'), size > STRING_LIMIT);
}

/** The 64-bit offset at `ptr`, as `[offset]`. */
function offsetAt(t: Thread, ptr: number): string | null {
  const bytes = peekUserBytes(t, ptr, 8);
  return bytes === null ? null : `[${new DataView(bytes.buffer).getBigInt64(0, true)}]`;
}

/** The kernel sigset_t (64 bits) at `ptr`; NULL for a null pointer. */
function sigsetAt(t: Thread, ptr: number): string | null {
  if (ptr === 0) return 'NULL';
  const bytes = peekUserBytes(t, ptr, 8);
  if (bytes === null) return null;
  const v = new DataView(bytes.buffer);
  return signalSet(v.getUint32(0, true), v.getUint32(4, true));
}

/** The i386 kernel struct sigaction at `ptr` (handler, flags, restorer, mask), as strace prints it. */
function sigactionAt(t: Thread, ptr: number): string | null {
  if (ptr === 0) return 'NULL';
  const bytes = peekUserBytes(t, ptr, 20);
  if (bytes === null) return null;
  const v = new DataView(bytes.buffer);
  const handler = v.getUint32(0, true);
  const flags = v.getUint32(4, true);
  const shownHandler = handler === 0 ? 'SIG_DFL' : handler === 1 ? 'SIG_IGN' : `0x${handler.toString(16)}`;
  const restorer = flags & SA_RESTORER ? `, sa_restorer=0x${v.getUint32(8, true).toString(16)}` : '';
  const mask = signalSet(v.getUint32(12, true), v.getUint32(16, true));
  return `{sa_handler=${shownHandler}, sa_mask=${mask}, sa_flags=${flagNames(flags, SIGACTION_FLAGS)}${restorer}}`;
}

/** A result as strace shows it: errors with their name and message, some values decoded. */
function formatResult(r: number, name: string, args: readonly number[]): string {
  if (r < 0 && r > -4096) return `-1 ${errnoName(-r) ?? -r} (${strerror(-r)})`;
  if (name === 'umask') return octalMode(r);
  if ((name === 'fcntl' || name === 'fcntl64') && r > 0) {
    if (args[1] === F_GETFD) return `0x${r.toString(16)} (flags ${flagNames(r, FD_FLAGS)})`;
    if (args[1] === F_GETFL) return `0x${r.toString(16)} (flags ${openFlags(r)})`;
  }
  return r > 0xffff || r < -0xffff ? `0x${(r >>> 0).toString(16)}` : `${r}`;
}

/**
 * The arguments of syscall `name` as strace shows them: by kind, except where one argument decides how
 * another reads (open's mode, fcntl's and prctl's argument, socket's protocol) or whether it is shown.
 */
function formatArgs(t: Thread, name: string, kinds: readonly string[], values: readonly number[]): string[] {
  const arg = (i: number) => values[i] ?? 0;
  const shown = (count: number) => {
    const out: string[] = [];
    for (let i = 0; i < count && i < values.length; i++) {
      const pair = wideValue(kinds[i], kinds[i + 1], arg(i), arg(i + 1));
      if (pair === null) out.push(formatArg(t, name, arg(i), kinds[i], values[i + 1]));
      else {
        out.push(pair);
        i++;
      }
    }
    return out;
  };
  switch (name) {
    case 'open':
    case 'openat': {
      const flagsAt = name === 'open' ? 1 : 2;
      return shown(openTakesMode(arg(flagsAt)) ? flagsAt + 2 : flagsAt + 1);
    }
    case 'fcntl':
    case 'fcntl64':
      return [...shown(2), ...fcntlArgument(arg(1), arg(2))];
    case 'prctl':
      return [...shown(1), ...prctlArguments(t, arg(0), values.slice(1))];
    case 'socket':
    case 'socketpair': {
      const inet = arg(0) === AF_INET || arg(0) === AF_INET6;
      const args = shown(kinds.length);
      if (arg(0) === AF_NETLINK) args[2] = netlinkProtocol(arg(2));
      else if (!inet) args[2] = `${arg(2) | 0}`;
      return args;
    }
    case 'rt_sigprocmask':
      return [...shown(1), sigsetAt(t, arg(1)) ?? hex(arg(1)), ...shown(4).slice(2)];
    case 'rt_sigaction':
      return [...shown(1), sigactionAt(t, arg(1)) ?? hex(arg(1)), ...shown(4).slice(2)];
    default:
      return shown(kinds.length);
  }
}

function hex(value: number): string {
  return `0x${(value >>> 0).toString(16)}`;
}

/**
 * A 64-bit value split across two registers (`off64:lo` and `:hi`, in either order; `u64` alike) as one
 * number, as strace shows it; null when the kinds at `i` and `i + 1` are not such a pair.
 */
function wideValue(
  kind: string | undefined,
  nextKind: string | undefined,
  value: number,
  next: number,
): string | null {
  const [family, half] = kind?.split(':') ?? [];
  if ((family !== 'off64' && family !== 'u64') || nextKind !== `${family}:${half === 'lo' ? 'hi' : 'lo'}`)
    return null;
  const [lo, hi] = half === 'lo' ? [value, next] : [next, value];
  const wide = (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
  return `${family === 'off64' ? BigInt.asIntN(64, wide) : wide}`;
}

/** fcntl's third argument, read as its command reads it (none for the get commands). */
function fcntlArgument(cmd: number, value: number): string[] {
  switch (cmd) {
    case F_GETFD:
    case F_GETFL:
    case F_GETOWN:
    case F_GETSIG:
    case F_GETLEASE:
    case F_GETPIPE_SZ:
    case F_GET_SEALS:
      return [];
    case F_SETFD:
      return [flagNames(value, FD_FLAGS)];
    case F_SETFL:
      return [openFlags(value)];
    case F_DUPFD:
    case F_DUPFD_CLOEXEC:
    case F_SETOWN:
    case F_SETSIG:
    case F_SETPIPE_SZ:
      return [`${value | 0}`];
    default:
      return [`0x${(value >>> 0).toString(16)}`];
  }
}

/** prctl's arguments after the option, as many as the option reads. */
function prctlArguments(t: Thread, option: number, rest: readonly number[]): string[] {
  const first = rest[0] ?? 0;
  switch (option) {
    case PR_SET_NAME: {
      const s = peekUserString(t, first, 16);
      return [s === null ? `0x${first.toString(16)}` : quote(s, false)];
    }
    case PR_SET_PDEATHSIG:
      return [signalName(first)];
    case PR_GET_NAME:
    case PR_GET_PDEATHSIG:
    case PR_GET_CHILD_SUBREAPER:
      return [`0x${first.toString(16)}`];
    case PR_SET_DUMPABLE:
    case PR_SET_KEEPCAPS:
    case PR_SET_CHILD_SUBREAPER:
    case PR_SET_TIMERSLACK:
      return [`${first >>> 0}`];
    case PR_CAPBSET_READ:
    case PR_CAPBSET_DROP:
      return [capabilityName(first)];
    case PR_GET_DUMPABLE:
    case PR_GET_KEEPCAPS:
    case PR_GET_SECCOMP:
    case PR_GET_TIMERSLACK:
      return [];
    // Options whose four arguments must be given (and zero but the first).
    case PR_SET_NO_NEW_PRIVS:
    case PR_GET_NO_NEW_PRIVS:
      return rest.slice(0, 4).map((v) => `${v >>> 0}`);
    default:
      return rest.map((v) => `0x${(v >>> 0).toString(16)}`);
  }
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

function formatArg(
  t: Thread,
  syscall: string,
  value: number,
  kind: string | undefined,
  next: number | undefined,
): string {
  if (
    value === 0 &&
    (kind === 'path' ||
      kind === 'str' ||
      kind === 'ptr' ||
      kind === 'addr' ||
      kind === 'sockaddr' ||
      kind?.startsWith('buf'))
  )
    return 'NULL';
  const named = kind === undefined ? undefined : NAMED_KINDS[kind];
  if (named !== undefined) return named(value);
  switch (kind) {
    case 'fd':
    case 'int':
    case 'pid':
      return `${value | 0}`;
    case 'dirfd':
      return (value | 0) === AT_FDCWD ? 'AT_FDCWD' : `${value | 0}`;
    case 'size':
    case 'uint':
      return `${value >>> 0}`;
    case 'flags:open':
      return syscall === 'dup3' || syscall === 'pipe2' ? flagNames(value, CLOEXEC_ONLY) : openFlags(value);
    case 'flags:at':
      return atFlags(value, syscall);
    case 'path':
    case 'str': {
      const s = peekUserString(t, value, PATH_MAX);
      return s === null ? `0x${value.toString(16)}` : quote(s, false);
    }
    case 'sockaddr': {
      const bytes = (next ?? 0) > 0 ? peekUserBytes(t, value, Math.min(next ?? 0, SOCKADDR_MAX)) : null;
      return bytes === null ? `0x${value.toString(16)}` : formatSockaddr(bytes, (s) => quote(s, false));
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

/** dup3's and pipe2's flags: O_CLOEXEC (and pipe2's O_NONBLOCK, O_DIRECT) only. */
const CLOEXEC_ONLY = [
  ['O_NONBLOCK', O_NONBLOCK],
  ['O_DIRECT', O_DIRECT],
  ['O_CLOEXEC', O_CLOEXEC],
] as const;
