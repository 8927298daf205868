/**
 * Loads a static i386 ELF executable (ET_EXEC, System V ABI i386 supplement) into guest RAM: every PT_LOAD
 * segment is mapped at its virtual address, its file bytes copied, the rest up to p_memsz left zero (bss:
 * frames come zeroed from guest-ram.ts). Only what gcc -static -nostdlib produces is supported; anything
 * else is rejected with a reason, since a half-loaded program would show up as a confusing CPU "bug".
 */
import type { VirtAddr } from '@kmos/abi-driver';
import type { PageTables } from './page-tables.js';

const ELFCLASS32 = 1;
const ELFDATA2LSB = 1;
const ET_EXEC = 2;
const EM_386 = 3;
const PT_LOAD = 1;

export interface LoadedSegment {
  readonly vaddr: VirtAddr;
  readonly memSizeBytes: number;
}

export interface LoadedElf {
  readonly entry: VirtAddr;
  readonly segments: readonly LoadedSegment[];
}

export function loadElf(image: Uint8Array, tables: PageTables): LoadedElf {
  const view = new DataView(image.buffer, image.byteOffset, image.byteLength);
  checkHeader(image, view);
  const phoff = view.getUint32(28, true);
  const phentsize = view.getUint16(42, true);
  const phnum = view.getUint16(44, true);
  const segments: LoadedSegment[] = [];
  for (let i = 0; i < phnum; i++) {
    const ph = phoff + i * phentsize;
    if (view.getUint32(ph, true) !== PT_LOAD) continue;
    const offset = view.getUint32(ph + 4, true);
    const vaddr = view.getUint32(ph + 8, true) as VirtAddr;
    const fileSizeBytes = view.getUint32(ph + 16, true);
    const memSizeBytes = view.getUint32(ph + 20, true);
    tables.mapRange(vaddr, memSizeBytes);
    tables.write(vaddr, image.subarray(offset, offset + fileSizeBytes));
    segments.push({ vaddr, memSizeBytes });
  }
  return { entry: view.getUint32(24, true) as VirtAddr, segments };
}

function checkHeader(image: Uint8Array, view: DataView): void {
  const magicOk = image[0] === 0x7f && image[1] === 0x45 && image[2] === 0x4c && image[3] === 0x46;
  if (!magicOk) throw new Error('not an ELF file');
  if (image[4] !== ELFCLASS32 || image[5] !== ELFDATA2LSB) throw new Error('not a 32-bit little-endian ELF');
  if (view.getUint16(16, true) !== ET_EXEC) throw new Error('not ET_EXEC (link with -static, no PIE)');
  if (view.getUint16(18, true) !== EM_386) throw new Error('not an i386 ELF');
}
