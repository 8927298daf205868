/**
 * The running kernel: the machine boot() composed, plus the services of the process layer — memory
 * management, the VFS, the process table, the scheduler and clock, the syscall table — and the trap loop
 * that runs threads on the CPU and handles whatever brings it back: syscalls, faults, the end of a slice.
 * Layer: kernel core; syscall handlers (syscall/handlers) and subsystems reach each other through it.
 */
import {
  type Cpu,
  type FaultInfo,
  type Logger,
  type PhysAddr,
  Reg,
  RunExit,
  type VirtAddr,
} from '@kmos/abi-driver';
import type { Machine } from './boot.js';
import { DEADLOCK, KernelPanic } from './errors.js';
import { Vfs } from './fs/vfs.js';
import { Futexes } from './ipc/futex.js';
import { SysvMsg } from './ipc/sysv-msg.js';
import { SysvSem } from './ipc/sysv-sem.js';
import { SysvShm } from './ipc/sysv-shm.js';
import { FilePages } from './mapping/file-pages.js';
import { type AddressSpace, MemoryManager, type MmuNotifier } from './mm/address-space.js';
import { SocketLayer } from './net/socket-layer.js';
import type { LifecycleHooks } from './proc/lifecycle.js';
import { ProcessTable } from './proc/process-table.js';
import { sigInfo } from './proc/siginfo.js';
import { SignalService } from './proc/signals.js';
import type { Thread } from './proc/thread.js';
import { SeededRandom } from './random/seeded-random.js';
import { Scheduler } from './sched/scheduler.js';
import { VirtualClock } from './sched/virtual-clock.js';
import { SyscallDispatcher } from './syscall/dispatch.js';
import type { SyscallTable } from './syscall/syscall-table.js';

/** How long a busy guest may run before host events (terminal input) get a turn, in host milliseconds. */
const HOST_YIELD_MS = 10;
/**
 * Microtask turns the trap loop gives pending syscalls after a thread leaves the CPU. A call that waited only
 * on the thread that just ran (a pipe's reader woken by its writer) retries and settles a few promise
 * reactions deep; given those turns its thread is queued before the next pick, instead of the loop finding
 * nothing runnable and arming (then cancelling) a host event-loop turn in settledOrHostTurn, at every block.
 */
const SETTLE_TURNS = 4;

/**
 * What a syscall costs the calling thread's time slice, in instructions (about a microsecond of guest time at
 * the slice's rate). Syscalls finish inside the slice now (maybe-sync.ts), and a thread making nothing but
 * syscalls (a stat loop) ran ~0.4 s of host time before its slice of instructions ran out: other threads and
 * host events (^C) waited that long. Charged to the slice only, not the virtual clock, and a constant, so
 * runs stay repeatable.
 */
const SYSCALL_SLICE_INSNS = 1000;

/** 2026-01-01T00:00:00Z: CLOCK_REALTIME at boot in virtual-clock mode, fixed so runs are repeatable. */
export const VIRTUAL_BOOT_EPOCH_NS = 1_767_225_600 * 1e9;

export interface KernelOptions {
  readonly realtime: boolean;
  readonly syscalls: (k: Kernel) => SyscallTable;
}

/** How a thread came back to the kernel, for the trap handlers the kernel installs. */
export interface TrapHandlers {
  /** A CPU exception in `t` (the current thread): resolve it (page fault) or turn it into a signal. */
  fault(t: Thread, fault: FaultInfo): void;
  /** Before `t` returns to user mode: deliver pending signals. */
  beforeUserReturn(t: Thread): void;
  /** A pending syscall settled with an error: decide EINTR vs restart, return the %eax value. */
  settleInterrupted(t: Thread, nr: number, result: number): number;
}

export class Kernel {
  readonly cpu: Cpu;
  readonly mm: MemoryManager;
  readonly clock: VirtualClock;
  readonly sched: Scheduler;
  readonly processes = new ProcessTable();
  readonly syscalls: SyscallTable;
  readonly dispatcher: SyscallDispatcher;
  readonly log: Logger;
  readonly vfs: Vfs;
  readonly sockets: SocketLayer;
  readonly shm: SysvShm;
  readonly sem = new SysvSem();
  readonly msg: SysvMsg;
  readonly filePages = new FilePages((d) => this.vfs.mounts.displayPath(d));
  readonly random: SeededRandom;
  readonly signals: SignalService;
  readonly lifecycle: LifecycleHooks;
  readonly futexes: Futexes;
  private readonly traps: TrapHandlers;
  /** Syscalls in flight (pending promises): while any, the kernel waits for them rather than giving up. */
  private inFlight = 0;
  private wakeIdle: (() => void) | null = null;
  /** A panic raised inside a promise callback, rethrown by the trap loop. */
  private fatal: unknown = null;
  /** Resolves when the first process (pid 1) has exited; its wait status. */
  private initExit: ((status: number) => void) | null = null;

  constructor(
    readonly machine: Machine,
    options: KernelOptions,
  ) {
    this.cpu = machine.cpu;
    this.log = machine.log.logger('kernel');
    this.mm = new MemoryManager(machine.memory, machine.pages, (phys, sizeBytes) =>
      this.cpu.invalidateCode(phys, sizeBytes),
    );
    this.clock = new VirtualClock(
      () => this.cpu.insns,
      options.realtime,
      options.realtime ? Date.now() * 1e6 : VIRTUAL_BOOT_EPOCH_NS,
    );
    this.sched = new Scheduler(this.cpu);
    this.random = new SeededRandom(machine.loaded.config.machine.seed);
    this.futexes = new Futexes(this.clock);
    this.vfs = new Vfs({
      clock: () => {
        const ns = this.clock.epochNs();
        return { sec: Math.floor(ns / 1e9), nsec: ns % 1e9 };
      },
      pipeMemory: { objects: machine.objects, memory: machine.memory },
    });
    this.shm = new SysvShm(this.mm.caches);
    this.msg = new SysvMsg({ objects: machine.objects, memory: machine.memory });
    this.sockets = new SocketLayer(this.vfs, { objects: machine.objects, memory: machine.memory });
    this.lifecycle = {
      futexWake: (p, addr, count) => {
        this.futexes.wake(this.futexes.key(p.mm, addr, true), count);
        this.futexes.wake(this.futexes.key(p.mm, addr, false), count);
      },
      signalProcess: (target, signo, code, status, from) =>
        this.signals.sendToProcess(
          target,
          sigInfo(signo, code, { pid: from.pid, uid: from.creds.uid, status }),
        ),
    };
    this.signals = new SignalService(this, this.lifecycle);
    this.traps = {
      fault: (t, fault) => this.signals.fault(t, fault),
      beforeUserReturn: (t) => this.signals.deliver(t),
      settleInterrupted: (t, nr, result) => this.signals.settleInterrupted(t, nr, result),
    };
    this.syscalls = options.syscalls(this);
    this.dispatcher = new SyscallDispatcher(this.cpu, this.syscalls, machine.log.logger('syscall'));
  }

  /** The TLB and code-cache notifications for one address space: only the one on the CPU has TLB entries. */
  notifierFor(as: () => AddressSpace): MmuNotifier {
    const cpu = this.cpu;
    // CR3, not the current thread: an idle CPU keeps the last address space's TLB entries.
    const onCpu = () => cpu.cr3 === as().cr3;
    return {
      invlpg: (addr: VirtAddr) => {
        if (onCpu()) cpu.invlpg(addr);
      },
      flushTlb: () => {
        if (onCpu()) cpu.flushTlb();
      },
      invalidateCode: (phys: PhysAddr, sizeBytes: number) => cpu.invalidateCode(phys, sizeBytes),
    };
  }

  /** Called by whoever makes a thread runnable from outside the trap loop (a settled promise, a host event). */
  kick(): void {
    const wake = this.wakeIdle;
    this.wakeIdle = null;
    wake?.();
  }

  /** pid 1 exited with this wait status: the run is over. */
  initExited(status: number): void {
    this.initExit?.(status);
  }

  /** When host events last had a turn (performance.now()). Written by `run` only. */
  private lastHostTurnMs = 0;

  /** True once reboot(2) powered the machine off. Written by `powerOff` only. */
  poweredOff = false;

  /** reboot(LINUX_REBOOT_CMD_POWER_OFF or HALT): the run ends cleanly. */
  powerOff(): void {
    this.poweredOff = true;
    this.sched.putAside();
    this.initExit?.(0);
  }

  /** Runs until pid 1 exits; resolves to its wait status (exit code << 8, or the terminating signal). */
  async run(): Promise<number> {
    let finished: number | null = null;
    this.initExit = (status) => {
      finished = status;
    };
    this.lastHostTurnMs = performance.now();
    while (finished === null) {
      if (this.fatal) throw this.fatal;
      const t = this.sched.next();
      if (t) {
        this.runThread(t);
        for (let turn = 0; turn < SETTLE_TURNS && this.inFlight > 0; turn++) await Promise.resolve();
        // A busy guest must not starve host events (a ^C typed at the terminal, a resize): let them in now
        // and then. Without host events pending this changes nothing the guest can see.
        if (performance.now() - this.lastHostTurnMs > HOST_YIELD_MS) {
          await this.hostTurn();
          this.lastHostTurnMs = performance.now();
        }
        continue;
      }
      if (this.clock.fireDue() > 0) continue;
      // Nothing runnable: let settled promises and host I/O run first, then let guest time jump to the next timer.
      await this.settledOrHostTurn();
      if (this.sched.hasQueued()) continue;
      if (this.clock.skipToNextTimer()) {
        if (this.clock.realtime) {
          await this.sleepHost();
          this.vfs.newHostEpoch();
        }
        this.clock.fireDue();
        continue;
      }
      if (this.inFlight > 0) {
        await new Promise<void>((resolve) => {
          this.wakeIdle = resolve;
        });
        this.vfs.newHostEpoch();
        continue;
      }
      throw new KernelPanic(DEADLOCK);
    }
    return finished;
  }

  /**
   * Resolves once a pending syscall settles (its `kick`) or after one turn of the host's event loop, whichever
   * comes first. A syscall that waited only on another thread (a pipe's writer woken by its reader) or on
   * nothing at all (a path walk through cached names) settles in this very microtask drain, so its thread
   * runs again without paying for an event-loop turn.
   */
  private settledOrHostTurn(): Promise<void> {
    if (this.inFlight === 0) return this.hostTurn();
    return new Promise<void>((resolve) => {
      const kernel = this;
      const turn = setImmediate(() => {
        if (kernel.wakeIdle === settled) kernel.wakeIdle = null;
        kernel.vfs.newHostEpoch();
        resolve();
      });
      function settled() {
        clearImmediate(turn);
        resolve();
      }
      this.wakeIdle = settled;
    });
  }

  /** One turn of the host's event loop; what the host changed meanwhile becomes visible to the guest. */
  private async hostTurn(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.vfs.newHostEpoch();
  }

  /** Runs `t` until its slice ends or it blocks, exits or yields. */
  private runThread(t: Thread): void {
    const cpu = this.cpu;
    const sched = this.sched;
    const traps = this.traps;
    sched.switchTo(t);
    traps.beforeUserReturn(t);
    let budget = sched.sliceInsns;
    while (sched.current === t) {
      const start = cpu.insns;
      const exit = cpu.run(budget);
      const ran = cpu.insns - start;
      t.insns += ran;
      budget -= ran;
      switch (exit) {
        case RunExit.Syscall:
          this.dispatcher.dispatch(t, this.onPending);
          budget -= SYSCALL_SLICE_INSNS;
          break;
        case RunExit.Fault:
          traps.fault(t, cpu.fault);
          break;
        case RunExit.Budget:
          if (this.sliceEnds(t)) return;
          budget = sched.sliceInsns;
          break;
        case RunExit.Irq:
          this.clock.fireDue();
          break;
        case RunExit.Halt:
          throw new KernelPanic(`pid ${t.process.pid} halted the CPU in user mode`);
      }
      if (sched.current !== t) return;
      traps.beforeUserReturn(t);
      if (budget <= 0) {
        if (this.sliceEnds(t)) return;
        budget = sched.sliceInsns;
      }
    }
  }

  /**
   * The slice of `t` ran out (timers due fire first): true when it leaves the CPU for the back of the queue;
   * false when it just goes on, as nothing else could run: no thread is queued, no syscall is pending that
   * could wake one, and host events had a turn less than HOST_YIELD_MS ago. (Going on saves a context switch
   * per slice, which syscall-heavy threads now end often: SYSCALL_SLICE_INSNS.)
   */
  private sliceEnds(t: Thread): boolean {
    this.clock.fireDue();
    const sched = this.sched;
    if (sched.current !== t) return true;
    const alone = this.inFlight === 0 && !sched.hasQueued();
    if (alone && performance.now() - this.lastHostTurnMs <= HOST_YIELD_MS) return false;
    sched.preempt(t);
    return true;
  }

  /** A syscall is waiting: the thread sleeps; when the promise settles, its result goes into %eax. */
  private readonly onPending = (t: Thread, pending: Promise<number>, nr: number): void => {
    this.sched.block(t);
    this.inFlight++;
    const settle = (outcome: { value: number } | { error: unknown }) => {
      this.inFlight--;
      if (!t.alive) return this.kick();
      let result = this.dispatcher.settle(t, nr, outcome);
      if (result < 0) result = this.traps.settleInterrupted(t, nr, result);
      t.context.gpr[Reg.EAX] = result;
      this.sched.wake(t);
      this.kick();
    };
    pending.then(
      (value) => settle({ value }),
      (error: unknown) => {
        try {
          settle({ error });
        } catch (panic) {
          this.fatal = panic;
          this.kick();
        }
      },
    );
  };

  /** Waits on the host until the next guest timer is due, or until `kick` says a thread became runnable. */
  private sleepHost(): Promise<void> {
    const next = this.clock.nextDeadlineNs();
    const waitMs = next === null ? 0 : Math.max(0, (next - this.clock.nowNs()) / 1e6);
    return new Promise((resolve) => {
      const timer = setTimeout(done, waitMs);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeIdle = done;
    });
  }
}
