/**
 * Process and thread lifecycle syscalls: fork, vfork, clone (threads, CLONE_SETTLS, the TID pointers),
 * execve, exit, exit_group, wait4/waitpid/waitid (exits, and stops and continues for job control), set_tid_address, and the TLS descriptors (set_thread_area,
 * get_thread_area). Layer: kernel syscall handlers, over proc/, exec/ and mm/.
 */
import { type MaybePromise, Reg, type UserPtr } from '@kmos/abi-driver';
import {
  __WALL,
  __WCLONE,
  __WNOTHREAD,
  _NSIG,
  AT_EMPTY_PATH,
  AT_SYMLINK_NOFOLLOW,
  CLD_CONTINUED,
  CLD_DUMPED,
  CLD_EXITED,
  CLD_KILLED,
  CLD_STOPPED,
  CLONE_CHILD_CLEARTID,
  CLONE_CHILD_SETTID,
  CLONE_CLEAR_SIGHAND,
  CLONE_DETACHED,
  CLONE_FILES,
  CLONE_FS,
  CLONE_INTO_CGROUP,
  CLONE_NEWCGROUP,
  CLONE_NEWIPC,
  CLONE_NEWNET,
  CLONE_NEWNS,
  CLONE_NEWPID,
  CLONE_NEWTIME,
  CLONE_NEWUSER,
  CLONE_NEWUTS,
  CLONE_PARENT,
  CLONE_PARENT_SETTID,
  CLONE_PIDFD,
  CLONE_SETTLS,
  CLONE_SIGHAND,
  CLONE_SYSVSEM,
  CLONE_THREAD,
  CLONE_VFORK,
  CLONE_VM,
  CSIGNAL,
  cloneArgsLayout,
  E2BIG,
  EAGAIN,
  EBADF,
  ECHILD,
  EINVAL,
  EPERM,
  ESRCH,
  P_ALL,
  P_PGID,
  P_PID,
  P_PIDFD,
  SCHED_FIFO,
  SCHED_NORMAL,
  SCHED_RR,
  SIGCHLD,
  SIGCONT,
  siginfoLayout,
  USER_DESC_contents_MASK,
  USER_DESC_contents_SHIFT,
  USER_DESC_FLAGS_OFFSET,
  USER_DESC_limit_in_pages,
  USER_DESC_read_exec_only,
  USER_DESC_seg_32bit,
  USER_DESC_seg_not_present,
  USER_DESC_useable,
  userDescLayout,
  W_STOPPED_MARK,
  WCONTINUED,
  WEXITED,
  WNOHANG,
  WNOWAIT,
  WSTOPPED,
  WUNTRACED,
} from '@kmos/abi-linux';
import { commitExec, type ExecOrigin, prepareExec } from '../../exec/exec-program.js';
import { PidFdFile } from '../../ipc/pidfd.js';
import type { Kernel } from '../../kernel.js';
import { KernelError } from '../../kernel-error.js';
import { after } from '../../maybe-sync.js';
import { putUser32 } from '../../mm/usercopy.js';
import { inheritCapabilities } from '../../proc/capabilities.js';
import { exitGroup, exitThread, reap } from '../../proc/lifecycle.js';
import { Process, ProcessState } from '../../proc/process.js';
import { isShared, release, share } from '../../proc/sharing.js';
import { encodeSigInfo, sigInfo } from '../../proc/siginfo.js';
import { contextLike, GDT_ENTRY_TLS_ENTRIES, GDT_ENTRY_TLS_MIN, Thread } from '../../proc/thread.js';
import { encodeRusage, waitUsage } from '../../proc/usage.js';
import { CONTINUED_STATUS, exitedStatus, stoppedStatus } from '../../proc/wait-status.js';
import { sleepUntil } from '../../sched/sleep.js';
import { NS_PER_INSN } from '../../sched/virtual-clock.js';
import { KEEP_REGISTERS, type SyscallImpl } from '../syscall-table.js';
import {
  dirAt,
  pathContext,
  readUser,
  signed,
  struct,
  userPath,
  userStringArray,
  writeUser,
} from '../user-args.js';

const SIGCHLD_SIGNO = SIGCHLD;
/** The options wait4 and waitid accept (kernel_wait4 and kernel_waitid); anything else is EINVAL. */
const WAIT4_OPTIONS = WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WCLONE | __WALL;
const WAITID_OPTIONS = WNOHANG | WNOWAIT | WEXITED | WSTOPPED | WCONTINUED | __WNOTHREAD | __WCLONE | __WALL;
const ARG_MAX_BYTES = 128 * 1024;

/** The two descriptor dwords for a user_desc, as Linux's fill_ldt builds them (or zero for an empty one). */
export function descriptorOf(base: number, limit: number, flags: number): [number, number] {
  const readExecOnly = (flags & USER_DESC_read_exec_only) !== 0;
  const contents = (flags & USER_DESC_contents_MASK) >>> USER_DESC_contents_SHIFT;
  const notPresent = (flags & USER_DESC_seg_not_present) !== 0;
  const seg32 = (flags & USER_DESC_seg_32bit) !== 0;
  const pages = (flags & USER_DESC_limit_in_pages) !== 0;
  const useable = (flags & USER_DESC_useable) !== 0;
  if (
    base === 0 &&
    limit === 0 &&
    contents === 0 &&
    readExecOnly &&
    !seg32 &&
    !pages &&
    notPresent &&
    !useable
  ) {
    return [0, 0];
  }
  const type = ((readExecOnly ? 0 : 1) << 1) | (contents << 2) | 1;
  const low = ((limit & 0xffff) | ((base & 0xffff) << 16)) >>> 0;
  const high =
    ((base >>> 16) & 0xff) |
    (type << 8) |
    (1 << 12) |
    (3 << 13) |
    ((notPresent ? 0 : 1) << 15) |
    (limit & 0xf0000) |
    ((useable ? 1 : 0) << 20) |
    ((seg32 ? 1 : 0) << 22) |
    ((pages ? 1 : 0) << 23) |
    (base & 0xff000000);
  return [low, high >>> 0];
}

/** set_thread_area: installs a TLS descriptor in one of the thread's three GDT slots (-1: pick a free one). */
function setThreadArea(k: Kernel, t: Thread, ptr: number): number {
  const F = userDescLayout.fields;
  const view = readUser(t, ptr, userDescLayout.sizeBytes);
  let entry = view.getInt32(F.entry_number.offset, true);
  if (entry === -1) {
    for (let i = 0; i < GDT_ENTRY_TLS_ENTRIES && entry === -1; i++) {
      if (t.tls[i * 2] === 0 && t.tls[i * 2 + 1] === 0) entry = GDT_ENTRY_TLS_MIN + i;
    }
    if (entry === -1) throw new KernelError(ESRCH, 'no free TLS slot');
    putUser32(t.process.mm, ptr as UserPtr, entry);
  }
  const slot = entry - GDT_ENTRY_TLS_MIN;
  if (slot < 0 || slot >= GDT_ENTRY_TLS_ENTRIES) throw new KernelError(EINVAL, 'TLS entry out of range');
  const [low, high] = descriptorOf(
    view.getUint32(F.base_addr.offset, true),
    view.getUint32(F.limit.offset, true),
    view.getUint32(USER_DESC_FLAGS_OFFSET, true),
  );
  t.tls[slot * 2] = low;
  t.tls[slot * 2 + 1] = high;
  if (k.sched.current === t) k.cpu.setGdtEntry(entry, low, high);
  return 0;
}

function getThreadArea(t: Thread, ptr: number): number {
  const F = userDescLayout.fields;
  const entry = readUser(t, ptr, userDescLayout.sizeBytes).getInt32(F.entry_number.offset, true);
  const slot = entry - GDT_ENTRY_TLS_MIN;
  if (slot < 0 || slot >= GDT_ENTRY_TLS_ENTRIES) throw new KernelError(EINVAL);
  const low = t.tls[slot * 2]!;
  const high = t.tls[slot * 2 + 1]!;
  const base = ((low >>> 16) | ((high & 0xff) << 16) | (high & 0xff000000)) >>> 0;
  const limit = (low & 0xffff) | (high & 0xf0000);
  const type = (high >>> 8) & 0xf;
  const flags =
    (((high >>> 22) & 1) * USER_DESC_seg_32bit) |
    (((type >>> 2) & 3) << USER_DESC_contents_SHIFT) |
    ((((type >>> 1) & 1) ^ 1) * USER_DESC_read_exec_only) |
    (((high >>> 23) & 1) * USER_DESC_limit_in_pages) |
    ((((high >>> 15) & 1) ^ 1) * USER_DESC_seg_not_present) |
    (((high >>> 20) & 1) * USER_DESC_useable);
  const { bytes, view } = struct(userDescLayout.sizeBytes);
  view.setInt32(F.entry_number.offset, entry, true);
  view.setUint32(F.base_addr.offset, base, true);
  view.setUint32(F.limit.offset, limit, true);
  view.setUint32(USER_DESC_FLAGS_OFFSET, flags, true);
  writeUser(t, ptr, bytes);
  return 0;
}

/** What clone3 adds to clone's arguments. */
interface CloneExtras {
  /** Where CLONE_PIDFD writes the child's pidfd (clone passes it in parent_tid). */
  readonly pidfdPtr: number;
  /** CLONE_CLEAR_SIGHAND: the child's handlers go back to default (ignored signals stay ignored). */
  readonly clearSighand: boolean;
}

/** fork, vfork, clone and clone3. Returns the child's tid to the parent; the child sees 0 in %eax. */
function clone(
  k: Kernel,
  t: Thread,
  flags: number,
  newSp: number,
  parentTid: number,
  tls: number,
  childTid: number,
  extras: CloneExtras = { pidfdPtr: parentTid, clearSighand: false },
) {
  if (flags & CLONE_THREAD && !(flags & CLONE_SIGHAND)) throw new KernelError(EINVAL);
  if (flags & CLONE_SIGHAND && !(flags & CLONE_VM)) throw new KernelError(EINVAL);
  if (flags & CLONE_PIDFD && flags & (CLONE_THREAD | CLONE_DETACHED)) throw new KernelError(EINVAL);
  if (extras.clearSighand && flags & CLONE_SIGHAND) throw new KernelError(EINVAL);
  const parent = t.process;
  const tid = k.processes.allocateId();
  const process = flags & CLONE_THREAD ? parent : newProcess(k, t, tid, flags);
  if (extras.clearSighand) process.signals.resetForExec();
  if (flags & CLONE_PIDFD) {
    const owner = { uid: parent.creds.euid, gid: parent.creds.egid };
    const fd = parent.files.install(new PidFdFile(process, 0, owner), true);
    putUser32(parent.mm, extras.pidfdPtr as UserPtr, fd);
  }
  // The child starts with the caller's registers, which are on the CPU.
  const child = new Thread(tid, process, contextLike(t.context));
  k.cpu.saveContext(child.context);
  child.context.gpr[Reg.EAX] = 0;
  if (newSp !== 0) child.context.gpr[Reg.ESP] = newSp;
  child.tls.set(t.tls);
  child.sigBlockedLo = t.sigBlockedLo;
  child.sigBlockedHi = t.sigBlockedHi;
  inheritScheduling(child, t);
  if (flags & CLONE_SETTLS) setThreadArea(k, child, tls);
  process.threads.push(child);
  k.processes.addThread(child);
  if (flags & CLONE_PARENT_SETTID) putUser32(parent.mm, parentTid as UserPtr, tid);
  if (flags & CLONE_CHILD_SETTID) putUser32(process.mm, childTid as UserPtr, tid);
  if (flags & CLONE_CHILD_CLEARTID) child.clearChildTid = childTid;
  k.sched.enqueue(child);
  if (flags & CLONE_VFORK) {
    process.vforkPending = true;
    // Linux's wait_for_vfork_done is killable only: a signal must not end it (the call would restart and
    // make a second child).
    const released = () => !process.vforkPending || !process.alive;
    return sleepUntil(t, k.clock, [process.vforkDone], released, null, false).then(() => tid);
  }
  return tid;
}

/** The namespaces clone and unshare could ask for; kmOS has one of each. */
const NAMESPACE_FLAGS =
  CLONE_NEWNS |
  CLONE_NEWUTS |
  CLONE_NEWIPC |
  CLONE_NEWNET |
  CLONE_NEWUSER |
  CLONE_NEWPID |
  CLONE_NEWCGROUP |
  CLONE_NEWTIME;
const UNSHARE_FLAGS =
  CLONE_THREAD | CLONE_FS | CLONE_SIGHAND | CLONE_VM | CLONE_FILES | CLONE_SYSVSEM | NAMESPACE_FLAGS;

/**
 * unshare: CLONE_FILES gives the process a descriptor table of its own when another process shares it,
 * CLONE_FS its own root, cwd and umask; CLONE_SYSVSEM changes nothing (each process has its own undo list);
 * CLONE_THREAD, CLONE_SIGHAND and CLONE_VM are accepted for a process that shares none of them. New
 * namespaces are EPERM without privilege and EINVAL with it (a kernel built without them).
 */
function unshare(t: Thread, flags: number): number {
  if (flags & ~UNSHARE_FLAGS) throw new KernelError(EINVAL, 'unshare flags');
  const p = t.process;
  if (flags & NAMESPACE_FLAGS)
    throw new KernelError(p.creds.euid === 0 || flags & CLONE_NEWUSER ? EINVAL : EPERM);
  const threads = p.threads.filter((x) => x.alive).length;
  if (flags & (CLONE_THREAD | CLONE_SIGHAND | CLONE_VM) && threads > 1) throw new KernelError(EINVAL);
  if (flags & CLONE_VM && isShared(p.mm)) throw new KernelError(EINVAL, 'unshare of a shared address space');
  if (flags & CLONE_FILES && isShared(p.files)) {
    release(p.files);
    p.files = p.files.fork();
  }
  if (flags & CLONE_FS) p.fs = { ...p.fs };
  return 0;
}

/** clone_args' first version, and the largest a page holds (copy_struct_from_user's limits). */
const CLONE_ARGS_SIZE_VER0 = 64;
const CLONE_ARGS_MAX = 4096;

/**
 * clone3: struct clone_args read as copy_struct_from_user does (a newer, longer struct is fine while its
 * tail is zero: E2BIG otherwise), checked as Linux's clone3_args_valid, then clone's work: the exit signal
 * has its own field, the stack is given as base and size, CLONE_PIDFD writes to its own pointer.
 */
function clone3(k: Kernel, t: Thread, argsPtr: number, size: number) {
  if (size < CLONE_ARGS_SIZE_VER0) throw new KernelError(EINVAL, 'clone3: size');
  if (size > CLONE_ARGS_MAX) throw new KernelError(E2BIG);
  const known = cloneArgsLayout.sizeBytes;
  const v = readUser(t, argsPtr, Math.min(size, known));
  if (size > known) {
    const tail = readUser(t, argsPtr + known, size - known);
    for (let i = 0; i < size - known; i++) if (tail.getUint8(i) !== 0) throw new KernelError(E2BIG);
  }
  const F = cloneArgsLayout.fields;
  const u64 = (field: { offset: number }) =>
    field.offset + 8 <= v.byteLength ? Number(v.getBigUint64(field.offset, true)) : 0;
  const flags = u64(F.flags);
  const exitSignal = u64(F.exit_signal);
  const high = Math.floor(flags / 2 ** 32);
  const low = flags >>> 0;
  // The high flags are beyond 32 bits: added, not or-ed (JS bitwise operators truncate to 32 bits).
  if (high & ~((CLONE_CLEAR_SIGHAND + CLONE_INTO_CGROUP) / 2 ** 32) || low & CSIGNAL) {
    throw new KernelError(EINVAL, 'clone3: flags');
  }
  if (exitSignal > _NSIG) throw new KernelError(EINVAL, 'clone3: exit_signal');
  if (u64(F.set_tid) !== 0 || u64(F.set_tid_size) !== 0) throw new KernelError(EPERM, 'clone3: set_tid');
  if (high & (CLONE_INTO_CGROUP / 2 ** 32)) throw new KernelError(EBADF, 'clone3: no cgroups');
  const stack = u64(F.stack);
  const stackSize = u64(F.stack_size);
  if ((stack === 0) !== (stackSize === 0)) throw new KernelError(EINVAL, 'clone3: stack');
  const sp = stack === 0 ? 0 : (stack + stackSize) >>> 0;
  const clearSighand = (high & (CLONE_CLEAR_SIGHAND / 2 ** 32)) !== 0;
  return clone(k, t, low | exitSignal, sp, u64(F.parent_tid), u64(F.tls), u64(F.child_tid), {
    pidfdPtr: u64(F.pidfd),
    clearSighand,
  });
}

function newProcess(k: Kernel, t: Thread, pid: number, flags: number): Process {
  const parent = t.process;
  const realParent = flags & CLONE_PARENT ? parent.parent : parent;
  let mm = parent.mm;
  if (flags & CLONE_VM) share(mm);
  else {
    let forked: typeof mm | null = null;
    forked = mm.fork(k.notifierFor(() => forked!));
    mm = forked;
  }
  const files = flags & CLONE_FILES ? share(parent.files) : parent.files.fork();
  const fs = flags & CLONE_FS ? parent.fs : { ...parent.fs };
  const signals = flags & CLONE_SIGHAND ? parent.signals : parent.signals.fork();
  const child = new Process(pid, realParent, parent.pgid, parent.sid, parent.creds, mm, files, fs, signals);
  child.comm = parent.comm;
  child.controls = parent.controls.forChild();
  child.argv = parent.argv;
  child.envp = parent.envp;
  child.auxv = parent.auxv;
  child.exe = parent.exe;
  child.rlimits = parent.rlimits;
  child.ctty = parent.ctty;
  child.exitSignal = flags & CSIGNAL;
  inheritCapabilities(child, parent);
  realParent?.children.add(child);
  k.processes.addProcess(child);
  return child;
}

/** A new thread's nice value and policy are its creator's; SCHED_RESET_ON_FORK resets raised ones. */
function inheritScheduling(child: Thread, parent: Thread): void {
  child.ioprio = parent.ioprio;
  if (!parent.resetOnFork) {
    child.nice = parent.nice;
    child.policy = parent.policy;
    child.rtPriority = parent.rtPriority;
    return;
  }
  child.nice = Math.max(parent.nice, 0);
  const realtime = parent.policy === SCHED_FIFO || parent.policy === SCHED_RR;
  child.policy = realtime ? SCHED_NORMAL : parent.policy;
  child.rtPriority = realtime ? 0 : parent.rtPriority;
}

/** What a child has to tell its waiting parent. */
type ChildEvent = 'exited' | 'stopped' | 'continued';

/** What `c` would report to a wait with `options` now, or null (Linux's wait_consider_task, in its order). */
function eventOf(c: Process, options: number): ChildEvent | null {
  if (c.state === ProcessState.Zombie) return options & WEXITED ? 'exited' : null;
  if (c.stopUnreported && options & WSTOPPED) return 'stopped';
  if (c.continueUnreported && options & WCONTINUED) return 'continued';
  return null;
}

/**
 * The first child that `matches` with something to report under `options` (an exit, a stop, a continue),
 * sleeping until one has; null at once under WNOHANG when none has yet; ECHILD when no child matches at
 * all. Shared by wait4 and waitid.
 */
async function waitForChild(
  k: Kernel,
  t: Thread,
  matches: (c: Process) => boolean,
  options: number,
): Promise<{ child: Process; event: ChildEvent } | null> {
  const p = t.process;
  const candidates = () => [...p.children].filter(matches);
  const firstEvent = () => {
    for (const child of candidates()) {
      const event = eventOf(child, options);
      if (event) return { child, event };
    }
    return null;
  };
  for (;;) {
    if (candidates().length === 0) throw new KernelError(ECHILD);
    const found = firstEvent();
    if (found) return found;
    if (options & WNOHANG) return null;
    const settled = () => firstEvent() !== null || candidates().length === 0;
    await sleepUntil(t, k.clock, [p.childWait], settled, null);
  }
}

/** Takes the report of `child`'s `event` (unless WNOWAIT); returns the wait status word it stands for. */
function collect(k: Kernel, child: Process, event: ChildEvent, options: number): number {
  const keep = (options & WNOWAIT) !== 0;
  switch (event) {
    case 'exited':
      return keep ? child.exitStatus : reap(k, child);
    case 'stopped':
      if (!keep) child.stopUnreported = false;
      return stoppedStatus(child.stopSignal);
    case 'continued':
      if (!keep) child.continueUnreported = false;
      return CONTINUED_STATUS;
  }
}

function writeWaitUsage(t: Thread, ptr: number, child: Process): void {
  if (ptr !== 0) writeUser(t, ptr, encodeRusage(waitUsage(child), NS_PER_INSN));
}

/** wait4: a child matching `pid` (as waitpid's pid argument selects) that exited, or stopped/continued when asked. */
async function wait4(
  k: Kernel,
  t: Thread,
  pidArg: number,
  statusPtr: number,
  options: number,
  rusagePtr: number,
): Promise<number> {
  if (options & ~WAIT4_OPTIONS) throw new KernelError(EINVAL);
  const pid = signed(pidArg);
  const p = t.process;
  const matches = (c: Process) =>
    pid > 0 ? c.pid === pid : pid === 0 ? c.pgid === p.pgid : pid === -1 ? true : c.pgid === -pid;
  const found = await waitForChild(k, t, matches, options | WEXITED);
  if (!found) return 0;
  const { child, event } = found;
  // The usage is taken before reaping, while the child still holds it.
  writeWaitUsage(t, rusagePtr, child);
  const status = collect(k, child, event, options);
  if (statusPtr !== 0) putUser32(t.process.mm, statusPtr as UserPtr, status);
  return child.pid;
}

/** waitid: like wait4, with the child chosen by (idtype, id), the events by WEXITED/WSTOPPED/WCONTINUED, and the result as a siginfo_t. */
async function waitid(
  k: Kernel,
  t: Thread,
  idtype: number,
  id: number,
  infop: number,
  options: number,
  rusagePtr: number,
) {
  if (options & ~WAITID_OPTIONS || (options & (WEXITED | WSTOPPED | WCONTINUED)) === 0)
    throw new KernelError(EINVAL);
  if (idtype !== P_ALL && idtype !== P_PID && idtype !== P_PGID && idtype !== P_PIDFD)
    throw new KernelError(EINVAL);
  // P_PIDFD names the process by a pidfd; a non-blocking one makes "not yet" EAGAIN, as in Linux.
  const pidfd = idtype === P_PIDFD ? pidfdProcess(t, id) : null;
  if (pidfd?.nonBlocking) options |= WNOHANG;
  const matches = (c: Process) =>
    pidfd ? c === pidfd.process : idtype === P_ALL || (idtype === P_PID ? c.pid === id : c.pgid === id);
  const found = await waitForChild(k, t, matches, options);
  if (!found) {
    if (pidfd?.nonBlocking) throw new KernelError(EAGAIN);
    if (infop !== 0) writeUser(t, infop, new Uint8Array(siginfoLayout.sizeBytes));
    return 0;
  }
  const { child, event } = found;
  writeWaitUsage(t, rusagePtr, child);
  const status = collect(k, child, event, options);
  if (infop !== 0) writeUser(t, infop, childInfo(child, status));
  return 0;
}

/** The pidfd open on descriptor `fd`; EBADF when it is not one. */
function pidfdProcess(t: Thread, fd: number): PidFdFile {
  const file = t.process.files.get(signed(fd));
  if (!(file instanceof PidFdFile)) throw new KernelError(EBADF, 'not a pidfd');
  return file;
}

/**
 * The siginfo_t waitid reports: CLD_EXITED with the exit code, CLD_KILLED/CLD_DUMPED with the signal,
 * CLD_STOPPED with the stop signal, CLD_CONTINUED with SIGCONT.
 */
function childInfo(child: Process, status: number): Uint8Array {
  const signo = status & 0x7f;
  let code: number;
  let siStatus: number;
  if (status === CONTINUED_STATUS) [code, siStatus] = [CLD_CONTINUED, SIGCONT];
  else if (signo === W_STOPPED_MARK) [code, siStatus] = [CLD_STOPPED, (status >> 8) & 0xff];
  else if (signo === 0) [code, siStatus] = [CLD_EXITED, (status >> 8) & 0xff];
  else [code, siStatus] = [status & 0x80 ? CLD_DUMPED : CLD_KILLED, signo];
  return encodeSigInfo(sigInfo(SIGCHLD, code, { pid: child.pid, uid: child.creds.uid, status: siStatus }));
}

function execve(
  k: Kernel,
  t: Thread,
  pathPtr: number,
  argvPtr: number,
  envpPtr: number,
): MaybePromise<number> {
  return execProgram(k, t, userPath(t, pathPtr), argvPtr, envpPtr, null);
}

/**
 * execveat: the program at `path` from `dirfd` (or, with AT_EMPTY_PATH and an empty path, the file `dirfd`
 * is open on: fexecve). Linux names it /dev/fd/N (or /dev/fd/N/path) unless the path is absolute.
 */
function execveat(
  k: Kernel,
  t: Thread,
  dirfd: number,
  pathPtr: number,
  argvPtr: number,
  envpPtr: number,
  flags: number,
) {
  if (flags & ~(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW)) throw new KernelError(EINVAL, 'execveat flags');
  const path = userPath(t, pathPtr, (flags & AT_EMPTY_PATH) !== 0);
  const fd = signed(dirfd);
  const at = dirAt(t, dirfd);
  const name =
    path.startsWith('/') || at === null ? path : path === '' ? `/dev/fd/${fd}` : `/dev/fd/${fd}/${path}`;
  const closeOnExec = at !== null && !path.startsWith('/') && t.process.files.getCloseOnExec(fd);
  return execProgram(k, t, name, argvPtr, envpPtr, { at, openPath: path, flags, closeOnExec });
}

function execProgram(
  k: Kernel,
  t: Thread,
  path: string,
  argvPtr: number,
  envpPtr: number,
  origin: ExecOrigin | null,
): MaybePromise<number> {
  const argv = userStringArray(t, argvPtr, ARG_MAX_BYTES);
  const envp = userStringArray(t, envpPtr, ARG_MAX_BYTES);
  return after(prepareExec(k, pathContext(t), path, argv, envp, origin), (exec) => {
    // The new program is built with the thread on the CPU: it is there unless it slept while the files were read.
    const slept = k.sched.current !== t;
    if (slept) k.sched.switchTo(t);
    commitExec(k, t, exec);
    if (slept) k.sched.putAside();
    return 0;
  });
}

export function lifecycleSyscalls(k: Kernel): Record<string, SyscallImpl> {
  return {
    exit: {
      handler: (t, code) => {
        exitThread(k, k.lifecycle, t, exitedStatus(code));
        return KEEP_REGISTERS;
      },
    },
    exit_group: {
      handler: (t, code) => {
        exitGroup(k, k.lifecycle, t.process, exitedStatus(code));
        return KEEP_REGISTERS;
      },
    },
    fork: { handler: (t) => clone(k, t, SIGCHLD_SIGNO, 0, 0, 0, 0) },
    vfork: { handler: (t) => clone(k, t, CLONE_VM | CLONE_VFORK | SIGCHLD_SIGNO, 0, 0, 0, 0) },
    clone: {
      handler: (t, flags, newSp, parentTid, tls, childTid) => {
        if (flags & CLONE_PIDFD && flags & CLONE_PARENT_SETTID) throw new KernelError(EINVAL);
        return clone(k, t, flags, newSp, parentTid, tls, childTid);
      },
      status: 'partial',
      note: 'namespaces (CLONE_NEW*), CLONE_PTRACE and CLONE_IO are not supported',
    },
    unshare: {
      handler: (t, flags) => unshare(t, flags),
      status: 'partial',
      note: 'no namespaces (EPERM, or EINVAL for root); CLONE_FILES in a threaded process unshares every thread',
    },
    clone3: {
      handler: (t, args, size) => clone3(k, t, args, size),
      status: 'partial',
      note: 'set_tid and CLONE_INTO_CGROUP are not supported (EPERM, EBADF); namespaces as clone',
    },
    execve: { handler: (t, path, argv, envp) => execve(k, t, path, argv, envp) },
    execveat: {
      handler: (t, dirfd, path, argv, envp, flags) => execveat(k, t, dirfd, path, argv, envp, flags),
    },
    wait4: { handler: (t, pid, status, options, ru) => wait4(k, t, pid, status, options, ru) },
    waitpid: { handler: (t, pid, status, options) => wait4(k, t, pid, status, options, 0) },
    waitid: {
      handler: (t, idtype, id, infop, options, ru) => waitid(k, t, idtype, id, infop, options, ru),
    },
    set_tid_address: {
      handler: (t, ptr) => {
        t.clearChildTid = ptr;
        return t.tid;
      },
    },
    set_thread_area: { handler: (t, ptr) => setThreadArea(k, t, ptr) },
    get_thread_area: { handler: (t, ptr) => getThreadArea(t, ptr) },
  };
}
