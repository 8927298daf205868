/**
 * Signal syscalls: rt_sigaction, rt_sigprocmask, rt_sigreturn, kill, tkill, tgkill, sigaltstack,
 * rt_sigpending, rt_sigsuspend, pause. Delivery, frames and default actions are in proc/signals.ts.
 * Layer: kernel syscall handlers.
 */
import {
  _NSIG,
  EAGAIN,
  EINVAL,
  ENOMEM,
  EPERM,
  ERESTARTNOHAND,
  ESRCH,
  KERNEL_SIGSET_SIZE,
  oldSigactionLayout,
  SA_NODEFER,
  SA_RESETHAND,
  SA_RESTORER,
  SI_TKILL,
  SI_USER,
  SIG_BLOCK,
  SIG_SETMASK,
  SIG_UNBLOCK,
  SIGKILL,
  SIGSTOP,
  SS_DISABLE,
  SS_ONSTACK,
  sigactionLayout,
  siginfoLayout,
  stackLayout,
} from '@kmos/abi-linux';
import type { Kernel } from '../../kernel.js';
import { KernelError } from '../../kernel-error.js';
import type { Process } from '../../proc/process.js';
import { encodeSigInfo, type SigInfo, sigInfo } from '../../proc/siginfo.js';
import type { Thread } from '../../proc/thread.js';
import { sleepUntil } from '../../sched/sleep.js';
import { WaitQueue } from '../../sched/wait-queue.js';
import { KEEP_REGISTERS, type SyscallImpl } from '../syscall-table.js';
import { readUser, signed, struct, writeUser } from '../user-args.js';
import { readTimespecNs } from './time.js';

/** A queue nobody wakes: pause and sigsuspend sleep until a signal interrupts them. */
const NEVER = new WaitQueue();
const MINSIGSTKSZ = 2048;

function checkSigno(signo: number, allowZero = false): void {
  if ((signo === 0 && !allowZero) || signo < 0 || signo > _NSIG)
    throw new KernelError(EINVAL, `bad signal ${signo}`);
}

/**
 * rt_sigaction, and sigaction with the old struct (a 32-bit mask, fields in another order): `layout` says
 * where the fields lie; a mask without its high word leaves the real-time signals' bits clear.
 */
function setAction(
  t: Thread,
  signo: number,
  actPtr: number,
  oldPtr: number,
  layout: typeof sigactionLayout | typeof oldSigactionLayout,
): number {
  checkSigno(signo);
  const F = layout.fields;
  const wideMask = F.sa_mask.sizeBytes === KERNEL_SIGSET_SIZE;
  const actions = t.process.signals;
  const old = actions.get(signo);
  let next = null;
  if (actPtr !== 0) {
    if (signo === SIGKILL || signo === SIGSTOP) throw new KernelError(EINVAL);
    const v = readUser(t, actPtr, layout.sizeBytes);
    const flags = v.getUint32(F.sa_flags.offset, true);
    next = {
      handler: v.getUint32(F.sa_handler.offset, true),
      flags,
      restorer: flags & SA_RESTORER ? v.getUint32(F.sa_restorer.offset, true) : 0,
      maskLo: v.getUint32(F.sa_mask.offset, true) & ~((1 << (SIGKILL - 1)) | (1 << (SIGSTOP - 1))),
      maskHi: wideMask ? v.getUint32(F.sa_mask.offset + 4, true) : 0,
    };
  }
  if (oldPtr !== 0) {
    const { bytes, view } = struct(layout.sizeBytes);
    view.setUint32(F.sa_handler.offset, old.handler, true);
    view.setUint32(F.sa_flags.offset, old.flags, true);
    view.setUint32(F.sa_restorer.offset, old.restorer, true);
    view.setUint32(F.sa_mask.offset, old.maskLo, true);
    if (wideMask) view.setUint32(F.sa_mask.offset + 4, old.maskHi, true);
    writeUser(t, oldPtr, bytes);
  }
  if (next) actions.set(signo, next);
  return 0;
}

function rtSigaction(t: Thread, signo: number, actPtr: number, oldPtr: number, setsize: number): number {
  if (setsize !== KERNEL_SIGSET_SIZE) throw new KernelError(EINVAL);
  return setAction(t, signo, actPtr, oldPtr, sigactionLayout);
}

/** signal(2) as the kernel has it: a one-shot handler that does not block its own signal; the old one back. */
function signalCall(t: Thread, signo: number, handler: number): number {
  checkSigno(signo);
  if (signo === SIGKILL || signo === SIGSTOP) throw new KernelError(EINVAL);
  const old = t.process.signals.get(signo);
  t.process.signals.set(signo, {
    handler,
    flags: (SA_RESETHAND | SA_NODEFER) >>> 0,
    restorer: 0,
    maskLo: 0,
    maskHi: 0,
  });
  return old.handler;
}

function writeSigset(t: Thread, ptr: number, lo: number, hi: number): void {
  const { bytes, view } = struct(KERNEL_SIGSET_SIZE);
  view.setUint32(0, lo >>> 0, true);
  view.setUint32(4, hi >>> 0, true);
  writeUser(t, ptr, bytes);
}

function rtSigprocmask(
  k: Kernel,
  t: Thread,
  how: number,
  setPtr: number,
  oldPtr: number,
  setsize: number,
): number {
  if (setsize !== KERNEL_SIGSET_SIZE) throw new KernelError(EINVAL);
  return changeMask(k, t, how, setPtr, oldPtr, KERNEL_SIGSET_SIZE);
}

/** rt_sigprocmask's work, for a sigset of `size` bytes: 8, or 4 for sigprocmask's old_sigset_t. */
function changeMask(k: Kernel, t: Thread, how: number, setPtr: number, oldPtr: number, size: number): number {
  const oldLo = t.sigBlockedLo;
  const oldHi = t.sigBlockedHi;
  if (setPtr !== 0) {
    const v = readUser(t, setPtr, size);
    const lo = v.getUint32(0, true);
    // The old calls cannot name real-time signals: their bits stay as they are.
    const hi = size === KERNEL_SIGSET_SIZE ? v.getUint32(4, true) : how === SIG_SETMASK ? oldHi : 0;
    if (how === SIG_BLOCK) k.signals.setBlocked(t, oldLo | lo, oldHi | hi);
    else if (how === SIG_UNBLOCK) k.signals.setBlocked(t, oldLo & ~lo, oldHi & ~hi);
    else if (how === SIG_SETMASK) k.signals.setBlocked(t, lo, hi);
    else throw new KernelError(EINVAL);
  }
  if (oldPtr !== 0) {
    if (size === KERNEL_SIGSET_SIZE) writeSigset(t, oldPtr, oldLo, oldHi);
    else writeUint32(t, oldPtr, oldLo);
  }
  return 0;
}

function writeUint32(t: Thread, ptr: number, value: number): void {
  const { bytes, view } = struct(4);
  view.setUint32(0, value, true);
  writeUser(t, ptr, bytes);
}

/** May `from` signal `to`? Root, or a real/effective uid matching the target's real or saved uid. */
export function maySignal(from: Process, to: Process): boolean {
  const a = from.creds;
  const b = to.creds;
  return a.euid === 0 || a.uid === b.uid || a.euid === b.uid;
}

function kill(k: Kernel, t: Thread, pidArg: number, signo: number): number {
  checkSigno(signo, true);
  const pid = signed(pidArg);
  const me = t.process;
  const targets =
    pid > 0
      ? [k.processes.processes.get(pid)].filter((p): p is Process => !!p && p.alive)
      : pid === 0
        ? [...k.processes.inGroup(me.pgid)]
        : pid === -1
          ? [...k.processes.processes.values()].filter((p) => p.alive && p.pid !== 1 && p !== me)
          : [...k.processes.inGroup(-pid)];
  if (targets.length === 0) throw new KernelError(ESRCH);
  const allowed = targets.filter((p) => maySignal(me, p));
  if (allowed.length === 0) throw new KernelError(EPERM);
  if (signo === 0) return 0;
  for (const p of allowed)
    k.signals.sendToProcess(p, sigInfo(signo, SI_USER, { pid: me.pid, uid: me.creds.uid }));
  return 0;
}

function tgkill(k: Kernel, t: Thread, tgid: number, tid: number, signo: number): number {
  checkSigno(signo, true);
  const target = k.processes.threads.get(tid);
  if (!target?.alive || (tgid !== 0 && target.process.pid !== tgid)) throw new KernelError(ESRCH);
  if (!maySignal(t.process, target.process)) throw new KernelError(EPERM);
  if (signo !== 0)
    k.signals.sendToThread(
      target,
      sigInfo(signo, SI_TKILL, { pid: t.process.pid, uid: t.process.creds.uid }),
    );
  return 0;
}

/**
 * rt_sigqueueinfo and rt_tgsigqueueinfo (sigqueue): a signal with the caller's siginfo (its code, pid, uid
 * and value) to a process or one of its threads. Only to itself may a process claim a kernel or kill code
 * (si_code >= 0, or SI_TKILL): EPERM otherwise, as in Linux.
 */
function sigqueue(
  k: Kernel,
  t: Thread,
  pid: number,
  tid: number | null,
  signo: number,
  infoPtr: number,
): number {
  checkSigno(signo, true);
  const target = tid === null ? k.processes.processes.get(pid) : k.processes.threads.get(tid)?.process;
  const thread = tid === null ? null : k.processes.threads.get(tid);
  if (!target?.alive || (thread && (!thread.alive || target.pid !== pid))) throw new KernelError(ESRCH);
  const info = queuedSigInfo(t, infoPtr, signo, target);
  if (signo === 0) return 0;
  if (thread) k.signals.sendToThread(thread, info);
  else k.signals.sendToProcess(target, info);
  return 0;
}

/**
 * The caller's siginfo for a queued signal `signo` to `target` (its code, pid, uid and value). Only to itself
 * may a process claim a kernel or kill code (si_code >= 0, or SI_TKILL): EPERM otherwise, as in Linux; EPERM
 * too when it may not signal the target.
 */
export function queuedSigInfo(t: Thread, infoPtr: number, signo: number, target: Process): SigInfo {
  const v = readUser(t, infoPtr, siginfoLayout.sizeBytes);
  const F = siginfoLayout.fields;
  const code = v.getInt32(F.si_code.offset, true);
  if ((code >= 0 || code === SI_TKILL) && target !== t.process) throw new KernelError(EPERM);
  if (!maySignal(t.process, target)) throw new KernelError(EPERM);
  return sigInfo(signo, code, {
    pid: v.getInt32(F.si_pid.offset, true),
    uid: v.getUint32(F.si_uid.offset, true),
    value: v.getInt32(F.si_value.offset, true),
  });
}

function sigaltstack(t: Thread, ssPtr: number, oldPtr: number): number {
  const F = stackLayout.fields;
  if (oldPtr !== 0) {
    const { bytes, view } = struct(stackLayout.sizeBytes);
    view.setUint32(F.ss_sp.offset, t.altStackSp, true);
    view.setUint32(F.ss_size.offset, t.altStackSize, true);
    view.setUint32(F.ss_flags.offset, t.altStackSize === 0 ? SS_DISABLE : t.altStackFlags, true);
    writeUser(t, oldPtr, bytes);
  }
  if (ssPtr !== 0) {
    const v = readUser(t, ssPtr, stackLayout.sizeBytes);
    const flags = v.getUint32(F.ss_flags.offset, true);
    if (flags & SS_ONSTACK) throw new KernelError(EINVAL);
    if (flags & SS_DISABLE) {
      t.altStackSp = 0;
      t.altStackSize = 0;
      t.altStackFlags = SS_DISABLE;
      return 0;
    }
    const size = v.getUint32(F.ss_size.offset, true);
    if (size < MINSIGSTKSZ) throw new KernelError(ENOMEM);
    t.altStackSp = v.getUint32(F.ss_sp.offset, true);
    t.altStackSize = size;
    t.altStackFlags = flags;
  }
  return 0;
}

/** rt_sigtimedwait: takes a pending signal of the set, sleeping until one comes or the timeout passes (EAGAIN). */
async function sigtimedwait(
  k: Kernel,
  t: Thread,
  setPtr: number,
  infoPtr: number,
  timeoutPtr: number,
  size: number,
  time64: boolean,
) {
  if (size !== KERNEL_SIGSET_SIZE) throw new KernelError(EINVAL);
  const v = readUser(t, setPtr, KERNEL_SIGSET_SIZE);
  const unblockable = (1 << (SIGKILL - 1)) | (1 << (SIGSTOP - 1));
  const lo = v.getUint32(0, true) & ~unblockable;
  const hi = v.getUint32(4, true);
  const deadline = timeoutPtr === 0 ? null : k.clock.nowNs() + readTimespecNs(t, timeoutPtr, time64);
  let info = k.signals.takeFromSet(t, lo, hi);
  if (!info && deadline !== k.clock.nowNs()) {
    const end = await sleepUntil(
      t,
      k.clock,
      [t.process.signalArrived],
      () => (info = k.signals.takeFromSet(t, lo, hi)) !== null,
      deadline,
    );
    if (end === 'timeout' && !info) info = k.signals.takeFromSet(t, lo, hi);
  }
  if (!info) throw new KernelError(EAGAIN);
  if (infoPtr !== 0) writeUser(t, infoPtr, encodeSigInfo(info));
  return info.signo;
}

/** rt_sigsuspend and sigsuspend: the mask for the wait, restored when the handler returns. */
function suspendWith(k: Kernel, t: Thread, lo: number, hi: number): Promise<number> {
  t.savedSigmask = { lo: t.sigBlockedLo, hi: t.sigBlockedHi };
  k.signals.setBlocked(t, lo, hi);
  return suspend(k, t);
}

/** Sleeps until a signal is delivered: pause, and rt_sigsuspend with its temporary mask. */
async function suspend(k: Kernel, t: Thread): Promise<number> {
  await sleepUntil(t, k.clock, [NEVER], () => k.signals.hasDeliverable(t), null);
  throw new KernelError(ERESTARTNOHAND);
}

export function signalSyscalls(k: Kernel): Record<string, SyscallImpl> {
  return {
    rt_sigaction: { handler: (t, signo, act, old, size) => rtSigaction(t, signo, act, old, size) },
    rt_sigprocmask: { handler: (t, how, set, old, size) => rtSigprocmask(k, t, how, set, old, size) },
    rt_sigreturn: {
      handler: (t) => {
        k.signals.rtSigreturn(t);
        return KEEP_REGISTERS;
      },
    },
    sigreturn: {
      handler: (t) => {
        k.signals.sigreturn(t);
        return KEEP_REGISTERS;
      },
    },
    kill: { handler: (t, pid, signo) => kill(k, t, pid, signo) },
    tkill: { handler: (t, tid, signo) => tgkill(k, t, 0, tid, signo) },
    tgkill: { handler: (t, tgid, tid, signo) => tgkill(k, t, tgid, tid, signo) },
    rt_sigqueueinfo: { handler: (t, pid, signo, info) => sigqueue(k, t, signed(pid), null, signo, info) },
    rt_tgsigqueueinfo: {
      handler: (t, pid, tid, signo, info) => sigqueue(k, t, signed(pid), signed(tid), signo, info),
    },
    sigaltstack: { handler: (t, ss, old) => sigaltstack(t, ss, old) },
    rt_sigpending: {
      handler: (t, ptr, size) => {
        if (size > KERNEL_SIGSET_SIZE) throw new KernelError(EINVAL);
        const p = t.process;
        writeSigset(
          t,
          ptr,
          (t.sigPendingLo | p.sigPendingLo) & t.sigBlockedLo,
          (t.sigPendingHi | p.sigPendingHi) & t.sigBlockedHi,
        );
        return 0;
      },
    },
    rt_sigsuspend: {
      handler: (t, maskPtr, size) => {
        if (size !== KERNEL_SIGSET_SIZE) throw new KernelError(EINVAL);
        const v = readUser(t, maskPtr, KERNEL_SIGSET_SIZE);
        return suspendWith(k, t, v.getUint32(0, true), v.getUint32(4, true));
      },
    },
    // The calls from before real-time signals, with 32-bit masks (programs built for 2.0 kernels, and libc5).
    sigaction: { handler: (t, signo, act, old) => setAction(t, signo, act, old, oldSigactionLayout) },
    signal: { handler: (t, signo, handler) => signalCall(t, signo, handler) },
    sigprocmask: { handler: (t, how, set, old) => changeMask(k, t, how, set, old, 4) },
    sigpending: {
      handler: (t, ptr) => {
        writeUint32(t, ptr, (t.sigPendingLo | t.process.sigPendingLo) & t.sigBlockedLo);
        return 0;
      },
    },
    sigsuspend: { handler: (t, _unused1, _unused2, mask) => suspendWith(k, t, mask, t.sigBlockedHi) },
    sgetmask: { handler: (t) => t.sigBlockedLo },
    ssetmask: {
      handler: (t, mask) => {
        const old = t.sigBlockedLo;
        k.signals.setBlocked(t, mask, t.sigBlockedHi);
        return old;
      },
    },
    pause: { handler: (t) => suspend(k, t) },
    rt_sigtimedwait: {
      handler: (t, set, info, timeout, size) => sigtimedwait(k, t, set, info, timeout, size, false),
    },
    rt_sigtimedwait_time64: {
      handler: (t, set, info, timeout, size) => sigtimedwait(k, t, set, info, timeout, size, true),
    },
  };
}
