/**
 * Bytes a kernel object keeps for a while (a socket's queued message, a System V message), held in emulated
 * RAM in chunks of at most a page kmalloc'd from the object allocator, as Linux keeps them in slab memory:
 * /proc/slabinfo shows them and an allocator under pressure says so. Layer: kernel mm.
 */
import type { ObjectAllocator, PhysAddr, PhysicalMemory } from '@kmos/abi-driver';
import { PAGE_SIZE } from '@kmos/abi-driver';
import { KernelError } from '../kernel-error.js';

/** Where the chunks come from. */
export interface KernelMemory {
  readonly objects: ObjectAllocator;
  readonly memory: PhysicalMemory;
}

export class KernelBytes {
  private constructor(
    private readonly chunks: readonly PhysAddr[],
    readonly length: number,
  ) {}

  /** A copy of `data`; `errno` (ENOBUFS, ENOMEM) when the allocator has no room, with nothing kept. */
  static store(mem: KernelMemory, data: Uint8Array, errno: number): KernelBytes {
    const chunks: PhysAddr[] = [];
    for (let at = 0; at < data.length; at += PAGE_SIZE) {
      const len = Math.min(PAGE_SIZE, data.length - at);
      const chunk = mem.objects.kmalloc(len);
      if (chunk === null) {
        for (const c of chunks) mem.objects.kfree(c);
        throw new KernelError(errno, 'kernel buffer');
      }
      mem.memory.u8.set(data.subarray(at, at + len), chunk);
      chunks.push(chunk);
    }
    return new KernelBytes(chunks, data.length);
  }

  /** Copies `n` bytes from offset `at` into `into` at `to`. */
  copyOut(mem: KernelMemory, at: number, into: Uint8Array, to: number, n: number): void {
    const u8 = mem.memory.u8;
    for (let done = 0; done < n; ) {
      const pos = at + done;
      const chunk = this.chunks[Math.floor(pos / PAGE_SIZE)] as number;
      const within = pos % PAGE_SIZE;
      const len = Math.min(n - done, PAGE_SIZE - within);
      into.set(u8.subarray(chunk + within, chunk + within + len), to + done);
      done += len;
    }
  }

  free(mem: KernelMemory): void {
    for (const chunk of this.chunks) mem.objects.kfree(chunk);
  }
}
