/**
 * The constant sets `kmos run --strace` names arguments with, as strace(1) prints them: flag sets joined
 * with `|` in strace's order (unknown bits left as hex), and single values by name (unknown ones as
 * numbers). The values come from @kmos/abi-linux, whose tests check them against the host's headers.
 * Layer: CLI.
 */
import * as abi from '@kmos/abi-linux';

type Table = readonly (readonly [name: string, value: number])[];

const constants = abi as unknown as Readonly<Record<string, number>>;

/** The named constants, in the order given: a misspelt name fails at load time, not as a silent hole. */
function table(names: readonly string[]): Table {
  return names.map((name) => {
    const value = constants[name];
    if (typeof value !== 'number') throw new Error(`strace: no constant ${name} in @kmos/abi-linux`);
    return [name, value] as const;
  });
}

/**
 * `value` as the names of the entries whose bits it holds, in table order (an entry of several bits
 * matches only whole), the rest as hex; `zero` when nothing is set.
 */
export function flagNames(value: number, flags: Table, zero = '0'): string {
  let rest = value >>> 0;
  const names: string[] = [];
  for (const [name, bits] of flags) {
    const b = bits >>> 0;
    if (b !== 0 && (rest & b) === b) {
      names.push(name);
      rest = (rest & ~b) >>> 0;
    }
  }
  if (rest !== 0) names.push(`0x${rest.toString(16)}`);
  return names.length === 0 ? zero : names.join('|');
}

/** The name of the entry equal to `value`, else `value` as a number. */
export function valueName(value: number, values: Table): string {
  const v = value | 0;
  for (const [name, x] of values) if (x === v) return name;
  return `${v}`;
}

/** A field under `mask` by name (open's access mode, mmap's type), then the flags in the other bits. */
function fieldAndFlags(value: number, mask: number, values: Table, flags: Table): string {
  const field = valueName(value & mask, values);
  const others = flagNames(value & ~mask, flags, '');
  return others === '' ? field : `${field}|${others}`;
}

/** open(2) flags: the access mode by name, then the other flags (O_SYNC and O_TMPFILE before their parts). */
export function openFlags(value: number): string {
  return fieldAndFlags(value, abi.O_ACCMODE, ACCESS_MODES, OPEN_FLAGS);
}

const ACCESS_MODES = table(['O_RDONLY', 'O_WRONLY', 'O_RDWR']);
const OPEN_FLAGS = table([
  'O_CREAT',
  'O_EXCL',
  'O_NOCTTY',
  'O_TRUNC',
  'O_APPEND',
  'O_NONBLOCK',
  'O_SYNC',
  'O_DSYNC',
  'O_ASYNC',
  'O_DIRECT',
  'O_LARGEFILE',
  'O_TMPFILE',
  'O_DIRECTORY',
  'O_NOFOLLOW',
  'O_NOATIME',
  'O_CLOEXEC',
  'O_PATH',
]);

/** Whether open(2) reads its mode argument (strace shows it only then). */
export function openTakesMode(flags: number): boolean {
  return (flags & abi.O_CREAT) !== 0 || (flags & abi.__O_TMPFILE) !== 0;
}

/** A mode as strace prints it (`%#03o`: 0644, 000). */
export function octalMode(mode: number): string {
  return `0${(mode >>> 0).toString(8).padStart(2, '0')}`;
}

/** The *at calls' flags; 0x200 is AT_REMOVEDIR for unlinkat and AT_EACCESS for the access checks. */
export function atFlags(value: number, syscall: string): string {
  if (syscall === 'statx') return statxFlags(value);
  const shared = syscall === 'unlinkat' ? 'AT_REMOVEDIR' : 'AT_EACCESS';
  return flagNames(value, table(['AT_SYMLINK_NOFOLLOW', shared, ...AT_FLAGS]));
}

const AT_FLAGS = ['AT_SYMLINK_FOLLOW', 'AT_NO_AUTOMOUNT', 'AT_EMPTY_PATH', 'AT_RECURSIVE'];

/** statx's flags: the sync type by name (AT_STATX_SYNC_AS_STAT is 0), then the path flags. */
function statxFlags(value: number): string {
  return fieldAndFlags(
    value,
    abi.AT_STATX_SYNC_TYPE,
    STATX_SYNC,
    table(['AT_SYMLINK_NOFOLLOW', ...AT_FLAGS]),
  );
}

const STATX_SYNC = table(['AT_STATX_SYNC_AS_STAT', 'AT_STATX_FORCE_SYNC', 'AT_STATX_DONT_SYNC']);

const ACCESS_CHECKS = table(['R_OK', 'W_OK', 'X_OK']);

/** A signal number by name, real-time ones as SIGRTMIN and SIGRT_n (0 stays 0: kill's existence probe). */
export function signalName(sig: number): string {
  if (sig === abi.SIGRTMIN) return 'SIGRTMIN';
  if (sig > abi.SIGRTMIN && sig <= abi.SIGRTMAX) return `SIGRT_${sig - abi.SIGRTMIN}`;
  return abi.SIGNAL_NAMES[sig] ?? `${sig | 0}`;
}

/**
 * A 64-signal set as strace prints it: `[INT QUIT]`, or `~[...]` naming the signals left out when it
 * holds more than half of them.
 */
export function signalSet(low: number, high: number): string {
  const members: number[] = [];
  const absent: number[] = [];
  for (let sig = 1; sig <= 64; sig++) {
    const word = sig <= 32 ? low : high;
    ((word >>> ((sig - 1) % 32)) & 1 ? members : absent).push(sig);
  }
  const names = (sigs: number[]) => sigs.map((sig) => signalName(sig).replace(/^SIG/, '')).join(' ');
  return members.length > 32 ? `~[${names(absent)}]` : `[${names(members)}]`;
}

export const SIGACTION_FLAGS = table([
  'SA_NOCLDSTOP',
  'SA_NOCLDWAIT',
  'SA_SIGINFO',
  'SA_RESTORER',
  'SA_ONSTACK',
  'SA_RESTART',
  'SA_NODEFER',
  'SA_RESETHAND',
]);

const FCNTL_COMMANDS = table([
  'F_DUPFD',
  'F_GETFD',
  'F_SETFD',
  'F_GETFL',
  'F_SETFL',
  'F_GETLK',
  'F_SETLK',
  'F_SETLKW',
  'F_SETOWN',
  'F_GETOWN',
  'F_SETSIG',
  'F_GETSIG',
  'F_GETLK64',
  'F_SETLK64',
  'F_SETLKW64',
  'F_SETOWN_EX',
  'F_GETOWN_EX',
  'F_GETOWNER_UIDS',
  'F_OFD_GETLK',
  'F_OFD_SETLK',
  'F_OFD_SETLKW',
  'F_SETLEASE',
  'F_GETLEASE',
  'F_NOTIFY',
  'F_CANCELLK',
  'F_DUPFD_CLOEXEC',
  'F_SETPIPE_SZ',
  'F_GETPIPE_SZ',
  'F_ADD_SEALS',
  'F_GET_SEALS',
]);

export const FD_FLAGS = table(['FD_CLOEXEC']);

const PROT_FLAGS = table([
  'PROT_READ',
  'PROT_WRITE',
  'PROT_EXEC',
  'PROT_SEM',
  'PROT_GROWSDOWN',
  'PROT_GROWSUP',
]);

/** mmap's flags: the mapping type by name, then the others. */
function mmapFlags(value: number): string {
  return fieldAndFlags(value, abi.MAP_TYPE, MAP_TYPES, MAP_FLAGS);
}

const MAP_TYPES = table(['MAP_SHARED', 'MAP_PRIVATE', 'MAP_SHARED_VALIDATE']);
const MAP_FLAGS = table([
  'MAP_FIXED',
  'MAP_ANONYMOUS',
  'MAP_32BIT',
  'MAP_GROWSDOWN',
  'MAP_DENYWRITE',
  'MAP_EXECUTABLE',
  'MAP_LOCKED',
  'MAP_NORESERVE',
  'MAP_POPULATE',
  'MAP_NONBLOCK',
  'MAP_STACK',
  'MAP_HUGETLB',
  'MAP_SYNC',
  'MAP_FIXED_NOREPLACE',
]);

const MADVICE = table([
  'MADV_NORMAL',
  'MADV_RANDOM',
  'MADV_SEQUENTIAL',
  'MADV_WILLNEED',
  'MADV_DONTNEED',
  'MADV_FREE',
  'MADV_REMOVE',
  'MADV_DONTFORK',
  'MADV_DOFORK',
  'MADV_MERGEABLE',
  'MADV_UNMERGEABLE',
  'MADV_HUGEPAGE',
  'MADV_NOHUGEPAGE',
  'MADV_DONTDUMP',
  'MADV_DODUMP',
  'MADV_WIPEONFORK',
  'MADV_KEEPONFORK',
  'MADV_COLD',
  'MADV_PAGEOUT',
  'MADV_POPULATE_READ',
  'MADV_POPULATE_WRITE',
  'MADV_DONTNEED_LOCKED',
  'MADV_COLLAPSE',
  'MADV_HWPOISON',
  'MADV_SOFT_OFFLINE',
]);

const WHENCE = table(['SEEK_SET', 'SEEK_CUR', 'SEEK_END', 'SEEK_DATA', 'SEEK_HOLE']);

const WAIT_OPTIONS = table([
  'WNOHANG',
  'WUNTRACED',
  'WEXITED',
  'WCONTINUED',
  'WNOWAIT',
  '__WNOTHREAD',
  '__WALL',
  '__WCLONE',
]);

const RESOURCES = table([
  'RLIMIT_CPU',
  'RLIMIT_FSIZE',
  'RLIMIT_DATA',
  'RLIMIT_STACK',
  'RLIMIT_CORE',
  'RLIMIT_RSS',
  'RLIMIT_NPROC',
  'RLIMIT_NOFILE',
  'RLIMIT_MEMLOCK',
  'RLIMIT_AS',
  'RLIMIT_LOCKS',
  'RLIMIT_SIGPENDING',
  'RLIMIT_MSGQUEUE',
  'RLIMIT_NICE',
  'RLIMIT_RTPRIO',
  'RLIMIT_RTTIME',
]);

const CLOCKS = table([
  'CLOCK_REALTIME',
  'CLOCK_MONOTONIC',
  'CLOCK_PROCESS_CPUTIME_ID',
  'CLOCK_THREAD_CPUTIME_ID',
  'CLOCK_MONOTONIC_RAW',
  'CLOCK_REALTIME_COARSE',
  'CLOCK_MONOTONIC_COARSE',
  'CLOCK_BOOTTIME',
  'CLOCK_REALTIME_ALARM',
  'CLOCK_BOOTTIME_ALARM',
  'CLOCK_TAI',
]);

/** clone's flags: the CLONE_ bits, then the exit signal in the low byte by name. */
function cloneFlags(value: number): string {
  const signal = value & 0xff;
  const flags = flagNames(value & ~0xff, CLONE_FLAGS, '');
  const parts = [flags, signal === 0 ? '' : signalName(signal)].filter((p) => p !== '');
  return parts.length === 0 ? '0' : parts.join('|');
}

const CLONE_FLAGS = table([
  'CLONE_VM',
  'CLONE_FS',
  'CLONE_FILES',
  'CLONE_SIGHAND',
  'CLONE_PIDFD',
  'CLONE_PTRACE',
  'CLONE_VFORK',
  'CLONE_PARENT',
  'CLONE_THREAD',
  'CLONE_NEWNS',
  'CLONE_SYSVSEM',
  'CLONE_SETTLS',
  'CLONE_PARENT_SETTID',
  'CLONE_CHILD_CLEARTID',
  'CLONE_DETACHED',
  'CLONE_UNTRACED',
  'CLONE_CHILD_SETTID',
  'CLONE_NEWCGROUP',
  'CLONE_NEWUTS',
  'CLONE_NEWIPC',
  'CLONE_NEWUSER',
  'CLONE_NEWPID',
  'CLONE_NEWNET',
  'CLONE_IO',
]);

const IOCTL_REQUESTS = table([
  'TCGETS',
  'TCSETS',
  'TCSETSW',
  'TCSETSF',
  'TCGETA',
  'TCSETA',
  'TCSETAW',
  'TCSETAF',
  'TCSBRK',
  'TCXONC',
  'TCFLSH',
  'TIOCEXCL',
  'TIOCNXCL',
  'TIOCSCTTY',
  'TIOCGPGRP',
  'TIOCSPGRP',
  'TIOCOUTQ',
  'TIOCSTI',
  'TIOCGWINSZ',
  'TIOCSWINSZ',
  'TIOCMGET',
  'TIOCMBIS',
  'TIOCMBIC',
  'TIOCMSET',
  'FIONREAD',
  'TIOCLINUX',
  'TIOCCONS',
  'FIONBIO',
  'TIOCNOTTY',
  'TIOCSETD',
  'TIOCGETD',
  'TIOCSBRK',
  'TIOCCBRK',
  'TIOCGSID',
  'TIOCGPTN',
  'TIOCSPTLCK',
  'TIOCGPTPEER',
  'FIONCLEX',
  'FIOCLEX',
  'FIOASYNC',
]);

/** A futex operation: the command with _PRIVATE when private, then FUTEX_CLOCK_REALTIME. */
function futexOp(value: number): string {
  const name = valueName(value & abi.FUTEX_CMD_MASK, FUTEX_COMMANDS);
  const priv = (value & abi.FUTEX_PRIVATE_FLAG) !== 0 ? `${name}_PRIVATE` : name;
  return (value & abi.FUTEX_CLOCK_REALTIME) !== 0 ? `${priv}|FUTEX_CLOCK_REALTIME` : priv;
}

const FUTEX_COMMANDS = table([
  'FUTEX_WAIT',
  'FUTEX_WAKE',
  'FUTEX_FD',
  'FUTEX_REQUEUE',
  'FUTEX_CMP_REQUEUE',
  'FUTEX_WAKE_OP',
  'FUTEX_LOCK_PI',
  'FUTEX_UNLOCK_PI',
  'FUTEX_TRYLOCK_PI',
  'FUTEX_WAIT_BITSET',
  'FUTEX_WAKE_BITSET',
  'FUTEX_WAIT_REQUEUE_PI',
  'FUTEX_CMP_REQUEUE_PI',
]);

const SIGPROCMASK_HOW = table(['SIG_BLOCK', 'SIG_UNBLOCK', 'SIG_SETMASK']);

const GETRANDOM_FLAGS = table(['GRND_NONBLOCK', 'GRND_RANDOM', 'GRND_INSECURE']);

const SOCKET_DOMAINS = table(['AF_UNSPEC', 'AF_UNIX', 'AF_INET', 'AF_INET6', 'AF_NETLINK', 'AF_PACKET']);

/** A socket type: the type by name, then SOCK_NONBLOCK and SOCK_CLOEXEC. */
function socketType(value: number): string {
  return fieldAndFlags(value, 0xf, SOCKET_TYPES, table(['SOCK_NONBLOCK', 'SOCK_CLOEXEC']));
}

const SOCKET_TYPES = table([
  'SOCK_STREAM',
  'SOCK_DGRAM',
  'SOCK_RAW',
  'SOCK_RDM',
  'SOCK_SEQPACKET',
  'SOCK_DCCP',
  'SOCK_PACKET',
]);

/** The protocols strace names in socket(2) for AF_INET and AF_INET6. */
const IP_PROTOCOLS = table([
  'IPPROTO_IP',
  'IPPROTO_ICMP',
  'IPPROTO_TCP',
  'IPPROTO_UDP',
  'IPPROTO_IPV6',
  'IPPROTO_ICMPV6',
  'IPPROTO_RAW',
]);

/** Capability names by number (<linux/capability.h>), as strace prints them. */
const CAPABILITIES = [
  'CHOWN',
  'DAC_OVERRIDE',
  'DAC_READ_SEARCH',
  'FOWNER',
  'FSETID',
  'KILL',
  'SETGID',
  'SETUID',
  'SETPCAP',
  'LINUX_IMMUTABLE',
  'NET_BIND_SERVICE',
  'NET_BROADCAST',
  'NET_ADMIN',
  'NET_RAW',
  'IPC_LOCK',
  'IPC_OWNER',
  'SYS_MODULE',
  'SYS_RAWIO',
  'SYS_CHROOT',
  'SYS_PTRACE',
  'SYS_PACCT',
  'SYS_ADMIN',
  'SYS_BOOT',
  'SYS_NICE',
  'SYS_RESOURCE',
  'SYS_TIME',
  'SYS_TTY_CONFIG',
  'MKNOD',
  'LEASE',
  'AUDIT_WRITE',
  'AUDIT_CONTROL',
  'SETFCAP',
  'MAC_OVERRIDE',
  'MAC_ADMIN',
  'SYSLOG',
  'WAKE_ALARM',
  'BLOCK_SUSPEND',
  'AUDIT_READ',
  'PERFMON',
  'BPF',
  'CHECKPOINT_RESTORE',
];

export function capabilityName(value: number): string {
  const name = CAPABILITIES[value];
  return name === undefined ? `${value | 0}` : `CAP_${name}`;
}

/** The protocols strace names in socket(2) for AF_NETLINK. */
const NETLINK_PROTOCOLS = table([
  'NETLINK_ROUTE',
  'NETLINK_USERSOCK',
  'NETLINK_FIREWALL',
  'NETLINK_SOCK_DIAG',
  'NETLINK_NFLOG',
  'NETLINK_XFRM',
  'NETLINK_SELINUX',
  'NETLINK_ISCSI',
  'NETLINK_AUDIT',
  'NETLINK_FIB_LOOKUP',
  'NETLINK_CONNECTOR',
  'NETLINK_NETFILTER',
  'NETLINK_IP6_FW',
  'NETLINK_DNRTMSG',
  'NETLINK_KOBJECT_UEVENT',
  'NETLINK_GENERIC',
  'NETLINK_SCSITRANSPORT',
  'NETLINK_ECRYPTFS',
  'NETLINK_RDMA',
  'NETLINK_CRYPTO',
  'NETLINK_SMC',
]);

export function netlinkProtocol(value: number): string {
  return valueName(value, NETLINK_PROTOCOLS);
}

/** send and receive flags (MSG_*), in strace's order. */
const MSG_FLAGS = table([
  'MSG_OOB',
  'MSG_PEEK',
  'MSG_DONTROUTE',
  'MSG_CTRUNC',
  'MSG_TRUNC',
  'MSG_DONTWAIT',
  'MSG_EOR',
  'MSG_WAITALL',
  'MSG_CONFIRM',
  'MSG_ERRQUEUE',
  'MSG_NOSIGNAL',
  'MSG_MORE',
  'MSG_WAITFORONE',
  'MSG_ZEROCOPY',
  'MSG_FASTOPEN',
  'MSG_CMSG_CLOEXEC',
]);

const PRCTL_OPTIONS = table([
  'PR_SET_PDEATHSIG',
  'PR_GET_PDEATHSIG',
  'PR_GET_DUMPABLE',
  'PR_SET_DUMPABLE',
  'PR_GET_KEEPCAPS',
  'PR_SET_KEEPCAPS',
  'PR_SET_NAME',
  'PR_GET_NAME',
  'PR_GET_SECCOMP',
  'PR_SET_SECCOMP',
  'PR_CAPBSET_READ',
  'PR_SET_TIMERSLACK',
  'PR_GET_TIMERSLACK',
  'PR_SET_CHILD_SUBREAPER',
  'PR_GET_CHILD_SUBREAPER',
  'PR_SET_NO_NEW_PRIVS',
  'PR_GET_NO_NEW_PRIVS',
]);

/** The argument kinds (syscalls.ts's SyscallArgKind) read by a constant set alone, and how each reads. */
export const NAMED_KINDS: Readonly<Record<string, (value: number) => string>> = {
  signal: signalName,
  mode: octalMode,
  'mode:access': (v) => flagNames(v, ACCESS_CHECKS, 'F_OK'),
  'flags:mmap': mmapFlags,
  'flags:clone': cloneFlags,
  'flags:wait': (v) => flagNames(v, WAIT_OPTIONS),
  'flags:getrandom': (v) => flagNames(v, GETRANDOM_FLAGS),
  'flags:msg': (v) => flagNames(v, MSG_FLAGS),
  prot: (v) => flagNames(v, PROT_FLAGS, 'PROT_NONE'),
  'advice:madvise': (v) => valueName(v, MADVICE),
  whence: (v) => valueName(v, WHENCE),
  'cmd:fcntl': (v) => valueName(v, FCNTL_COMMANDS),
  'cmd:ioctl': (v) => valueName(v, IOCTL_REQUESTS).replace(/^-?\d+$/, `0x${(v >>> 0).toString(16)}`),
  'cmd:futex': futexOp,
  'how:sigprocmask': (v) => valueName(v, SIGPROCMASK_HOW),
  resource: (v) => valueName(v, RESOURCES),
  clock: (v) => valueName(v, CLOCKS),
  'option:prctl': (v) => valueName(v, PRCTL_OPTIONS),
  'domain:socket': (v) => valueName(v, SOCKET_DOMAINS),
  'type:socket': socketType,
  'protocol:socket': (v) => valueName(v, IP_PROTOCOLS),
};
