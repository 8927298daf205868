/**
 * Real i386 two-level page tables (Intel SDM vol. 3, 4.3 "32-bit paging") built in guest RAM for the test
 * harness: a page directory of 1024 PDEs, each pointing at a page table of 1024 PTEs, each mapping one 4 KiB
 * page. Every entry is Present|Read/Write|User, since test programs run in ring 3 and need nothing finer.
 * The harness also reads guest memory through `translate`, walking the same tables the CPU walks, so a
 * harness bug and a CPU bug cannot hide each other.
 */
import { PAGE_SIZE, type PhysAddr, type PhysicalMemory, type VirtAddr } from '@kmos/abi-driver';
import type { GuestRam } from './guest-ram.js';

/** Entry bits, named as the SDM names them. */
export const PTE_P = 0x001;
export const PTE_RW = 0x002;
export const PTE_US = 0x004;
const PTE_FRAME_MASK = 0xffff_f000;
const USER_RW = PTE_P | PTE_RW | PTE_US;

const pdIndex = (va: number): number => va >>> 22;
const ptIndex = (va: number): number => (va >>> 12) & 0x3ff;

export class PageTables {
  readonly directory: PhysAddr;

  constructor(private readonly ram: GuestRam) {
    this.directory = ram.allocFrame();
  }

  private get memory(): PhysicalMemory {
    return this.ram.memory;
  }

  /** Maps the page holding `va` to a fresh zeroed frame unless it is mapped already; returns the frame. */
  mapPage(va: VirtAddr): PhysAddr {
    const pdeIndex = (this.directory >>> 2) + pdIndex(va);
    const u32 = this.memory.u32;
    if ((u32[pdeIndex] & PTE_P) === 0) u32[pdeIndex] = this.ram.allocFrame() | USER_RW;
    const pteIndex = ((u32[pdeIndex] & PTE_FRAME_MASK) >>> 2) + ptIndex(va);
    if ((u32[pteIndex] & PTE_P) === 0) u32[pteIndex] = this.ram.allocFrame() | USER_RW;
    return (u32[pteIndex] & PTE_FRAME_MASK) as PhysAddr;
  }

  /** Maps every page overlapping [va, va + sizeBytes). */
  mapRange(va: VirtAddr, sizeBytes: number): void {
    const first = va - (va % PAGE_SIZE);
    for (let page = first; page < va + sizeBytes; page += PAGE_SIZE) this.mapPage(page as VirtAddr);
  }

  /** The physical address of `va`, or null when the walk meets a non-present entry. */
  translate(va: VirtAddr): PhysAddr | null {
    const u32 = this.memory.u32;
    const pde = u32[(this.directory >>> 2) + pdIndex(va)];
    if ((pde & PTE_P) === 0) return null;
    const pte = u32[((pde & PTE_FRAME_MASK) >>> 2) + ptIndex(va)];
    if ((pte & PTE_P) === 0) return null;
    return ((pte & PTE_FRAME_MASK) + (va & (PAGE_SIZE - 1))) as PhysAddr;
  }

  /** Copies guest virtual memory out byte by byte; null when any byte is unmapped (the guest's EFAULT). */
  read(va: VirtAddr, sizeBytes: number): Uint8Array | null {
    const out = new Uint8Array(sizeBytes);
    for (let i = 0; i < sizeBytes; i++) {
      const pa = this.translate(((va + i) >>> 0) as VirtAddr);
      if (pa === null) return null;
      out[i] = this.memory.u8[pa];
    }
    return out;
  }

  /** Copies bytes into guest virtual memory, mapping pages as needed (used for loading only). */
  write(va: VirtAddr, bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i++) {
      const addr = ((va + i) >>> 0) as VirtAddr;
      this.memory.u8[this.mapPage(addr) + (addr & (PAGE_SIZE - 1))] = bytes[i];
    }
  }
}
