/**
 * The text /proc shows of an address space: `/proc/<pid>/maps` and `smaps` in Linux's format, the Vm* lines of
 * `/proc/<pid>/status` and `/proc/<pid>/statm`. Layer: kernel mm; procfs above calls these, reading only the AddressSpace's public
 * state (VMAs, page directory, counters).
 */
import { PAGE_SIZE } from '@kmos/abi-driver';
import { PROT_EXEC, PROT_READ, PROT_WRITE } from '@kmos/abi-linux';
import { hexField } from '../hex-field.js';
import { type AddressSpace, pageAlignDown, pageAlignUp } from './address-space.js';
import { AnonSharedSource } from './page-cache.js';
import { PTE_A, PTE_D, PTE_P } from './page-table.js';
import { VM_DONTCOPY, VM_GROWSDOWN, VM_LOCKED, VM_MAYWRITE, VM_NORESERVE, type Vma } from './vma.js';

/** Linux pads the fields before the name to 25 + 6 * sizeof(void *) - 1 columns; i386 pointers are 4 bytes. */
const MAPS_NAME_COLUMN = 25 + 6 * 4 - 1;

/** One line of /proc/<pid>/maps, without the newline. */
export function mapsLine(v: Vma): string {
  const perms =
    ((v.prot & PROT_READ) !== 0 ? 'r' : '-') +
    ((v.prot & PROT_WRITE) !== 0 ? 'w' : '-') +
    ((v.prot & PROT_EXEC) !== 0 ? 'x' : '-') +
    (v.isShared() ? 's' : 'p');
  const source = v.cache?.source ?? null;
  const id = source?.identity;
  const anonShared = source instanceof AnonSharedSource;
  const offset = v.cache === null ? 0 : v.pgoff * PAGE_SIZE;
  const dev =
    id !== undefined
      ? `${hexField(id.devMajor, 2)}:${hexField(id.devMinor, 2)}`
      : anonShared
        ? '00:01'
        : '00:00';
  const head = `${hexField(v.start, 8)}-${hexField(v.end, 8)} ${perms} ${hexField(offset, 8)} ${dev} ${id?.ino ?? 0} `;
  const name = id !== undefined ? id.path : anonShared ? '/dev/zero (deleted)' : v.name;
  return name === '' ? head : `${head.padEnd(MAPS_NAME_COLUMN)} ${name}`;
}

/** The whole of /proc/<pid>/maps. */
export function procMaps(as: AddressSpace): string {
  let out = '';
  for (const v of as.vmas.all()) out += `${mapsLine(v)}\n`;
  return out;
}

export interface VmStatus {
  readonly vmPeakKb: number;
  readonly vmSizeKb: number;
  readonly vmHwmKb: number;
  readonly vmRssKb: number;
  readonly rssAnonKb: number;
  /** File-backed resident pages but shared anonymous memory's (Linux counts tmpfs files as shmem too). */
  readonly rssFileKb: number;
  readonly rssShmemKb: number;
  readonly vmDataKb: number;
  readonly vmStkKb: number;
  /** The program's code (its start_code to end_code, whole pages), and no more than VmExe + VmLib. */
  readonly vmExeKb: number;
  /** Other executable mappings (the loader, libraries). */
  readonly vmLibKb: number;
  readonly vmPteKb: number;
  readonly vmSwapKb: number;
}

/** The program's code in whole pages, start_code to end_code (statm's text; status's VmExe is capped). */
function codeBytes(as: AddressSpace): number {
  return as.endCode > as.startCode ? pageAlignUp(as.endCode) - pageAlignDown(as.startCode) : 0;
}

export function vmStatus(as: AddressSpace): VmStatus {
  let data = 0;
  let stack = 0;
  let anonPages = 0;
  let shmemPages = 0;
  let swapPages = 0;
  let exec = 0;
  for (const v of as.vmas.all()) {
    const bytes = v.end - v.start;
    if ((v.flags & VM_GROWSDOWN) !== 0) stack += bytes;
    else if ((v.prot & PROT_WRITE) !== 0 && !v.isShared()) data += bytes;
    // Linux's exec_vm: executable, not writable, not a stack.
    if ((v.prot & (PROT_EXEC | PROT_WRITE)) === PROT_EXEC && (v.flags & VM_GROWSDOWN) === 0) exec += bytes;
    if (v.cache === null) anonPages += presentPages(as, v);
    else if (v.cache.source instanceof AnonSharedSource) shmemPages += presentPages(as, v);
    if (!v.isShared()) swapPages += swapEntries(as, v);
  }
  return {
    vmPeakKb: as.vmas.peakBytes / 1024,
    vmSizeKb: as.sizeBytes() / 1024,
    vmHwmKb: (Math.max(as.rssPeakPages, as.rssPages) * PAGE_SIZE) / 1024,
    vmRssKb: (as.rssPages * PAGE_SIZE) / 1024,
    rssAnonKb: (anonPages * PAGE_SIZE) / 1024,
    rssFileKb: ((as.rssPages - anonPages - shmemPages) * PAGE_SIZE) / 1024,
    rssShmemKb: (shmemPages * PAGE_SIZE) / 1024,
    vmDataKb: data / 1024,
    vmStkKb: stack / 1024,
    vmExeKb: Math.min(codeBytes(as), exec) / 1024,
    vmLibKb: (exec - Math.min(codeBytes(as), exec)) / 1024,
    vmPteKb: (as.pd.tableFrames() * PAGE_SIZE) / 1024,
    vmSwapKb: (swapPages * PAGE_SIZE) / 1024,
  };
}

function presentPages(as: AddressSpace, v: Vma): number {
  let n = 0;
  for (let va = as.pd.nextPresent(v.start, v.end); va >= 0; va = as.pd.nextPresent(va + PAGE_SIZE, v.end))
    n++;
  return n;
}

/** Swap entries in `v`: used PTEs that are not present. */
function swapEntries(as: AddressSpace, v: Vma): number {
  let n = 0;
  for (let va = as.pd.nextUsed(v.start, v.end); va >= 0; va = as.pd.nextUsed(va + PAGE_SIZE, v.end))
    if ((as.pd.pte(va) & PTE_P) === 0) n++;
  return n;
}

/** The Vm and Rss lines of /proc/<pid>/status, in Linux's order and format (`Name:\t%8lu kB`). */
export function procStatusVmLines(as: AddressSpace): string {
  const s = vmStatus(as);
  const line = (name: string, kb: number) => `${name}:\t${String(kb).padStart(8)} kB\n`;
  return (
    line('VmPeak', s.vmPeakKb) +
    line('VmSize', s.vmSizeKb) +
    line('VmLck', as.vmas.lockedBytes / 1024) +
    line('VmPin', 0) +
    line('VmHWM', s.vmHwmKb) +
    line('VmRSS', s.vmRssKb) +
    line('RssAnon', s.rssAnonKb) +
    line('RssFile', s.rssFileKb) +
    line('RssShmem', s.rssShmemKb) +
    line('VmData', s.vmDataKb) +
    line('VmStk', s.vmStkKb) +
    line('VmExe', s.vmExeKb) +
    line('VmLib', s.vmLibKb) +
    line('VmPTE', s.vmPteKb) +
    line('VmSwap', s.vmSwapKb)
  );
}

/**
 * /proc/<pid>/statm, in pages: size, resident, shared (file-backed resident pages), text (the program's
 * code), lib (0 since Linux 2.6), data (private writable mappings and the stack) and dt (0).
 */
export function procStatm(as: AddressSpace): string {
  const s = vmStatus(as);
  const pages = (kb: number) => (kb * 1024) / PAGE_SIZE;
  const fields = [
    pages(s.vmSizeKb),
    pages(s.vmRssKb),
    pages(s.rssFileKb + s.rssShmemKb),
    codeBytes(as) / PAGE_SIZE,
    0,
    pages(s.vmDataKb + s.vmStkKb),
    0,
  ];
  return `${fields.join(' ')}\n`;
}

/**
 * /proc/<pid>/smaps: each maps line, then what its pages cost (smap_gather_stats' fields, in 6.x's
 * order): resident, proportional (a page mapped by n holders counts 1/n), shared or private and clean or
 * dirty (by its holders and the PTE's dirty bit), referenced (accessed bit), anonymous (not the file's
 * page-cache page), swapped, locked; kmOS has no huge pages, KSM or protection keys (zeros).
 */
export function procSmaps(as: AddressSpace): string {
  const refs = as.mm.frames.refs;
  let out = '';
  for (const v of as.vmas.all()) {
    let rss = 0;
    let pss = 0;
    let pssDirty = 0;
    let sharedClean = 0;
    let sharedDirty = 0;
    let privateClean = 0;
    let privateDirty = 0;
    let referenced = 0;
    let anonymous = 0;
    for (let va = as.pd.nextPresent(v.start, v.end); va >= 0; va = as.pd.nextPresent(va + PAGE_SIZE, v.end)) {
      const pte = as.pd.pte(va);
      const frame = (pte & ~0xfff) >>> 0;
      const cached = v.cache?.peek(v.pageIndex(va)) === frame;
      // The page cache's own hold is not a mapping.
      const mappers = Math.max(1, refs.count(frame as never) - (cached ? 1 : 0));
      const dirty = (pte & PTE_D) !== 0;
      rss += PAGE_SIZE;
      pss += PAGE_SIZE / mappers;
      if (dirty) pssDirty += PAGE_SIZE / mappers;
      if (mappers > 1) {
        if (dirty) sharedDirty += PAGE_SIZE;
        else sharedClean += PAGE_SIZE;
      } else if (dirty) privateDirty += PAGE_SIZE;
      else privateClean += PAGE_SIZE;
      if (pte & PTE_A) referenced += PAGE_SIZE;
      if (!cached && !(v.cache?.source instanceof AnonSharedSource)) anonymous += PAGE_SIZE;
    }
    const swap = v.isShared() ? 0 : swapEntries(as, v) * PAGE_SIZE;
    const locked = v.flags & VM_LOCKED ? pss : 0;
    const field = (name: string, bytes: number) =>
      `${`${name}:`.padEnd(16)}${String(Math.floor(bytes / 1024)).padStart(8)} kB\n`;
    out += `${mapsLine(v)}\n`;
    out += field('Size', v.end - v.start);
    out += field('KernelPageSize', PAGE_SIZE);
    out += field('MMUPageSize', PAGE_SIZE);
    out += field('Rss', rss);
    out += field('Pss', pss);
    out += field('Pss_Dirty', pssDirty);
    out += field('Shared_Clean', sharedClean);
    out += field('Shared_Dirty', sharedDirty);
    out += field('Private_Clean', privateClean);
    out += field('Private_Dirty', privateDirty);
    out += field('Referenced', referenced);
    out += field('Anonymous', anonymous);
    for (const zero of ['KSM', 'LazyFree', 'AnonHugePages', 'ShmemPmdMapped', 'FilePmdMapped'])
      out += field(zero, 0);
    out += field('Shared_Hugetlb', 0);
    out += field('Private_Hugetlb', 0);
    out += field('Swap', swap);
    out += field('SwapPss', swap);
    out += field('Locked', locked);
    out += `${'THPeligible:'.padEnd(16)}${'0'.padStart(8)}\n`;
    out += `${'ProtectionKey:'.padEnd(16)}${'0'.padStart(8)}\n`;
    out += `VmFlags: ${vmFlags(v)}\n`;
  }
  return out;
}

/** smaps' VmFlags: two-letter names of the VMA's flags, each followed by a space (show_smap_vma_flags). */
function vmFlags(v: Vma): string {
  const names: string[] = [];
  if (v.prot & PROT_READ) names.push('rd');
  if (v.prot & PROT_WRITE) names.push('wr');
  if (v.prot & PROT_EXEC) names.push('ex');
  if (v.isShared()) names.push('sh');
  // The may-flags: what mprotect may grant (a private mapping may gain anything).
  names.push('mr');
  if (!v.isShared() || v.flags & VM_MAYWRITE) names.push('mw');
  names.push('me');
  if (v.isShared()) names.push('ms');
  if (v.flags & VM_GROWSDOWN) names.push('gd');
  if (v.flags & VM_LOCKED) names.push('lo');
  if (v.flags & VM_DONTCOPY) names.push('dc');
  // VM_ACCOUNT: private writable memory is charged to the commit limit.
  if (!v.isShared() && v.prot & PROT_WRITE) names.push('ac');
  if (v.flags & VM_NORESERVE) names.push('nr');
  return names.map((n) => `${n} `).join('');
}
