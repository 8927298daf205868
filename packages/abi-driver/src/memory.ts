/**
 * Emulated physical memory as every layer sees it: one ArrayBuffer of RAM with typed-array views over it.
 * The arch layer reads guest code and data from it, allocators carve frames and objects out of it, drivers
 * reach memory-mapped hardware through it. Layer: the ABI; imports nothing.
 */

declare const physAddrBrand: unique symbol;
declare const virtAddrBrand: unique symbol;
declare const userPtrBrand: unique symbol;

/** A byte address in emulated physical memory. */
export type PhysAddr = number & { readonly [physAddrBrand]: true };
/** A linear (virtual) address as the guest's page tables translate it. */
export type VirtAddr = number & { readonly [virtAddrBrand]: true };
/** A virtual address handed in by a user program: touched only through the kernel's usercopy functions. */
export type UserPtr = number & { readonly [userPtrBrand]: true };

/** The i386 page size: 4 KiB frames and pages. */
export const PAGE_SIZE = 4096;
export const PAGE_SHIFT = 12;

/**
 * RAM. Views share one buffer, so a dword written through `u32` is seen through `u8`. Views are
 * little-endian like the i386 because every host kmOS runs on is; the kernel checks this at boot.
 * `u16`/`u32`/`i32` index in units of their element size (`u32[addr >>> 2]`).
 */
export interface PhysicalMemory {
  readonly sizeBytes: number;
  readonly buffer: ArrayBuffer;
  readonly u8: Uint8Array;
  readonly u16: Uint16Array;
  readonly u32: Uint32Array;
  readonly i32: Int32Array;
  /**
   * Since ABI 1.2, optional: set when RAM lives in a WebAssembly memory, so code an arch compiles to
   * WebAssembly reaches RAM directly. `buffer` is then the memory's whole buffer: RAM is its first
   * `sizeBytes` (the views cover only those), and the arch's own area (ArchPlugin.stateBytes) follows.
   */
  readonly wasm?: WasmRam;
}

/** A WebAssembly.Memory, described by what kmOS uses of it, so the ABI needs no WebAssembly typings. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}

/** RAM in a WebAssembly memory (PhysicalMemory.wasm), and the arch's area after it. */
export interface WasmRam {
  readonly memory: WasmMemory;
  /** Where the arch's area starts (a multiple of 64 KiB, at or after `sizeBytes`). */
  readonly archOffset: number;
  /** At least the `stateBytes` the arch asked for, zero-filled. */
  readonly archBytes: number;
}
