// Process creation and reaping: wait4/waitid options, waitid id types, the wait status word, clone flags
// and scheduling policies. Layer: abi (data only, imports nothing). Written from the Linux UAPI headers
// (linux/wait.h, linux/sched.h) and, for the status word, the encoding glibc's <sys/wait.h> decodes;
// wait.test.ts checks each value.

// wait4 / waitpid / waitid options.
export const WNOHANG = 0x00000001;
export const WUNTRACED = 0x00000002;
export const WSTOPPED = WUNTRACED;
export const WEXITED = 0x00000004;
export const WCONTINUED = 0x00000008;
export const WNOWAIT = 0x01000000;
/** Don't wait on children of other threads in this group. */
export const __WNOTHREAD = 0x20000000;
/** Wait on all children, regardless of type (clone or not). */
export const __WALL = 0x40000000;
/** Wait only on children whose exit signal is not SIGCHLD. */
export const __WCLONE = 0x80000000;

// waitid idtype.
export const P_ALL = 0;
export const P_PID = 1;
export const P_PGID = 2;
export const P_PIDFD = 3;

// The status word wait4 stores: low 7 bits the terminating signal (0x7f = stopped), bit 7 core dumped,
// bits 8-15 the exit code or stop signal; 0xffff means continued.
export const WCOREFLAG = 0x80;
export const W_STOPPED_MARK = 0x7f;
export const W_CONTINUED = 0xffff;
/** Status of a child that called exit(code) (glibc's W_EXITCODE(code, 0)). */
export const W_EXITCODE = (code: number, sig: number): number => ((code & 0xff) << 8) | sig;
/** Status of a child killed by `sig`, with WCOREFLAG if it dumped core. */
export const W_TERMSIG_STATUS = (sig: number, core: boolean): number => sig | (core ? WCOREFLAG : 0);
/** Status of a child stopped by `sig` (glibc's W_STOPCODE). */
export const W_STOPCODE = (sig: number): number => (sig << 8) | W_STOPPED_MARK;

// clone flags: the low byte is the signal sent to the parent on exit (CSIGNAL).
export const CSIGNAL = 0x000000ff;
export const CLONE_NEWTIME = 0x00000080;
export const CLONE_VM = 0x00000100;
export const CLONE_FS = 0x00000200;
export const CLONE_FILES = 0x00000400;
export const CLONE_SIGHAND = 0x00000800;
export const CLONE_PIDFD = 0x00001000;
export const CLONE_PTRACE = 0x00002000;
export const CLONE_VFORK = 0x00004000;
export const CLONE_PARENT = 0x00008000;
export const CLONE_THREAD = 0x00010000;
export const CLONE_NEWNS = 0x00020000;
export const CLONE_SYSVSEM = 0x00040000;
export const CLONE_SETTLS = 0x00080000;
export const CLONE_PARENT_SETTID = 0x00100000;
export const CLONE_CHILD_CLEARTID = 0x00200000;
export const CLONE_DETACHED = 0x00400000;
export const CLONE_UNTRACED = 0x00800000;
export const CLONE_CHILD_SETTID = 0x01000000;
export const CLONE_NEWCGROUP = 0x02000000;
export const CLONE_NEWUTS = 0x04000000;
export const CLONE_NEWIPC = 0x08000000;
export const CLONE_NEWUSER = 0x10000000;
export const CLONE_NEWPID = 0x20000000;
export const CLONE_NEWNET = 0x40000000;
export const CLONE_IO = 0x80000000;
/** clone3 only (bit 32, beyond the i386 clone register): reset all signal handlers to SIG_DFL. */
export const CLONE_CLEAR_SIGHAND = 0x100000000;
/** clone3 only: place the child in the cgroup given by clone_args.cgroup. */
export const CLONE_INTO_CGROUP = 0x200000000;

// Scheduling policies (sched_setscheduler).
export const SCHED_NORMAL = 0;
export const SCHED_FIFO = 1;
export const SCHED_RR = 2;
export const SCHED_BATCH = 3;
export const SCHED_IDLE = 5;
export const SCHED_DEADLINE = 6;
export const SCHED_RESET_ON_FORK = 0x40000000;
