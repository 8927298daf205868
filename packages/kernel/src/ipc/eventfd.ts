/**
 * eventfd: a 64-bit counter as a file. write adds to it (blocking if it would pass 2^64-2), read takes it
 * (or 1 of it with EFD_SEMAPHORE), blocking while it is zero; poll says readable when non-zero and writable
 * while 1 more fits. Layer: kernel ipc.
 */
import { EAGAIN, EINVAL, POLLIN, POLLOUT } from '@kmos/abi-linux';
import { fsError } from '../fs/fs-error.js';
import { WouldBlock } from '../fs/would-block.js';
import { WaitQueue } from '../sched/wait-queue.js';
import { AnonFile } from './anon-file.js';

const MAX = 0xfffffffffffffffen;
const COUNTER_BYTES = 8;

export class EventFdFile extends AnonFile {
  protected readonly anonKind = 'eventfd';
  private counter: bigint;
  private readonly queue = new WaitQueue();

  constructor(
    initial: number,
    flags: number,
    private readonly semaphore: boolean,
    owner: { uid: number; gid: number },
  ) {
    super(flags, owner);
    this.counter = BigInt(initial);
  }

  protected override readImpl(into: Uint8Array): number | WouldBlock {
    if (into.length < COUNTER_BYTES) throw fsError(EINVAL);
    if (this.counter === 0n) return this.blocked();
    const value = this.semaphore ? 1n : this.counter;
    this.counter -= value;
    new DataView(into.buffer, into.byteOffset).setBigUint64(0, value, true);
    this.queue.wakeAll();
    return COUNTER_BYTES;
  }

  protected override writeImpl(from: Uint8Array): number | WouldBlock {
    if (from.length < COUNTER_BYTES) throw fsError(EINVAL);
    const value = new DataView(from.buffer, from.byteOffset).getBigUint64(0, true);
    if (value === 0xffffffffffffffffn) throw fsError(EINVAL);
    if (value > MAX - this.counter) return this.blocked();
    this.counter += value;
    this.queue.wakeAll();
    return COUNTER_BYTES;
  }

  override poll(): number {
    return (this.counter > 0n ? POLLIN : 0) | (this.counter < MAX ? POLLOUT : 0);
  }

  override get waitQueue(): WaitQueue {
    return this.queue;
  }

  protected release(): void {
    this.queue.wakeAll();
  }

  private blocked(): WouldBlock {
    if (this.nonBlocking) throw fsError(EAGAIN);
    return new WouldBlock(this.queue);
  }
}
