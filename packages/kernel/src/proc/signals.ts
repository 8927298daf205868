/**
 * Signals: sending (to a process or one thread), choosing what to deliver before a thread returns to user
 * mode, the default actions (terminate, dump core, stop, continue, ignore), handler frames in Linux's i386
 * rt_sigframe layout with siginfo, ucontext and FPU state, rt_sigreturn, CPU faults turned into signals with
 * Linux's si_code, and the EINTR-or-restart decision for interrupted syscalls. Layer: kernel proc.
 */
import { type Cpu, type FaultInfo, Reg, SegReg, Vector } from '@kmos/abi-driver';
import {
  __NR_restart_syscall,
  __NR_rt_sigreturn,
  __NR_sigreturn,
  BUS_ADRALN,
  EINTR,
  ERESTART_RESTARTBLOCK,
  ERESTARTNOHAND,
  ERESTARTNOINTR,
  ERESTARTSYS,
  FPE_FLTINV,
  FPE_INTDIV,
  ILL_ILLOPN,
  RT_SIGFRAME_RETCODE,
  rtSigframeLayout,
  SA_NODEFER,
  SA_ONSTACK,
  SA_RESETHAND,
  SA_RESTART,
  SA_RESTORER,
  SA_SIGINFO,
  SEGV_MAPERR,
  SI_KERNEL,
  SIG_DFL,
  SIG_IGN,
  SIGBUS,
  SIGFPE,
  SIGFRAME_RETCODE,
  SIGILL,
  SIGKILL,
  SIGRTMIN,
  SIGSEGV,
  SIGSTOP,
  SIGTRAP,
  SS_DISABLE,
  SS_ONSTACK,
  sigcontextLayout,
  sigframeLayout,
  signalDefaultAction,
  TRAP_BRKPT,
  TRAP_HWBKPT,
  ucontextLayout,
} from '@kmos/abi-linux';
import { isTrap } from '../arch/fault-class.js';
import type { Kernel } from '../kernel.js';
import { handlePageFault } from '../mm/page-fault.js';
import { copyFromUser, copyToUser } from '../mm/usercopy.js';
import { interruptSleep } from '../sched/sleep.js';
import { chargeCpuTimers } from './cpu-timers.js';
import { parkIfStopped, prepareSignal, stopByDefault } from './job-control.js';
import { exitGroup, type LifecycleHooks } from './lifecycle.js';
import type { Process } from './process.js';
import { encodeSigInfo, type SigInfo, sigInfo } from './siginfo.js';
import type { SignalAction } from './signal-actions.js';
import { firstDeliverable, sigBit, UNBLOCKABLE_LO } from './sigset.js';
import { type Thread, ThreadState } from './thread.js';
import { signaledStatus } from './wait-status.js';

const FPSTATE_BYTES = 624;
const FXSAVE_OFFSET_IN_FPSTATE = 112;
const FXSAVE_BYTES = 512;
const INT80_LENGTH = 2;
const EFLAGS_TF = 0x100;
const EFLAGS_DF = 0x400;
/** The user data selector (GDT entry 15, RPL 3), as Linux's __USER_DS. */
const USER_DS = 0x7b;
const SC = sigcontextLayout.fields;
const UC = ucontextLayout.fields;
const FRAME = rtSigframeLayout.fields;
const OLD_FRAME = sigframeLayout.fields;

export class SignalService {
  constructor(
    private readonly k: Kernel,
    private readonly hooks: LifecycleHooks,
  ) {}

  /** A process-directed signal (kill): pending on the process, delivered by any thread not blocking it. */
  sendToProcess(p: Process, info: SigInfo): void {
    if (!p.alive) return;
    prepareSignal(this.k, this.hooks, p, info.signo);
    if (this.discard(p, info.signo)) return;
    if (info.signo === SIGKILL) return exitGroup(this.k, this.hooks, p, signaledStatus(SIGKILL));
    markPending(p, info);
    const target = p.threads.find((t) => t.alive && !this.blocks(t, info.signo)) ?? null;
    if (target) this.wakeForSignal(target);
    p.signalArrived.wakeAll();
  }

  /** A thread-directed signal (tkill, tgkill, a CPU fault). */
  sendToThread(t: Thread, info: SigInfo): void {
    const p = t.process;
    if (!t.alive) return;
    prepareSignal(this.k, this.hooks, p, info.signo);
    if (this.discard(p, info.signo)) return;
    if (info.signo === SIGKILL) return exitGroup(this.k, this.hooks, p, signaledStatus(SIGKILL));
    markPending(t, info);
    if (!this.blocks(t, info.signo)) this.wakeForSignal(t);
    p.signalArrived.wakeAll();
  }

  /** A synchronous fault signal: it cannot be blocked or ignored (Linux forces SIG_DFL then). */
  force(t: Thread, info: SigInfo): void {
    const action = t.process.signals.get(info.signo);
    if (this.blocks(t, info.signo) || action.handler === SIG_IGN) {
      t.process.signals.set(info.signo, { ...action, handler: SIG_DFL });
      this.unblock(t, info.signo);
    }
    this.sendToThread(t, info);
  }

  /** Before `t` (on the CPU) returns to user mode: deliver every pending signal that is deliverable. */
  deliver(t: Thread): void {
    const p = t.process;
    if (p.cpuTimers !== null) chargeCpuTimers(this.k, p);
    if (parkIfStopped(this.k, t)) return;
    for (;;) {
      const signo = this.nextSignal(t);
      if (signo === 0 || !t.alive) return;
      const info = this.takePending(t, signo);
      const action = t.process.signals.get(signo);
      if (action.handler === SIG_IGN) continue;
      if (action.handler === SIG_DFL) {
        if (this.defaultAction(t, signo)) return;
        continue;
      }
      // As Linux's exit-to-user loop: every deliverable signal gets a frame before the thread runs, so the
      // handler of the last one runs first and returns into the previous one.
      this.setUpFrame(t, info, action);
    }
  }

  /**
   * A CPU exception in user mode: page faults are resolved by mm; the rest become signals with Linux's
   * si_code and si_addr (arch/x86/kernel/traps.c). EIP is the CPU's: past a trap's instruction, on a
   * fault's, so the signal frame holds what Linux's would.
   */
  fault(t: Thread, fault: FaultInfo): void {
    const { vector, errorCode, cr2 } = fault;
    if (vector === Vector.PF) {
      const p = t.process;
      const result = handlePageFault(p.mm, cr2, errorCode);
      if (result.kind === 'ok') {
        t.minFlt++;
        if (p.mm.rssPages > p.maxRssPages) p.maxRssPages = p.mm.rssPages;
        return;
      }
      if (result.kind === 'oom') return this.outOfMemory(t);
      return this.force(t, sigInfo(result.signo, result.code, { addr: result.addr }));
    }
    const eip = this.k.cpu.eip >>> 0;
    switch (vector) {
      case Vector.DE:
        return this.force(t, sigInfo(SIGFPE, FPE_INTDIV, { addr: eip }));
      case Vector.MF:
      case Vector.XM:
        return this.force(t, sigInfo(SIGFPE, FPE_FLTINV, { addr: eip }));
      case Vector.UD:
        return this.force(t, sigInfo(SIGILL, ILL_ILLOPN, { addr: eip }));
      case Vector.BP:
        // do_int3_user: a plain force_sig, so SI_KERNEL and no address (gdb knows SI_KERNEL as int3's).
        return this.force(t, sigInfo(SIGTRAP, SI_KERNEL));
      case Vector.DB:
        // exc_debug_user: a trap with no debug-register cause is INT1 (TRAP_BRKPT); a fault-class #DB can
        // only be an instruction breakpoint (TRAP_HWBKPT). si_addr is EIP either way.
        return this.force(t, sigInfo(SIGTRAP, isTrap(fault) ? TRAP_BRKPT : TRAP_HWBKPT, { addr: eip }));
      case Vector.AC:
        return this.force(t, sigInfo(SIGBUS, BUS_ADRALN, { addr: eip }));
      default:
        // #GP, #NP, #SS, #OF, #BR and the rest: Linux sends SIGSEGV with SI_KERNEL.
        return this.force(t, sigInfo(SIGSEGV, SI_KERNEL));
    }
  }

  /** A sleeping syscall was cut short: -EINTR, or set the thread up to run the call again (SA_RESTART). */
  settleInterrupted(t: Thread, nr: number, result: number): number {
    const errno = -result;
    if (
      errno !== ERESTARTSYS &&
      errno !== ERESTARTNOINTR &&
      errno !== ERESTARTNOHAND &&
      errno !== ERESTART_RESTARTBLOCK
    ) {
      return result;
    }
    const signo = this.nextSignal(t);
    const handler = signo === 0 ? SIG_DFL : t.process.signals.get(signo).handler;
    const handled = handler !== SIG_DFL && handler !== SIG_IGN;
    const restart =
      errno === ERESTARTNOINTR ||
      (!handled && errno !== ERESTART_RESTARTBLOCK) ||
      (errno === ERESTARTSYS && (t.process.signals.get(signo).flags & SA_RESTART) !== 0);
    // A sleep cut short with no handler to run goes on where it was, through restart_syscall.
    const restartBlock = errno === ERESTART_RESTARTBLOCK && !handled && t.restartBlock !== null;
    if (!restart && !restartBlock) return -EINTR;
    t.context.eip = (t.context.eip - INT80_LENGTH) >>> 0;
    return restartBlock ? __NR_restart_syscall : nr;
  }

  /** rt_sigreturn: restores what the handler frame saved; false when the frame is unreadable (SIGSEGV). */
  rtSigreturn(t: Thread): boolean {
    const cpu = this.k.cpu;
    const frame = (cpu.getReg(Reg.ESP) - 4) >>> 0;
    const uc = new Uint8Array(ucontextLayout.sizeBytes);
    try {
      copyFromUser(t.process.mm, (frame + FRAME.uc.offset) as never, uc);
    } catch {
      this.force(t, sigInfo(SIGSEGV, SI_KERNEL));
      return false;
    }
    const view = new DataView(uc.buffer);
    const mask = UC.uc_sigmask.offset;
    this.setBlocked(t, view.getUint32(mask, true), view.getUint32(mask + 4, true));
    const sc = UC.uc_mcontext.offset;
    return (
      this.restoreSigcontext(t, view, sc) && this.restoreFpu(t, view.getUint32(sc + SC.fpstate.offset, true))
    );
  }

  /** sigreturn: the old frame, found 8 bytes below %esp (its pretcode and signal number were popped). */
  sigreturn(t: Thread): boolean {
    const cpu = this.k.cpu;
    const frame = (cpu.getReg(Reg.ESP) - 8) >>> 0;
    const sc = new Uint8Array(OLD_FRAME.retcode.offset);
    try {
      copyFromUser(t.process.mm, frame as never, sc);
    } catch {
      this.force(t, sigInfo(SIGSEGV, SI_KERNEL));
      return false;
    }
    const view = new DataView(sc.buffer);
    this.setBlocked(
      t,
      view.getUint32(OLD_FRAME.sc.offset + SC.oldmask.offset, true),
      view.getUint32(OLD_FRAME.extramask.offset, true),
    );
    const at = OLD_FRAME.sc.offset;
    return (
      this.restoreSigcontext(t, view, at) && this.restoreFpu(t, view.getUint32(at + SC.fpstate.offset, true))
    );
  }

  setBlocked(t: Thread, lo: number, hi: number): void {
    t.sigBlockedLo = (lo & ~UNBLOCKABLE_LO) >>> 0;
    t.sigBlockedHi = hi >>> 0;
  }

  /** Takes the lowest pending signal of `t` (or its process) that is in the set lo/hi, or null (rt_sigtimedwait). */
  takeFromSet(t: Thread, lo: number, hi: number): SigInfo | null {
    const p = t.process;
    const signo = firstDeliverable(
      (t.sigPendingLo | p.sigPendingLo) & lo,
      (t.sigPendingHi | p.sigPendingHi) & hi,
      0,
      0,
    );
    return signo === 0 ? null : this.takePending(t, signo);
  }

  /** True when a signal could be delivered to `t` now (for sleeps that must notice it). */
  hasDeliverable(t: Thread): boolean {
    return this.nextSignal(t) !== 0;
  }

  private nextSignal(t: Thread): number {
    const p = t.process;
    return firstDeliverable(
      t.sigPendingLo | p.sigPendingLo,
      t.sigPendingHi | p.sigPendingHi,
      t.sigBlockedLo,
      t.sigBlockedHi,
    );
  }

  private takePending(t: Thread, signo: number): SigInfo {
    const p = t.process;
    const bit = sigBit(signo);
    const onThread = ((signo <= 32 ? t.sigPendingLo : t.sigPendingHi) & bit) !== 0;
    const owner = onThread ? t : p;
    const info = owner.sigInfo[signo] ?? sigInfo(signo, SI_KERNEL);
    // A real-time signal queued again stays pending with its next instance.
    const next = owner.sigQueued[signo]?.shift();
    if (next) {
      owner.sigInfo[signo] = next;
      return info;
    }
    if (signo <= 32) owner.sigPendingLo &= ~bit;
    else owner.sigPendingHi &= ~bit;
    owner.sigInfo[signo] = undefined;
    return info;
  }

  private blocks(t: Thread, signo: number): boolean {
    return ((signo <= 32 ? t.sigBlockedLo : t.sigBlockedHi) & sigBit(signo)) !== 0;
  }

  private unblock(t: Thread, signo: number): void {
    if (signo <= 32) t.sigBlockedLo &= ~sigBit(signo);
    else t.sigBlockedHi &= ~sigBit(signo);
  }

  /**
   * Ignored signals are dropped when sent, as Linux does (SIGCHLD included when ignored by default) — unless a
   * thread blocks them: then they stay pending for sigwait-style calls.
   */
  private discard(p: Process, signo: number): boolean {
    if (signo === SIGKILL || signo === SIGSTOP) return false;
    if (p.threads.some((t) => t.alive && this.blocks(t, signo))) return false;
    const handler = p.signals.get(signo).handler;
    if (handler === SIG_IGN) return true;
    // SIGCONT has done its work in prepareSignal already; by default there is nothing left to deliver.
    const action = handler === SIG_DFL ? signalDefaultAction(signo) : null;
    return action === 'ign' || action === 'cont';
  }

  private wakeForSignal(t: Thread): void {
    if (t.state === ThreadState.Blocked) interruptSleep(t);
  }

  /** Runs the default action; true when the thread no longer runs (killed or stopped). */
  private defaultAction(t: Thread, signo: number): boolean {
    switch (signalDefaultAction(signo)) {
      case 'ign':
      case 'cont':
        return false;
      case 'stop':
        return stopByDefault(this.k, this.hooks, t, signo);
      case 'term':
      case 'core':
        exitGroup(this.k, this.hooks, t.process, signaledStatus(signo));
        return true;
    }
  }

  /**
   * No frame for a page fault: as Linux's OOM killer does, kill the process holding the most memory (by
   * resident pages) and log it. If the victim is another process, the faulting instruction simply runs again
   * and finds the frames it freed.
   */
  private outOfMemory(t: Thread): void {
    let victim: Process = t.process;
    for (const p of this.k.processes.processes.values()) {
      if (p.alive && p.mm.rssPages > victim.mm.rssPages) victim = p;
    }
    this.k.log.error(
      `Out of memory: killed process ${victim.pid} (${victim.comm}), ${victim.mm.rssPages * 4} kB resident` +
        (victim === t.process ? '' : `, to satisfy a fault in process ${t.process.pid}`),
    );
    exitGroup(this.k, this.hooks, victim, signaledStatus(SIGKILL));
  }

  /**
   * Builds the handler's frame on the user stack — rt_sigframe for SA_SIGINFO handlers, the old sigframe
   * otherwise, as Linux's i386 setup_rt_frame/setup_frame do — and points the CPU at the handler.
   */
  private setUpFrame(t: Thread, info: SigInfo, action: SignalAction): void {
    const cpu = this.k.cpu;
    const esp = cpu.getReg(Reg.ESP) >>> 0;
    const rt = (action.flags & SA_SIGINFO) !== 0;
    const layout = rt ? rtSigframeLayout : sigframeLayout;
    let sp = esp;
    const useAltStack =
      (action.flags & SA_ONSTACK) !== 0 &&
      t.altStackSize > 0 &&
      (t.altStackFlags & SS_DISABLE) === 0 &&
      !this.onAltStack(t, esp);
    if (useAltStack) sp = (t.altStackSp + t.altStackSize) >>> 0;
    const fpstate = ((sp - FPSTATE_BYTES) & ~63) >>> 0;
    const frame = ((((fpstate - layout.sizeBytes + 4) & ~15) >>> 0) - 4) >>> 0;
    const bytes = new Uint8Array(fpstate + FPSTATE_BYTES - frame);
    const view = new DataView(bytes.buffer);
    const saved = t.savedSigmask ?? { lo: t.sigBlockedLo, hi: t.sigBlockedHi };
    t.savedSigmask = null;
    const retcodeAt = rt ? FRAME.retcode.offset : OLD_FRAME.retcode.offset;
    const restorer = (action.flags & SA_RESTORER) !== 0 ? action.restorer : frame + retcodeAt;
    view.setUint32(0, restorer >>> 0, true);
    view.setInt32(4, info.signo, true);
    if (rt) this.fillRtFrame(t, view, bytes, frame, fpstate, esp, info, saved);
    else this.fillOldFrame(view, bytes, frame, fpstate, saved);
    const fx = new Uint8Array(FXSAVE_BYTES);
    cpu.saveFpu('fxsave', fx);
    bytes.set(fx, fpstate - frame + FXSAVE_OFFSET_IN_FPSTATE);
    try {
      copyToUser(t.process.mm, frame as never, bytes);
    } catch {
      // No room for the frame: the process dies of SIGSEGV, as on Linux.
      exitGroup(this.k, this.hooks, t.process, signaledStatus(SIGSEGV));
      return;
    }
    this.enterHandler(t, info, action, frame, rt);
  }

  private fillRtFrame(
    t: Thread,
    view: DataView,
    bytes: Uint8Array,
    frame: number,
    fpstate: number,
    esp: number,
    info: SigInfo,
    saved: { lo: number; hi: number },
  ): void {
    view.setUint32(FRAME.pinfo.offset, frame + FRAME.info.offset, true);
    view.setUint32(FRAME.puc.offset, frame + FRAME.uc.offset, true);
    bytes.set(encodeSigInfo(info), FRAME.info.offset);
    const uc = FRAME.uc.offset;
    view.setUint32(uc + UC.uc_stack.offset, t.altStackSp, true);
    view.setUint32(
      uc + UC.uc_stack.offset + 4,
      this.onAltStack(t, esp) ? SS_ONSTACK : t.altStackSize ? 0 : SS_DISABLE,
      true,
    );
    view.setUint32(uc + UC.uc_stack.offset + 8, t.altStackSize, true);
    this.saveSigcontext(this.k.cpu, view, uc + UC.uc_mcontext.offset, fpstate);
    view.setUint32(uc + UC.uc_mcontext.offset + SC.oldmask.offset, saved.lo, true);
    view.setUint32(uc + UC.uc_sigmask.offset, saved.lo, true);
    view.setUint32(uc + UC.uc_sigmask.offset + 4, saved.hi, true);
    bytes.set(retcode(RT_SIGFRAME_RETCODE, 1, __NR_rt_sigreturn), FRAME.retcode.offset);
  }

  private fillOldFrame(
    view: DataView,
    bytes: Uint8Array,
    frame: number,
    fpstate: number,
    saved: { lo: number; hi: number },
  ): void {
    void frame;
    this.saveSigcontext(this.k.cpu, view, OLD_FRAME.sc.offset, fpstate);
    view.setUint32(OLD_FRAME.sc.offset + SC.oldmask.offset, saved.lo, true);
    view.setUint32(OLD_FRAME.extramask.offset, saved.hi, true);
    bytes.set(retcode(SIGFRAME_RETCODE, 2, __NR_sigreturn), OLD_FRAME.retcode.offset);
  }

  private enterHandler(t: Thread, info: SigInfo, action: SignalAction, frame: number, rt: boolean): void {
    const cpu = this.k.cpu;
    let maskLo = t.sigBlockedLo | action.maskLo;
    let maskHi = t.sigBlockedHi | action.maskHi;
    if ((action.flags & SA_NODEFER) === 0) {
      if (info.signo <= 32) maskLo |= sigBit(info.signo);
      else maskHi |= sigBit(info.signo);
    }
    this.setBlocked(t, maskLo, maskHi);
    if (action.flags & SA_RESETHAND) t.process.signals.set(info.signo, { ...action, handler: SIG_DFL });
    cpu.setReg(Reg.ESP, frame);
    cpu.setReg(Reg.EAX, info.signo);
    cpu.setReg(Reg.EDX, rt ? frame + FRAME.info.offset : 0);
    cpu.setReg(Reg.ECX, rt ? frame + FRAME.uc.offset : 0);
    cpu.eip = action.handler;
    cpu.eflags = cpu.eflags & ~(EFLAGS_TF | EFLAGS_DF);
    // The handler starts with a clean FPU/SSE state (FNINIT, MXCSR 0x1f80, XMM zero) as on Linux
    // (fpu__clear_user_states); the interrupted state is in the frame's fpstate and sigreturn restores it.
    cpu.resetFpu();
    for (const seg of [SegReg.DS, SegReg.ES, SegReg.SS]) cpu.setSeg(seg, USER_DS);
  }

  private onAltStack(t: Thread, sp: number): boolean {
    return t.altStackSize > 0 && sp - t.altStackSp < t.altStackSize;
  }

  private saveSigcontext(cpu: Cpu, view: DataView, at: number, fpstate: number): void {
    const u32 = (field: { offset: number }, value: number) =>
      view.setUint32(at + field.offset, value >>> 0, true);
    view.setUint16(at + SC.gs.offset, cpu.getSeg(SegReg.GS), true);
    view.setUint16(at + SC.fs.offset, cpu.getSeg(SegReg.FS), true);
    view.setUint16(at + SC.es.offset, cpu.getSeg(SegReg.ES), true);
    view.setUint16(at + SC.ds.offset, cpu.getSeg(SegReg.DS), true);
    u32(SC.edi, cpu.getReg(Reg.EDI));
    u32(SC.esi, cpu.getReg(Reg.ESI));
    u32(SC.ebp, cpu.getReg(Reg.EBP));
    u32(SC.esp, cpu.getReg(Reg.ESP));
    u32(SC.ebx, cpu.getReg(Reg.EBX));
    u32(SC.edx, cpu.getReg(Reg.EDX));
    u32(SC.ecx, cpu.getReg(Reg.ECX));
    u32(SC.eax, cpu.getReg(Reg.EAX));
    u32(SC.trapno, cpu.fault.vector);
    u32(SC.err, Math.max(cpu.fault.errorCode, 0));
    u32(SC.eip, cpu.eip);
    view.setUint16(at + SC.cs.offset, cpu.getSeg(SegReg.CS), true);
    u32(SC.eflags, cpu.eflags);
    u32(SC.esp_at_signal, cpu.getReg(Reg.ESP));
    view.setUint16(at + SC.ss.offset, cpu.getSeg(SegReg.SS), true);
    u32(SC.fpstate, fpstate);
    u32(SC.cr2, cpu.fault.cr2);
  }

  private restoreSigcontext(t: Thread, view: DataView, at: number): boolean {
    const cpu = this.k.cpu;
    const u32 = (field: { offset: number }) => view.getUint32(at + field.offset, true);
    try {
      cpu.setSeg(SegReg.GS, view.getUint16(at + SC.gs.offset, true));
      cpu.setSeg(SegReg.FS, view.getUint16(at + SC.fs.offset, true));
      cpu.setSeg(SegReg.ES, view.getUint16(at + SC.es.offset, true));
      cpu.setSeg(SegReg.DS, view.getUint16(at + SC.ds.offset, true));
      cpu.setSeg(SegReg.SS, view.getUint16(at + SC.ss.offset, true));
    } catch {
      this.force(t, sigInfo(SIGSEGV, SI_KERNEL));
      return false;
    }
    cpu.setReg(Reg.EDI, u32(SC.edi));
    cpu.setReg(Reg.ESI, u32(SC.esi));
    cpu.setReg(Reg.EBP, u32(SC.ebp));
    cpu.setReg(Reg.ESP, u32(SC.esp));
    cpu.setReg(Reg.EBX, u32(SC.ebx));
    cpu.setReg(Reg.EDX, u32(SC.edx));
    cpu.setReg(Reg.ECX, u32(SC.ecx));
    cpu.setReg(Reg.EAX, u32(SC.eax));
    cpu.eip = u32(SC.eip);
    cpu.eflags = u32(SC.eflags);
    return true;
  }

  private restoreFpu(t: Thread, fpstate: number): boolean {
    if (fpstate === 0) return true;
    const fx = new Uint8Array(FXSAVE_BYTES);
    try {
      copyFromUser(t.process.mm, (fpstate + FXSAVE_OFFSET_IN_FPSTATE) as never, fx);
    } catch {
      this.force(t, sigInfo(SIGSEGV, SEGV_MAPERR, { addr: fpstate }));
      return false;
    }
    this.k.cpu.restoreFpu('fxsave', fx);
    return true;
  }
}

/** The sigreturn trampoline Linux writes into a frame, with the syscall number at `nrOffset`. */
function retcode(template: readonly number[], nrOffset: number, nr: number): Uint8Array {
  const bytes = Uint8Array.from(template);
  new DataView(bytes.buffer).setUint32(nrOffset, nr, true);
  return bytes;
}

/** Instances of real-time signals one process or thread may have queued beyond the first of each. */
const MAX_QUEUED = 4096;

/**
 * Marks `info` pending on `owner` (a process or one of its threads): a standard signal once (a second one
 * merges into it), a real-time one in order after those already pending, as POSIX queues them.
 */
function markPending(owner: Process | Thread, info: SigInfo): void {
  const signo = info.signo;
  const bit = sigBit(signo);
  if (signo <= 32) owner.sigPendingLo |= bit;
  else owner.sigPendingHi |= bit;
  if (owner.sigInfo[signo] === undefined) {
    owner.sigInfo[signo] = info;
    return;
  }
  if (signo < SIGRTMIN) return;
  const queued = (owner.sigQueued[signo] ??= []);
  if (queued.length < MAX_QUEUED) queued.push(info);
}
