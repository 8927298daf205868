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
}

const POINTER = 4;
const RANDOM_BYTES = 16;

export function buildInitialStack(inputs: StackInputs): StackImage {
  const strings: { bytes: Uint8Array; at: number }[] = [];
  // Linux leaves one pointer-sized hole at the very top, then copies the strings downwards.
  let p = inputs.top - POINTER;
  const place = (bytes: Uint8Array) => {
    p -= bytes.length + 1;
    strings.push({ bytes, at: p });
    return p;
  };
  const execfnAt = place(inputs.execfn);
  const envAt = [...inputs.envp].reverse().map(place).reverse();
  const argAt = [...inputs.argv].reverse().map(place).reverse();
  const platformAt = place(inputs.platform);
  p = ((p - RANDOM_BYTES) & ~0xf) >>> 0;
  const randomAt = p;
  const auxv: (readonly [number, number])[] = [
    ...inputs.auxv,
    [AT_RANDOM, randomAt],
    [AT_EXECFN, execfnAt],
    [AT_PLATFORM, platformAt],
    [AT_NULL, 0],
  ];
  const words = 1 + argAt.length + 1 + envAt.length + 1 + auxv.length * 2;
  const sp = ((p - words * POINTER) & ~0xf) >>> 0;
  const bytes = new Uint8Array(inputs.top - sp);
  const view = new DataView(bytes.buffer);
  for (const s of strings) bytes.set(s.bytes, s.at - sp);
  bytes.set(inputs.random, randomAt - sp);
  const table = [argAt.length, ...argAt, 0, ...envAt, 0, ...auxv.flat()];
  table.forEach((word, i) => {
    view.setUint32(i * POINTER, word >>> 0, true);
  });
  return { sp, bytes, argStart: argAt[0] ?? execfnAt, envStart: envAt[0] ?? execfnAt };
}
