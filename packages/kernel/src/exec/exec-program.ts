/**
 * execve: replace a process's program. Opens the file (execute permission, a regular file), runs `#!`
 * scripts through their interpreter, reads and checks the ELF headers of the program and of the dynamic
 * loader it names, and only then — past the point of no return — builds a new address space, maps both
 * images, lays out the initial stack with argv, envp and the auxiliary vector, and resets what exec resets
 * (signal handlers, close-on-exec files, other threads, TLS, registers). Layer: kernel exec.
 */
import { type Cpu, type MaybePromise, PAGE_SIZE, Reg, SegReg } from '@kmos/abi-driver';
import {
  AT_BASE,
  AT_CLKTCK,
  AT_EGID,
  AT_ENTRY,
  AT_EUID,
  AT_FLAGS,
  AT_GID,
  AT_HWCAP,
  AT_PAGESZ,
  AT_PHDR,
  AT_PHENT,
  AT_PHNUM,
  AT_SECURE,
  AT_UID,
  E2BIG,
  ELOOP,
  ENOENT,
  ENOEXEC,
  USER_HZ,
} from '@kmos/abi-linux';
import type { OpenFile } from '../fs/open-file.js';
import type { PathContext } from '../fs/path-walk.js';
import type { Kernel } from '../kernel.js';
import { KernelError } from '../kernel-error.js';
import { after, drive, type Steps, wait } from '../maybe-sync.js';
import { AddressSpace, limitsForAddressSpace, pageAlignUp } from '../mm/address-space.js';
import { setBrkStart, setupStack } from '../mm/mmap.js';
import { copyToUser } from '../mm/usercopy.js';
import { closeDetached } from '../proc/fd-table.js';
import { deletePosixTimers } from '../proc/posix-timers.js';
import type { Process } from '../proc/process.js';
import { addressSpaceLimit } from '../proc/resource-limits.js';
import { releaseRobustFutexes } from '../proc/robust-futexes.js';
import { release } from '../proc/sharing.js';
import type { Thread } from '../proc/thread.js';
import { type ElfImage, type FileReader, hasElfMagic, readElfImage } from './elf-image.js';
import { buildInitialStack } from './initial-stack.js';
import { ELF_ET_DYN_BASE, imageSpan, mapElf } from './load-elf.js';

/** Linux's BINPRM_BUF_SIZE: how much of the file decides its format (and bounds a `#!` line). */
const BINPRM_BUF_SIZE = 256;
/** How much of a program exec reads at once: one page holds the headers of any ordinary ELF file. */
const HEAD_BYTES = PAGE_SIZE;
/** Nested `#!` interpreters Linux follows before ELOOP. */
const MAX_SCRIPT_DEPTH = 4;
/** Linux's MAX_ARG_STRLEN and the total it allows for argv + envp (a quarter of an 8 MiB stack). */
const MAX_ARG_STRLEN = 32 * PAGE_SIZE;
const MAX_ARGS_TOTAL = 2 * 1024 * 1024;
const EFLAGS_IF = 0x200;
const EFLAGS_RESERVED = 0x2;
const USER_DS = 0x7b;

export interface ProgramFile {
  readonly path: string;
  readonly file: OpenFile;
  readonly sizeBytes: number;
}

interface Prepared {
  readonly main: ProgramFile;
  readonly image: ElfImage;
  readonly interp: { file: ProgramFile; image: ElfImage } | null;
  readonly argv: readonly Uint8Array[];
}

/**
 * execveat's start: where the program is opened from (a directory or the file itself, `flags` with
 * AT_EMPTY_PATH and AT_SYMLINK_NOFOLLOW), while `path` names it (/dev/fd/N...). A script reached through a
 * close-on-exec descriptor is ENOENT: its interpreter could not open it.
 */
export interface ExecOrigin {
  readonly at: OpenFile | null;
  readonly openPath: string;
  readonly flags: number;
  readonly closeOnExec: boolean;
}

/** A program checked and ready to replace the caller's: everything execve can fail on has been checked. */
export interface PreparedExec {
  readonly prepared: Prepared;
  readonly envp: readonly Uint8Array[];
  readonly path: string;
}

/**
 * The first half of execve: open and check everything, touching nothing of the caller. At once when the
 * filesystems answer at once (maybe-sync.ts): then execve never sleeps.
 */
export function prepareExec(
  k: Kernel,
  ctx: PathContext,
  path: string,
  argv: readonly Uint8Array[],
  envp: readonly Uint8Array[],
  origin: ExecOrigin | null = null,
): MaybePromise<PreparedExec> {
  checkArgSizes(argv, envp);
  return after(drive(prepare(k, ctx, path, argv, 0, origin)), (prepared) => ({ prepared, envp, path }));
}

/** The second half: replace the program of `t`, which must be on the CPU. Cannot fail but by a fatal signal. */
export function commitExec(k: Kernel, t: Thread, exec: PreparedExec): void {
  commit(k, t, exec.prepared, exec.envp, exec.path);
}

function checkArgSizes(argv: readonly Uint8Array[], envp: readonly Uint8Array[]): void {
  if (argSizes(argv) + argSizes(envp) > MAX_ARGS_TOTAL) throw new KernelError(E2BIG);
}

/** What `list` takes of the stack (strings, NULs and pointers); E2BIG for a string past MAX_ARG_STRLEN. */
function argSizes(list: readonly Uint8Array[]): number {
  let total = 0;
  for (const s of list) {
    if (s.length + 1 > MAX_ARG_STRLEN) throw new KernelError(E2BIG);
    total += s.length + 1 + 4;
  }
  return total;
}

/** Opens a program as execve does: a regular file the effective ids may execute, on a mount without noexec. */
function* openProgram(
  k: Kernel,
  ctx: PathContext,
  path: string,
  origin: ExecOrigin | null,
): Steps<ProgramFile> {
  const opened = origin
    ? k.vfs.openExec(ctx, origin.at, origin.openPath, origin.flags)
    : k.vfs.openExec(ctx, null, path);
  const { file, attr } = yield* wait(opened);
  return { path, file, sizeBytes: attr.sizeBytes };
}

/**
 * The first HEAD_BYTES of the file, read once: its first BINPRM_BUF_SIZE decide the format, and the ELF
 * header, the program headers and the interpreter's name usually lie in it too (reader() serves them
 * from here, so a typical exec reads each file once rather than four times).
 */
function* readHead(program: ProgramFile): Steps<Uint8Array> {
  const head = new Uint8Array(Math.min(HEAD_BYTES, program.sizeBytes));
  const n = yield* wait(program.file.pread(head, 0));
  return head.subarray(0, typeof n === 'number' ? n : 0);
}

function* prepare(
  k: Kernel,
  ctx: PathContext,
  path: string,
  argv: readonly Uint8Array[],
  depth: number,
  origin: ExecOrigin | null,
): Steps<Prepared> {
  const main = yield* openProgram(k, ctx, path, origin);
  const head = yield* readHead(main);
  if (head[0] === 0x23 && head[1] === 0x21) {
    void Promise.resolve(main.file.close());
    if (origin?.closeOnExec) throw new KernelError(ENOENT, 'a script behind a close-on-exec descriptor');
    if (depth >= MAX_SCRIPT_DEPTH) throw new KernelError(ELOOP, 'too many #! levels');
    const { interpreter, argument } = parseShebang(head.subarray(0, BINPRM_BUF_SIZE));
    const scriptArgv = [
      latin1(interpreter),
      ...(argument ? [latin1(argument)] : []),
      latin1(path),
      ...argv.slice(1),
    ];
    return yield* prepare(k, ctx, interpreter, scriptArgv, depth + 1, null);
  }
  if (!hasElfMagic(head)) throw new KernelError(ENOEXEC, 'unknown executable format');
  const image = yield* wait(readElfImage(reader(main, head), main.sizeBytes));
  let interp: Prepared['interp'] = null;
  if (image.interp !== null) {
    const file = yield* openProgram(k, ctx, image.interp, null);
    const interpImage = yield* wait(readElfImage(reader(file, yield* readHead(file)), file.sizeBytes));
    if (interpImage.interp !== null) throw new KernelError(ENOEXEC, 'the interpreter names an interpreter');
    interp = { file, image: interpImage };
  }
  return { main, image, interp, argv };
}

/** Reads of the program: from `head` (its first bytes) when they lie inside, else from the file. */
function reader(program: ProgramFile, head: Uint8Array): FileReader {
  return (offset, into) => {
    if (offset + into.length <= head.length) {
      into.set(head.subarray(offset, offset + into.length));
      return into.length;
    }
    return after(program.file.pread(into, offset), (n) => (typeof n === 'number' ? n : 0));
  };
}

/** `#!interpreter [one argument]` up to the first newline, as Linux's binfmt_script splits it. */
function parseShebang(head: Uint8Array): { interpreter: string; argument: string | null } {
  const text = Buffer.from(head).toString('latin1');
  const end = text.indexOf('\n');
  if (end < 0 && head.length >= BINPRM_BUF_SIZE) throw new KernelError(ENOEXEC, '#! line too long');
  const line = text
    .slice(2, end < 0 ? text.length : end)
    .replace(/^[ \t]+/, '')
    .replace(/[ \t]+$/, '');
  const split = line.search(/[ \t]/);
  if (line.length === 0) throw new KernelError(ENOEXEC, 'empty #! line');
  if (split < 0) return { interpreter: line, argument: null };
  return { interpreter: line.slice(0, split), argument: line.slice(split).replace(/^[ \t]+/, '') };
}

function latin1(s: string): Uint8Array {
  return Buffer.from(s, 'latin1');
}

/** AT_PLATFORM's string, the same for every exec. */
const PLATFORM = latin1('i686');

/** Past the point of no return: the old program is gone, whatever happens next. */
function commit(k: Kernel, t: Thread, prepared: Prepared, envp: readonly Uint8Array[], path: string): void {
  const p = t.process;
  killOtherThreads(k, t);
  // The old program's robust mutexes are released while its memory is still there (exec_mm_release).
  releaseRobustFutexes(t, (addr) => k.lifecycle.futexWake(p, addr, 1));
  deletePosixTimers(p);
  let as: AddressSpace | null = null;
  as = AddressSpace.create(
    k.mm,
    k.notifierFor(() => as!),
    limitsForAddressSpace(addressSpaceLimit(p.rlimits)),
  );
  const old = p.mm;
  p.mm = as;
  if (release(old)) old.destroy();
  p.vforkPending = false;
  p.vforkDone.wakeAll();
  k.sched.loadAddressSpace(t);
  const mainFile = k.filePages.mapFileOf(prepared.main.file);
  const span = imageSpan(prepared.image);
  const mainBias = prepared.image.type === 'dyn' ? ELF_ET_DYN_BASE - span.low : 0;
  const main = mapElf(as, prepared.image, mainFile, mainBias);
  let entry = main.entry;
  let interpBase = 0;
  if (prepared.interp) {
    const { file, image } = prepared.interp;
    const interpSpan = imageSpan(image);
    const base = as.unmappedArea(interpSpan.high - interpSpan.low, 0);
    interpBase = base - interpSpan.low;
    const loaded = mapElf(as, image, k.filePages.mapFileOf(file.file), interpBase);
    entry = loaded.entry;
    void Promise.resolve(file.file.close());
  }
  void Promise.resolve(prepared.main.file.close());
  setBrkStart(as, pageAlignUp(main.end));
  as.startCode = main.startCode;
  as.endCode = main.endCode;
  const top = setupStack(as);
  const stack = buildInitialStack({
    top,
    argv: prepared.argv,
    envp,
    execfn: latin1(path),
    platform: PLATFORM,
    random: k.random.fill(new Uint8Array(16)),
    auxv: [
      // As i386 Linux's ELF_HWCAP: CPUID.1:EDX of the CPU configured (arch/cpu-identity.ts).
      [AT_HWCAP, k.machine.cpuIdentity.featuresEdx],
      [AT_PAGESZ, PAGE_SIZE],
      [AT_CLKTCK, USER_HZ],
      [AT_PHDR, main.phdr],
      [AT_PHENT, prepared.image.phentsize],
      [AT_PHNUM, prepared.image.phnum],
      [AT_BASE, interpBase],
      [AT_FLAGS, 0],
      [AT_ENTRY, main.entry],
      [AT_UID, p.creds.uid],
      [AT_EUID, p.creds.euid],
      [AT_GID, p.creds.gid],
      [AT_EGID, p.creds.egid],
      [AT_SECURE, 0],
    ],
  });
  copyToUser(as, stack.sp as never, stack.bytes);
  as.startStack = stack.sp;
  resetProcessForExec(k, p, prepared, envp, path);
  p.auxv = stack.auxv;
  resetThreadForExec(k.cpu, t, stack.sp, entry);
}

function killOtherThreads(k: Kernel, keep: Thread): void {
  for (const other of keep.process.threads) {
    if (other !== keep && other.alive) {
      // Each thread exec ends exits as exit would: its robust mutexes go to their waiters.
      releaseRobustFutexes(other, (addr) => k.lifecycle.futexWake(keep.process, addr, 1));
      k.sched.retire(other);
      k.processes.removeThread(other);
    }
  }
  keep.process.threads.length = 0;
  keep.process.threads.push(keep);
}

function resetProcessForExec(
  k: Kernel,
  p: Process,
  prepared: Prepared,
  envp: readonly Uint8Array[],
  path: string,
): void {
  for (const file of p.files.takeCloseOnExec()) closeDetached(file);
  p.signals.resetForExec();
  p.argv = prepared.argv;
  p.envp = envp;
  // The file itself, not the path exec was given ("/proc/self/exe", "./prog"): Linux's exe link follows it.
  p.exe = prepared.main.file.dentry;
  // comm is the name exec was given, as in Linux.
  p.comm = path.slice(path.lastIndexOf('/') + 1).slice(0, 15);
  p.controls.atExec();
  void k;
}

/** The registers a new program starts with (Linux's start_thread: all zero but esp, eip and eflags). */
function resetThreadForExec(cpu: Cpu, t: Thread, sp: number, entry: number): void {
  for (let r = 0; r < 8; r++) cpu.setReg(r as Reg, 0);
  cpu.setReg(Reg.ESP, sp);
  cpu.eip = entry;
  cpu.eflags = EFLAGS_IF | EFLAGS_RESERVED;
  t.tls.fill(0);
  for (let i = 0; i < 3; i++) cpu.setGdtEntry(6 + i, 0, 0);
  for (const seg of [SegReg.DS, SegReg.ES, SegReg.SS]) cpu.setSeg(seg, USER_DS);
  cpu.setSeg(SegReg.FS, 0);
  cpu.setSeg(SegReg.GS, 0);
  cpu.resetFpu();
  t.altStackSp = 0;
  t.altStackSize = 0;
  t.altStackFlags = 0;
  t.clearChildTid = 0;
}
