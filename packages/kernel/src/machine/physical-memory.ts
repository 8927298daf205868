/**
 * Emulated RAM: one buffer with the typed-array views every layer shares (PhysicalMemory in the ABI).
 * The kernel owns it; the CPU, allocators and drivers get it through their contexts. Layer: kernel machine.
 *
 * RAM lives in a WebAssembly memory when the host has WebAssembly, followed by the area the arch asked for
 * (ArchPlugin.stateBytes), so an arch that compiles guest code to WebAssembly reaches RAM and its own state
 * from that code. Its size is fixed: a memory never grows, so `buffer` and the views stay valid.
 */
import type { PhysicalMemory, WasmMemory, WasmRam } from '@kmos/abi-driver';
import { KernelPanic } from '../errors.js';

const WASM_PAGE_BYTES = 64 * 1024;
/** WebAssembly's 32-bit memories hold at most 4 GiB. */
const WASM_MAX_PAGES = 65536;

interface WasmMemoryConstructor {
  new (descriptor: { initial: number; maximum: number }): WasmMemory;
}

export function createPhysicalMemory(sizeBytes: number, archStateBytes = 0): PhysicalMemory {
  // The views are host-endian; the i386 is little-endian, and so must the host be for u32 reads to agree.
  if (new Uint8Array(new Uint32Array([1]).buffer)[0] !== 1) {
    throw new KernelPanic(
      'kmOS needs a little-endian host: typed-array views must match the i386 byte order',
    );
  }
  const wasm = createWasmRam(sizeBytes, archStateBytes);
  const buffer = wasm === null ? new ArrayBuffer(sizeBytes) : wasm.memory.buffer;
  return {
    sizeBytes,
    buffer,
    u8: new Uint8Array(buffer, 0, sizeBytes),
    u16: new Uint16Array(buffer, 0, sizeBytes >>> 1),
    u32: new Uint32Array(buffer, 0, sizeBytes >>> 2),
    i32: new Int32Array(buffer, 0, sizeBytes >>> 2),
    ...(wasm === null ? {} : { wasm }),
  };
}

/**
 * RAM and the arch's area in one WebAssembly memory, or null when the host has none, a memory cannot hold
 * them, or the host refuses one that large.
 */
function createWasmRam(sizeBytes: number, archStateBytes: number): WasmRam | null {
  const Memory = (globalThis as { WebAssembly?: { Memory?: WasmMemoryConstructor } }).WebAssembly?.Memory;
  if (Memory === undefined) return null;
  const archOffset = Math.ceil(sizeBytes / WASM_PAGE_BYTES) * WASM_PAGE_BYTES;
  const pages = Math.ceil((archOffset + archStateBytes) / WASM_PAGE_BYTES);
  if (pages > WASM_MAX_PAGES) return null;
  try {
    const memory = new Memory({ initial: pages, maximum: pages });
    return { memory, archOffset, archBytes: pages * WASM_PAGE_BYTES - archOffset };
  } catch {
    // A host that cannot reserve that much address space for WebAssembly may still give an ArrayBuffer.
    return null;
  }
}
