/**
 * The stack a new program starts with, laid out as Linux's exec lays it out on i386 (fs/binfmt_elf.c
 * create_elf_tables, fs/exec.c copy_strings): from the top down, the executable's name, the environment
 * strings, the argument strings, the platform string and 16 random bytes, then — 16-byte aligned — argc,
 * the argv pointers and NULL, the envp pointers and NULL, and the auxiliary vector ending in AT_NULL.
 * Built here as one byte image so exec copies it to user memory in a single copy. Layer: kernel exec.
 */
import { AT_EXECFN, AT_NULL, AT_PLATFORM, AT_RANDOM } from '@kmos/abi-linux';

export interface StackInputs {
  /** The address just above the stack (the top of the stack VMA). */
  readonly top: number;
  readonly argv: readonly Uint8Array[];
  readonly envp: readonly Uint8Array[];
  /** The path the program was executed by (AT_EXECFN). */
  readonly execfn: Uint8Array;
  /** AT_PLATFORM's string: "i686". */
  readonly platform: Uint8Array;
  /** AT_RANDOM's 16 bytes (from the seeded source). */
  readonly random: Uint8Array;
  /** Auxiliary vector entries whose values are plain numbers, in order; AT_RANDOM, AT_PLATFORM, AT_EXECFN and AT_NULL are added here. */
  readonly auxv: readonly (readonly [type: number, value: number])[];
}

export interface StackImage {
  /** The new %esp: where argc is. */
  readonly sp: number;
  /** The bytes of [sp, top). */
  readonly bytes: Uint8Array;
  /** Where the argument strings start and end (for /proc/<pid>/cmdline and environ). */
  readonly argStart: number;
  readonly envStart: number;
  /** The auxiliary vector's bytes (type, value pairs up to AT_NULL's): a copy, for /proc/<pid>/auxv. */
  readonly auxv: Uint8Array;
}

const POINTER = 4;
const RANDOM_BYTES = 16;

/**
 * The image is built in this buffer, kept between execs and grown when a larger argv/envp needs it: exec
 * copies it out at once, and a fresh buffer per exec cost a host allocation each time.
 */
let scratch = new Uint8Array(8192);
let scratchView = new DataView(scratch.buffer);

function scratchOf(sizeBytes: number): Uint8Array {
  if (scratch.length < sizeBytes) {
    scratch = new Uint8Array(Math.max(sizeBytes, scratch.length * 2));
    scratchView = new DataView(scratch.buffer);
  }
  scratch.fill(0, 0, sizeBytes);
  return scratch;
}

/** Lays out the strings of `list` downwards from `p` (the first string lowest); returns the new `p`. */
function placeStrings(list: readonly Uint8Array[], p: number, at: number[]): number {
  let q = p;
  for (let i = list.length - 1; i >= 0; i--) {
    q -= list[i].length + 1;
    at[i] = q;
  }
  return q;
}

/** The initial stack's bytes. They live in a buffer the next call reuses: copy them out before exec again. */
export function buildInitialStack(inputs: StackInputs): StackImage {
  const { argv, envp, top } = inputs;
  // Linux leaves one pointer-sized hole at the very top, then copies the strings downwards.
  const execfnAt = top - POINTER - (inputs.execfn.length + 1);
  const envAt: number[] = new Array(envp.length);
  const argAt: number[] = new Array(argv.length);
  const platformAt =
    placeStrings(argv, placeStrings(envp, execfnAt, envAt), argAt) - (inputs.platform.length + 1);
  const randomAt = ((platformAt - RANDOM_BYTES) & ~0xf) >>> 0;
  const auxv = inputs.auxv;
  const auxWords = (auxv.length + 4) * 2;
  const words = 1 + argv.length + 1 + envp.length + 1 + auxWords;
  const sp = ((randomAt - words * POINTER) & ~0xf) >>> 0;
  const bytes = scratchOf(top - sp);
  const view = scratchView;
  bytes.set(inputs.execfn, execfnAt - sp);
  for (let i = 0; i < envp.length; i++) bytes.set(envp[i], envAt[i] - sp);
  for (let i = 0; i < argv.length; i++) bytes.set(argv[i], argAt[i] - sp);
  bytes.set(inputs.platform, platformAt - sp);
  bytes.set(inputs.random, randomAt - sp);
  let w = 0;
  const word = (value: number) => {
    view.setUint32(w, value >>> 0, true);
    w += POINTER;
  };
  word(argv.length);
  for (const a of argAt) word(a);
  word(0);
  for (const e of envAt) word(e);
  word(0);
  const auxvAt = w;
  for (const [type, value] of auxv) {
    word(type);
    word(value);
  }
  for (const [type, value] of [
    [AT_RANDOM, randomAt],
    [AT_EXECFN, execfnAt],
    [AT_PLATFORM, platformAt],
    [AT_NULL, 0],
  ] as const) {
    word(type);
    word(value);
  }
  return {
    sp,
    bytes: bytes.subarray(0, top - sp),
    argStart: argAt[0] ?? execfnAt,
    envStart: envAt[0] ?? execfnAt,
    auxv: bytes.slice(auxvAt, w),
  };
}
