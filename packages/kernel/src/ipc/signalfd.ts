/**
 * signalfd: the signals of a set as a file. read takes pending signals of the set from the reading thread
 * and its process (as rt_sigtimedwait does), 128-byte signalfd_siginfo records as many as fit (a smaller
 * buffer is EINVAL), blocking (or EAGAIN) while none is pending; poll says readable while one is. As in
 * Linux it is the reader's signals, whoever made the file, and SIGKILL and SIGSTOP are never in the set.
 * Layer: kernel ipc; syscall/handlers/events.ts makes them and changes their sets.
 */
import { EAGAIN, EINVAL, POLLIN, SIGKILL, SIGSTOP, signalfdSiginfoLayout } from '@kmos/abi-linux';
import { fsError } from '../fs/fs-error.js';
import { WouldBlock } from '../fs/would-block.js';
import { encodeSignalfdSiginfo } from '../proc/siginfo.js';
import type { SignalService } from '../proc/signals.js';
import { currentTask } from '../procfs/task-context.js';
import type { WaitQueue } from '../sched/wait-queue.js';
import { AnonFile } from './anon-file.js';

const RECORD_BYTES = signalfdSiginfoLayout.sizeBytes;
const UNBLOCKABLE = (1 << (SIGKILL - 1)) | (1 << (SIGSTOP - 1));

export class SignalFdFile extends AnonFile {
  protected readonly anonKind = 'signalfd';
  private maskLo = 0;
  private maskHi = 0;

  constructor(
    private readonly signals: SignalService,
    lo: number,
    hi: number,
    flags: number,
    owner: { uid: number; gid: number },
  ) {
    super(flags, owner);
    this.setMask(lo, hi);
  }

  setMask(lo: number, hi: number): void {
    this.maskLo = (lo & ~UNBLOCKABLE) >>> 0;
    this.maskHi = hi >>> 0;
  }

  protected override readImpl(into: Uint8Array): number | WouldBlock {
    if (into.length < RECORD_BYTES) throw fsError(EINVAL);
    const t = currentTask();
    if (!t) throw fsError(EINVAL, 'signalfd read outside a task');
    let n = 0;
    for (; n + RECORD_BYTES <= into.length; n += RECORD_BYTES) {
      const info = this.signals.takeFromSet(t, this.maskLo, this.maskHi);
      if (!info) break;
      into.set(encodeSignalfdSiginfo(info), n);
    }
    if (n > 0) return n;
    if (this.nonBlocking) throw fsError(EAGAIN);
    return new WouldBlock(t.process.signalArrived);
  }

  override poll(): number {
    const t = currentTask();
    if (!t) return 0;
    const p = t.process;
    const pending =
      ((t.sigPendingLo | p.sigPendingLo) & this.maskLo) | ((t.sigPendingHi | p.sigPendingHi) & this.maskHi);
    return pending !== 0 ? POLLIN : 0;
  }

  /** Nothing to let go: the signals stay pending for their process. */
  protected release(): void {}

  override get waitQueue(): WaitQueue | null {
    return currentTask()?.process.signalArrived ?? null;
  }
}
