/**
 * Reading an ELF32 i386 executable's headers: what exec needs to map it (the loadable segments, the entry
 * point, the interpreter a dynamic program names, whether the stack may be executable) after checking every
 * field a malformed file could get wrong. Anything wrong is ENOEXEC (or the errno Linux gives), never an
 * exception. Layer: kernel exec; it reads bytes the caller got from the VFS and knows nothing of processes.
 */
import type { MaybePromise } from '@kmos/abi-driver';
import {
  EI_CLASS,
  EI_DATA,
  EI_VERSION,
  ELFCLASS32,
  ELFDATA2LSB,
  ELFMAG,
  EM_386,
  ENOEXEC,
  ET_DYN,
  ET_EXEC,
  EV_CURRENT,
  elf32EhdrLayout,
  elf32PhdrLayout,
  PF_X,
  PT_GNU_STACK,
  PT_INTERP,
  PT_LOAD,
  PT_PHDR,
} from '@kmos/abi-linux';
import { KernelError } from '../kernel-error.js';
import { drive, type Steps, wait } from '../maybe-sync.js';

const EH = elf32EhdrLayout.fields;
const PH = elf32PhdrLayout.fields;
/** Linux refuses program headers beyond 64 KiB in all (ELF_MIN_ALIGN-independent sanity bound). */
const MAX_PHDR_BYTES = 65536;
const PATH_MAX = 4096;
const USER_TOP = 0xc0000000;

export interface ElfSegment {
  readonly vaddr: number;
  readonly memszBytes: number;
  readonly fileszBytes: number;
  readonly offset: number;
  /** PF_R | PF_W | PF_X. */
  readonly flags: number;
}

export interface ElfImage {
  readonly type: 'exec' | 'dyn';
  readonly entry: number;
  readonly phoff: number;
  readonly phnum: number;
  readonly phentsize: number;
  /** The address PT_PHDR gives for the program headers, or null (the loader then computes it). */
  readonly phdrVaddr: number | null;
  readonly segments: readonly ElfSegment[];
  /** The PT_INTERP path, or null for a static program. */
  readonly interp: string | null;
  readonly executableStack: boolean;
}

/** A way to read bytes of the file: exactly `into.length` bytes at `offset`, fewer only at end of file. */
export type FileReader = (offset: number, into: Uint8Array) => MaybePromise<number>;

function noexec(why: string): KernelError {
  return new KernelError(ENOEXEC, `not a loadable i386 ELF: ${why}`);
}

/** True when the first bytes are the ELF magic (so exec knows it is an ELF at all, not a script). */
export function hasElfMagic(head: Uint8Array): boolean {
  return head.length >= ELFMAG.length && ELFMAG.every((byte, i) => head[i] === byte);
}

/**
 * Parses and checks the headers of the ELF file of `fileSizeBytes`, reading what it needs through `read`;
 * at once when `read` answers at once.
 */
export function readElfImage(read: FileReader, fileSizeBytes: number): MaybePromise<ElfImage> {
  return drive(elfImage(read, fileSizeBytes));
}

function* elfImage(read: FileReader, fileSizeBytes: number): Steps<ElfImage> {
  const eh = new Uint8Array(elf32EhdrLayout.sizeBytes);
  if ((yield* wait(read(0, eh))) < eh.length) throw noexec('shorter than an ELF header');
  if (!hasElfMagic(eh)) throw noexec('no ELF magic');
  if (eh[EI_CLASS] !== ELFCLASS32 || eh[EI_DATA] !== ELFDATA2LSB || eh[EI_VERSION] !== EV_CURRENT) {
    throw noexec('not 32-bit little-endian ELF version 1');
  }
  const view = new DataView(eh.buffer);
  const type = view.getUint16(EH.e_type.offset, true);
  if (type !== ET_EXEC && type !== ET_DYN) throw noexec(`e_type ${type} is neither ET_EXEC nor ET_DYN`);
  if (view.getUint16(EH.e_machine.offset, true) !== EM_386) throw noexec('e_machine is not EM_386');
  const phentsize = view.getUint16(EH.e_phentsize.offset, true);
  const phnum = view.getUint16(EH.e_phnum.offset, true);
  const phoff = view.getUint32(EH.e_phoff.offset, true);
  if (phentsize !== elf32PhdrLayout.sizeBytes) throw noexec(`e_phentsize ${phentsize}`);
  if (phnum < 1 || phnum * phentsize > MAX_PHDR_BYTES) throw noexec(`e_phnum ${phnum}`);
  if (phoff + phnum * phentsize > fileSizeBytes) throw noexec('program headers beyond end of file');
  const ph = new Uint8Array(phnum * phentsize);
  if ((yield* wait(read(phoff, ph))) < ph.length) throw noexec('program headers beyond end of file');
  const image = yield* readProgramHeaders(new DataView(ph.buffer), phnum, read, fileSizeBytes);
  return {
    type: type === ET_EXEC ? 'exec' : 'dyn',
    entry: view.getUint32(EH.e_entry.offset, true),
    phoff,
    phnum,
    phentsize,
    ...image,
  };
}

function* readProgramHeaders(
  view: DataView,
  phnum: number,
  read: FileReader,
  fileSizeBytes: number,
): Steps<Pick<ElfImage, 'segments' | 'interp' | 'executableStack' | 'phdrVaddr'>> {
  const segments: ElfSegment[] = [];
  let interp: string | null = null;
  let executableStack = false;
  let phdrVaddr: number | null = null;
  for (let i = 0; i < phnum; i++) {
    const at = i * elf32PhdrLayout.sizeBytes;
    const field = (f: { offset: number }) => view.getUint32(at + f.offset, true);
    const type = field(PH.p_type);
    if (type === PT_LOAD) segments.push(checkSegment(field, fileSizeBytes));
    else if (type === PT_INTERP)
      interp = yield* readInterp(field(PH.p_offset), field(PH.p_filesz), read, fileSizeBytes);
    else if (type === PT_GNU_STACK) executableStack = (field(PH.p_flags) & PF_X) !== 0;
    else if (type === PT_PHDR) phdrVaddr = field(PH.p_vaddr);
  }
  if (segments.length === 0) throw noexec('no PT_LOAD segment');
  for (let i = 1; i < segments.length; i++) {
    if (segments[i]!.vaddr < segments[i - 1]!.vaddr) throw noexec('PT_LOAD segments out of order');
  }
  return { segments, interp, executableStack, phdrVaddr };
}

function checkSegment(field: (f: { offset: number }) => number, fileSizeBytes: number): ElfSegment {
  const segment = {
    vaddr: field(PH.p_vaddr),
    memszBytes: field(PH.p_memsz),
    fileszBytes: field(PH.p_filesz),
    offset: field(PH.p_offset),
    flags: field(PH.p_flags),
  };
  const align = field(PH.p_align);
  if (segment.fileszBytes > segment.memszBytes) throw noexec('p_filesz larger than p_memsz');
  if (segment.offset + segment.fileszBytes > fileSizeBytes) throw noexec('segment beyond end of file');
  if (segment.vaddr + segment.memszBytes > USER_TOP) throw noexec('segment beyond user space');
  if (align > 1 && (segment.vaddr - segment.offset) % 4096 !== 0)
    throw noexec('p_vaddr and p_offset disagree modulo the page size');
  return segment;
}

function* readInterp(
  offset: number,
  sizeBytes: number,
  read: FileReader,
  fileSizeBytes: number,
): Steps<string> {
  if (sizeBytes < 2 || sizeBytes > PATH_MAX || offset + sizeBytes > fileSizeBytes)
    throw noexec('bad PT_INTERP');
  const bytes = new Uint8Array(sizeBytes);
  if ((yield* wait(read(offset, bytes))) < sizeBytes || bytes[sizeBytes - 1] !== 0)
    throw noexec('PT_INTERP not NUL-terminated');
  return Buffer.from(bytes.subarray(0, sizeBytes - 1)).toString('latin1');
}
