// Linux i386 signals as the kernel sees them: numbers, default actions, si_code values, sigaction flags,
// sigprocmask `how` values and sigaltstack flags. Layer: abi (data only, imports nothing). Written from the
// Linux UAPI headers (asm/signal.h, asm-generic/signal-defs.h, asm-generic/siginfo.h) and signal(7);
// signals.test.ts checks every value against the host's headers. Struct layouts (sigaction, siginfo,
// ucontext, rt_sigframe) live in structs.ts.

export const SIGHUP = 1;
export const SIGINT = 2;
export const SIGQUIT = 3;
export const SIGILL = 4;
export const SIGTRAP = 5;
export const SIGABRT = 6;
export const SIGIOT = 6;
export const SIGBUS = 7;
export const SIGFPE = 8;
export const SIGKILL = 9;
export const SIGUSR1 = 10;
export const SIGSEGV = 11;
export const SIGUSR2 = 12;
export const SIGPIPE = 13;
export const SIGALRM = 14;
export const SIGTERM = 15;
export const SIGSTKFLT = 16;
export const SIGCHLD = 17;
export const SIGCONT = 18;
export const SIGSTOP = 19;
export const SIGTSTP = 20;
export const SIGTTIN = 21;
export const SIGTTOU = 22;
export const SIGURG = 23;
export const SIGXCPU = 24;
export const SIGXFSZ = 25;
export const SIGVTALRM = 26;
export const SIGPROF = 27;
export const SIGWINCH = 28;
export const SIGIO = 29;
export const SIGPOLL = 29;
export const SIGPWR = 30;
export const SIGSYS = 31;

/**
 * The real-time signals as the kernel numbers them. glibc reserves the first two or three for NPTL and
 * reports SIGRTMIN as 34 or 35 to programs; the kernel delivers 32..64 alike.
 */
export const SIGRTMIN = 32;
export const SIGRTMAX = 64;
/** The kernel's signal count (_NSIG): signals are 1.._NSIG; glibc's _NSIG is one more. */
export const _NSIG = 64;
export const _NSIG_BPW = 32;
export const _NSIG_WORDS = 2;

/** Header name of each standard signal (aliases SIGIOT and SIGPOLL not listed). */
export const SIGNAL_NAMES: Readonly<Record<number, string>> = {
  1: 'SIGHUP',
  2: 'SIGINT',
  3: 'SIGQUIT',
  4: 'SIGILL',
  5: 'SIGTRAP',
  6: 'SIGABRT',
  7: 'SIGBUS',
  8: 'SIGFPE',
  9: 'SIGKILL',
  10: 'SIGUSR1',
  11: 'SIGSEGV',
  12: 'SIGUSR2',
  13: 'SIGPIPE',
  14: 'SIGALRM',
  15: 'SIGTERM',
  16: 'SIGSTKFLT',
  17: 'SIGCHLD',
  18: 'SIGCONT',
  19: 'SIGSTOP',
  20: 'SIGTSTP',
  21: 'SIGTTIN',
  22: 'SIGTTOU',
  23: 'SIGURG',
  24: 'SIGXCPU',
  25: 'SIGXFSZ',
  26: 'SIGVTALRM',
  27: 'SIGPROF',
  28: 'SIGWINCH',
  29: 'SIGIO',
  30: 'SIGPWR',
  31: 'SIGSYS',
};

/** The description glibc's strsignal() gives (what a shell prints when a child dies of the signal). */
export const SIGNAL_MESSAGES: Readonly<Record<number, string>> = {
  1: 'Hangup',
  2: 'Interrupt',
  3: 'Quit',
  4: 'Illegal instruction',
  5: 'Trace/breakpoint trap',
  6: 'Aborted',
  7: 'Bus error',
  8: 'Floating point exception',
  9: 'Killed',
  10: 'User defined signal 1',
  11: 'Segmentation fault',
  12: 'User defined signal 2',
  13: 'Broken pipe',
  14: 'Alarm clock',
  15: 'Terminated',
  16: 'Stack fault',
  17: 'Child exited',
  18: 'Continued',
  19: 'Stopped (signal)',
  20: 'Stopped',
  21: 'Stopped (tty input)',
  22: 'Stopped (tty output)',
  23: 'Urgent I/O condition',
  24: 'CPU time limit exceeded',
  25: 'File size limit exceeded',
  26: 'Virtual timer expired',
  27: 'Profiling timer expired',
  28: 'Window changed',
  29: 'I/O possible',
  30: 'Power failure',
  31: 'Bad system call',
};

/** What the kernel does with a signal whose disposition is SIG_DFL (signal(7)). */
export type SignalDefaultAction = 'term' | 'core' | 'ign' | 'stop' | 'cont';

const DEFAULT_ACTIONS: Readonly<Record<number, SignalDefaultAction>> = {
  1: 'term',
  2: 'term',
  3: 'core',
  4: 'core',
  5: 'core',
  6: 'core',
  7: 'core',
  8: 'core',
  9: 'term',
  10: 'term',
  11: 'core',
  12: 'term',
  13: 'term',
  14: 'term',
  15: 'term',
  16: 'term',
  17: 'ign',
  18: 'cont',
  19: 'stop',
  20: 'stop',
  21: 'stop',
  22: 'stop',
  23: 'ign',
  24: 'core',
  25: 'core',
  26: 'term',
  27: 'term',
  28: 'ign',
  29: 'term',
  30: 'term',
  31: 'core',
};

/** The default action of signal `sig` (1.._NSIG); real-time signals terminate. */
export function signalDefaultAction(sig: number): SignalDefaultAction {
  return DEFAULT_ACTIONS[sig] ?? 'term';
}

/** The bit of signal `sig` in a kernel sigset_t word: word (sig-1)>>5, bit (sig-1)&31. */
export function sigmaskBit(sig: number): { word: number; bit: number } {
  return { word: (sig - 1) >>> 5, bit: (sig - 1) & 31 };
}

// Dispositions (the sa_handler values with a meaning of their own).
export const SIG_DFL = 0;
export const SIG_IGN = 1;
export const SIG_ERR = -1;

// sigprocmask / rt_sigprocmask `how`.
export const SIG_BLOCK = 0;
export const SIG_UNBLOCK = 1;
export const SIG_SETMASK = 2;

// sa_flags (x86 asm/signal.h). SA_RESETHAND is bit 31: compare as unsigned (flags >>> 0).
export const SA_NOCLDSTOP = 0x00000001;
export const SA_NOCLDWAIT = 0x00000002;
export const SA_SIGINFO = 0x00000004;
export const SA_UNSUPPORTED = 0x00000400;
export const SA_EXPOSE_TAGBITS = 0x00000800;
export const SA_RESTORER = 0x04000000;
export const SA_ONSTACK = 0x08000000;
export const SA_RESTART = 0x10000000;
export const SA_NODEFER = 0x40000000;
export const SA_RESETHAND = 0x80000000;
export const SA_NOMASK = SA_NODEFER;
export const SA_ONESHOT = SA_RESETHAND;

// sigaltstack ss_flags and sizes (x86 asm/signal.h).
export const SS_ONSTACK = 1;
export const SS_DISABLE = 2;
export const SS_AUTODISARM = 0x80000000;
export const SS_FLAG_BITS = SS_AUTODISARM;
export const MINSIGSTKSZ = 2048;
export const SIGSTKSZ = 8192;

// si_code: generic values (negative ones come from user space, positive ones from the kernel).
export const SI_USER = 0;
export const SI_KERNEL = 0x80;
export const SI_QUEUE = -1;
export const SI_TIMER = -2;
export const SI_MESGQ = -3;
export const SI_ASYNCIO = -4;
export const SI_SIGIO = -5;
export const SI_TKILL = -6;
export const SI_DETHREAD = -7;
export const SI_ASYNCNL = -60;

// si_code for SIGILL.
export const ILL_ILLOPC = 1;
export const ILL_ILLOPN = 2;
export const ILL_ILLADR = 3;
export const ILL_ILLTRP = 4;
export const ILL_PRVOPC = 5;
export const ILL_PRVREG = 6;
export const ILL_COPROC = 7;
export const ILL_BADSTK = 8;
export const ILL_BADIADDR = 9;

// si_code for SIGFPE.
export const FPE_INTDIV = 1;
export const FPE_INTOVF = 2;
export const FPE_FLTDIV = 3;
export const FPE_FLTOVF = 4;
export const FPE_FLTUND = 5;
export const FPE_FLTRES = 6;
export const FPE_FLTINV = 7;
export const FPE_FLTSUB = 8;
export const FPE_FLTUNK = 14;
export const FPE_CONDTRAP = 15;

// si_code for SIGSEGV.
export const SEGV_MAPERR = 1;
export const SEGV_ACCERR = 2;
export const SEGV_BNDERR = 3;
export const SEGV_PKUERR = 4;
export const SEGV_ACCADI = 5;
export const SEGV_ADIDERR = 6;
export const SEGV_ADIPERR = 7;
export const SEGV_MTEAERR = 8;
export const SEGV_MTESERR = 9;

// si_code for SIGBUS.
export const BUS_ADRALN = 1;
export const BUS_ADRERR = 2;
export const BUS_OBJERR = 3;
export const BUS_MCEERR_AR = 4;
export const BUS_MCEERR_AO = 5;

// si_code for SIGTRAP.
export const TRAP_BRKPT = 1;
export const TRAP_TRACE = 2;
export const TRAP_BRANCH = 3;
export const TRAP_HWBKPT = 4;
export const TRAP_UNK = 5;
export const TRAP_PERF = 6;

// si_code for SIGCHLD.
export const CLD_EXITED = 1;
export const CLD_KILLED = 2;
export const CLD_DUMPED = 3;
export const CLD_TRAPPED = 4;
export const CLD_STOPPED = 5;
export const CLD_CONTINUED = 6;

// si_code for SIGPOLL/SIGIO.
export const POLL_IN = 1;
export const POLL_OUT = 2;
export const POLL_MSG = 3;
export const POLL_ERR = 4;
export const POLL_PRI = 5;
export const POLL_HUP = 6;

// si_code for SIGSYS.
export const SYS_SECCOMP = 1;
export const SYS_USER_DISPATCH = 2;

// sigevent.sigev_notify.
export const SIGEV_SIGNAL = 0;
export const SIGEV_NONE = 1;
export const SIGEV_THREAD = 2;
export const SIGEV_THREAD_ID = 4;
