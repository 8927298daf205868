/**
 * Mapping an ELF image into an address space, as Linux's load_elf_binary does: each PT_LOAD segment maps the
 * file's pages privately at its address (plus the load bias of a position-independent image), the tail of
 * the last file page past p_filesz is zeroed, and memory past the file (.bss) is anonymous. Read-only text is
 * shared between processes through the file's page cache. Layer: kernel exec, over mm/mmap.ts.
 */

import {
  MAP_ANONYMOUS,
  MAP_FIXED,
  MAP_PRIVATE,
  PF_R,
  PF_W,
  PF_X,
  PROT_EXEC,
  PROT_READ,
  PROT_WRITE,
} from '@kmos/abi-linux';
import type { AddressSpace } from '../mm/address-space.js';
import { pageAlignDown, pageAlignUp } from '../mm/address-space.js';
import { type MapFile, mmap } from '../mm/mmap.js';
import { clearUser } from '../mm/usercopy.js';
import type { ElfImage } from './elf-image.js';

export interface LoadedElf {
  /** Added to every address of a position-independent image (0 for ET_EXEC). */
  readonly bias: number;
  readonly entry: number;
  /** Where the program headers are in memory (AT_PHDR). */
  readonly phdr: number;
  /** The end of the highest segment: where the break starts. */
  readonly end: number;
  /** The lowest start and highest file end of the executable segments (0 and 0 when there are none). */
  readonly startCode: number;
  readonly endCode: number;
}

/** Linux's ELF_ET_DYN_BASE for i386: where a position-independent main program is placed. */
export const ELF_ET_DYN_BASE = 0x80000000 - 0x2000000;

export function protOf(flags: number): number {
  return (flags & PF_R ? PROT_READ : 0) | (flags & PF_W ? PROT_WRITE : 0) | (flags & PF_X ? PROT_EXEC : 0);
}

/** The span [low, high) the segments need, page-aligned, before any bias. */
export function imageSpan(image: ElfImage): { low: number; high: number } {
  const first = image.segments[0]!;
  const last = image.segments[image.segments.length - 1]!;
  return { low: pageAlignDown(first.vaddr), high: pageAlignUp(last.vaddr + last.memszBytes) };
}

/** Maps `image` at `bias` (chosen by the caller for ET_DYN; 0 for ET_EXEC). */
export function mapElf(as: AddressSpace, image: ElfImage, file: MapFile, bias: number): LoadedElf {
  let end = 0;
  let startCode = -1;
  let endCode = 0;
  for (const seg of image.segments) {
    if (seg.flags & PF_X) {
      if (startCode < 0 || seg.vaddr + bias < startCode) startCode = seg.vaddr + bias;
      endCode = Math.max(endCode, seg.vaddr + bias + seg.fileszBytes);
    }
    const prot = protOf(seg.flags);
    const start = pageAlignDown(seg.vaddr + bias);
    const fileEnd = seg.vaddr + bias + seg.fileszBytes;
    const memEnd = seg.vaddr + bias + seg.memszBytes;
    const fileMapEnd = pageAlignUp(fileEnd);
    if (seg.fileszBytes > 0) {
      mmap(as, start, fileMapEnd - start, prot, MAP_PRIVATE | MAP_FIXED, file, pageAlignDown(seg.offset));
      // The rest of the last file page belongs to .bss: it must read as zero, not as the file's next bytes.
      if (seg.memszBytes > seg.fileszBytes && fileEnd < fileMapEnd && prot & PROT_WRITE) {
        clearUser(as, fileEnd as never, fileMapEnd - fileEnd);
      }
    }
    const anonStart = seg.fileszBytes > 0 ? fileMapEnd : start;
    const anonEnd = pageAlignUp(memEnd);
    if (anonEnd > anonStart)
      mmap(as, anonStart, anonEnd - anonStart, prot, MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS, null, 0);
    end = Math.max(end, memEnd);
  }
  return {
    bias,
    entry: image.entry + bias,
    phdr: phdrAddress(image, bias),
    end,
    startCode: Math.max(startCode, 0),
    endCode,
  };
}

/** AT_PHDR: from PT_PHDR, else the segment that maps the program headers' file offset. */
function phdrAddress(image: ElfImage, bias: number): number {
  if (image.phdrVaddr !== null) return image.phdrVaddr + bias;
  for (const seg of image.segments) {
    if (image.phoff >= seg.offset && image.phoff < seg.offset + seg.fileszBytes) {
      return seg.vaddr + bias + (image.phoff - seg.offset);
    }
  }
  return 0;
}
