/**
 * Emulated RAM for the differential test harness: one ArrayBuffer with the typed-array views of the
 * `PhysicalMemory` interface (@kmos/abi-driver), plus a bump allocator that hands out zeroed 4 KiB frames.
 * The harness never frees a frame: every test program gets a fresh RAM. Neighbours: page-tables.ts maps
 * these frames, elf-loader.ts fills them.
 */
import { PAGE_SIZE, type PhysAddr, type PhysicalMemory } from '@kmos/abi-driver';

/** Frames below this address stay unused, as on a PC where the first MiB holds the BIOS and video memory. */
const FIRST_FREE_FRAME = 0x0010_0000;

export interface GuestRam {
  readonly memory: PhysicalMemory;
  /** Returns a fresh zeroed frame; throws when RAM is exhausted (a harness sizing bug, not a CPU bug). */
  allocFrame(): PhysAddr;
}

export function createGuestRam(sizeBytes: number): GuestRam {
  const buffer = new ArrayBuffer(sizeBytes);
  const memory: PhysicalMemory = {
    sizeBytes,
    buffer,
    u8: new Uint8Array(buffer),
    u16: new Uint16Array(buffer),
    u32: new Uint32Array(buffer),
    i32: new Int32Array(buffer),
  };
  let nextFrame = FIRST_FREE_FRAME;
  const allocFrame = (): PhysAddr => {
    if (nextFrame + PAGE_SIZE > sizeBytes) throw new Error(`guest RAM of ${sizeBytes} bytes is exhausted`);
    const frame = nextFrame;
    nextFrame += PAGE_SIZE;
    return frame as PhysAddr;
  };
  return { memory, allocFrame };
}
