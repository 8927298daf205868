/**
 * Emulated RAM: one ArrayBuffer with the typed-array views every layer shares (PhysicalMemory in the ABI).
 * The kernel owns it; the CPU, allocators and drivers get it through their contexts. Layer: kernel machine.
 */
import type { PhysicalMemory } from '@kmos/abi-driver';
import { KernelPanic } from '../errors.js';

export function createPhysicalMemory(sizeBytes: number): PhysicalMemory {
  // The views are host-endian; the i386 is little-endian, and so must the host be for u32 reads to agree.
  if (new Uint8Array(new Uint32Array([1]).buffer)[0] !== 1) {
    throw new KernelPanic(
      'kmOS needs a little-endian host: typed-array views must match the i386 byte order',
    );
  }
  const buffer = new ArrayBuffer(sizeBytes);
  return {
    sizeBytes,
    buffer,
    u8: new Uint8Array(buffer),
    u16: new Uint16Array(buffer),
    u32: new Uint32Array(buffer),
    i32: new Int32Array(buffer),
  };
}
