/**
 * Emulated RAM for the differential test harness: the kernel's `PhysicalMemory` (@kmos/abi-driver), plus a
 * bump allocator that hands out zeroed 4 KiB frames.
 * The harness never frees a frame: every test program gets a fresh RAM. Neighbours: page-tables.ts maps
 * these frames, elf-loader.ts fills them.
 */
import { PAGE_SIZE, type PhysAddr, type PhysicalMemory } from '@kmos/abi-driver';
import { createPhysicalMemory } from '@kmos/kernel';

/** Frames below this address stay unused, as on a PC where the first MiB holds the BIOS and video memory. */
const FIRST_FREE_FRAME = 0x0010_0000;

export interface GuestRam {
  readonly memory: PhysicalMemory;
  /** Returns a fresh zeroed frame; throws when RAM is exhausted (a harness sizing bug, not a CPU bug). */
  allocFrame(): PhysAddr;
}

/** RAM laid out as the kernel lays it out, with `archStateBytes` for the CPU after it (ArchPlugin.stateBytes). */
export function createGuestRam(sizeBytes: number, archStateBytes = 0): GuestRam {
  const memory: PhysicalMemory = createPhysicalMemory(sizeBytes, archStateBytes);
  let nextFrame = FIRST_FREE_FRAME;
  const allocFrame = (): PhysAddr => {
    if (nextFrame + PAGE_SIZE > sizeBytes) throw new Error(`guest RAM of ${sizeBytes} bytes is exhausted`);
    const frame = nextFrame;
    nextFrame += PAGE_SIZE;
    return frame as PhysAddr;
  };
  return { memory, allocFrame };
}
