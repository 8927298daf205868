// RAM as the kernel lays it out: in a WebAssembly memory with the arch's area after it when the host can,
// else in a plain ArrayBuffer; either way the views cover RAM and nothing else.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createPhysicalMemory } from './physical-memory.js';

const MIB = 1 << 20;

describe('createPhysicalMemory', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('puts RAM and then the arch area in one WebAssembly memory, the views covering RAM only', () => {
    const m = createPhysicalMemory(3 * MIB, 100_000);
    const wasm = m.wasm;
    expect(wasm).toBeDefined();
    if (wasm === undefined) return;
    expect(m.buffer).toBe(wasm.memory.buffer);
    const api = (globalThis as unknown as { WebAssembly: { Memory: new (...a: never[]) => object } })
      .WebAssembly;
    expect(wasm.memory).toBeInstanceOf(api.Memory);
    expect(wasm.archOffset).toBeGreaterThanOrEqual(m.sizeBytes);
    expect(wasm.archOffset % 65536).toBe(0);
    expect(wasm.archBytes).toBeGreaterThanOrEqual(100_000);
    expect(wasm.archOffset + wasm.archBytes).toBe(m.buffer.byteLength);
    for (const view of [m.u8, m.u16, m.u32, m.i32]) expect(view.byteLength).toBe(m.sizeBytes);
    expect(new Uint8Array(m.buffer, wasm.archOffset, wasm.archBytes).every((b) => b === 0)).toBe(true);
  });

  it('keeps RAM in an ArrayBuffer when the host has no WebAssembly', () => {
    vi.stubGlobal('WebAssembly', undefined);
    const m = createPhysicalMemory(MIB, 4096);
    expect(m.wasm).toBeUndefined();
    expect(m.buffer.byteLength).toBe(MIB);
  });

  it('keeps RAM in an ArrayBuffer when the host refuses a WebAssembly memory that large', () => {
    vi.stubGlobal('WebAssembly', {
      Memory: class {
        constructor() {
          throw new RangeError('WebAssembly.Memory(): could not allocate memory');
        }
      },
    });
    const m = createPhysicalMemory(MIB, 4096);
    expect(m.wasm).toBeUndefined();
    expect(m.u8.length).toBe(MIB);
  });
});
