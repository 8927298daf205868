/**
 * A small WebAssembly binary writer: the opcodes the region compiler emits, LEB128 immediates, and a
 * module of exported functions with an imported memory, imported host functions and optionally an imported
 * function table.
 * Layer: arch plugin (cpu-i386); used by wasm-region.ts. Format: the WebAssembly core spec, chapter 5.
 */

/** Value types. */
export const I32 = 0x7f;
export const I64 = 0x7e;
export const F64 = 0x7c;
/** Block type of a block, loop or if with no result. */
const BLOCK_VOID = 0x40;

/** Opcodes, by their mnemonic in the spec's text format. */
export const Op = {
  unreachable: 0x00,
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  brTable: 0x0e,
  return: 0x0f,
  call: 0x10,
  callIndirect: 0x11,
  drop: 0x1a,
  select: 0x1b,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Load: 0x28,
  i64Load: 0x29,
  i32Load8S: 0x2c,
  i32Load8U: 0x2d,
  i32Load16S: 0x2e,
  i32Load16U: 0x2f,
  i32Store: 0x36,
  i64Store: 0x37,
  i32Store8: 0x3a,
  i32Store16: 0x3b,
  i32Const: 0x41,
  i32Eqz: 0x45,
  i32Eq: 0x46,
  i32Ne: 0x47,
  i32LtS: 0x48,
  i32LtU: 0x49,
  i32GtS: 0x4a,
  i32GtU: 0x4b,
  i32LeS: 0x4c,
  i32LeU: 0x4d,
  i32GeS: 0x4e,
  i32GeU: 0x4f,
  i64Const: 0x42,
  f64Const: 0x44,
  i64Eqz: 0x50,
  i64Eq: 0x51,
  i64Ne: 0x52,
  i64LtU: 0x54,
  i64GtU: 0x56,
  i64GeS: 0x59,
  i64GeU: 0x5a,
  f64Lt: 0x63,
  f64Gt: 0x64,
  i32Clz: 0x67,
  i32Ctz: 0x68,
  i32Popcnt: 0x69,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32Mul: 0x6c,
  i32DivU: 0x6e,
  i32And: 0x71,
  i32Or: 0x72,
  i32Xor: 0x73,
  i32Shl: 0x74,
  i32ShrS: 0x75,
  i32ShrU: 0x76,
  i32Rotl: 0x77,
  i32Rotr: 0x78,
  i64Clz: 0x79,
  i64Add: 0x7c,
  i64Sub: 0x7d,
  i64Mul: 0x7e,
  i64DivS: 0x7f,
  i64DivU: 0x80,
  i64RemS: 0x81,
  i64RemU: 0x82,
  i64And: 0x83,
  i64Or: 0x84,
  i64Xor: 0x85,
  i64Shl: 0x86,
  i64ShrU: 0x88,
  f64Floor: 0x9c,
  f64Add: 0xa0,
  f64Sub: 0xa1,
  f64Mul: 0xa2,
  f64Div: 0xa3,
  i32WrapI64: 0xa7,
  i64ExtendI32S: 0xac,
  i64ExtendI32U: 0xad,
  i64TruncF64S: 0xb0,
  f64ConvertI64S: 0xb9,
  f64ConvertI64U: 0xba,
} as const;

/**
 * Bytes being written: a Uint8Array that doubles when full. (A JS array grown a byte at a time was the
 * region writer's largest single cost after V8's own compile.)
 */
export class ByteBuffer {
  private data = new Uint8Array(256);
  /** Bytes written; setting it lower takes back what was written after that point. */
  length = 0;

  push(b: number): void {
    if (this.length === this.data.length) {
      const bigger = new Uint8Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = b;
  }

  pushAll(bytes: ArrayLike<number>): void {
    for (let i = 0; i < bytes.length; i++) this.push(bytes[i]);
  }

  /** What was written (a view: valid until the next push). */
  view(): Uint8Array {
    return this.data.subarray(0, this.length);
  }
}

/** Appends the unsigned LEB128 encoding of `v` (a non-negative integer below 2^32). */
function unsigned(out: ByteBuffer, v: number): void {
  let n = v >>> 0;
  do {
    const byte = n & 0x7f;
    n >>>= 7;
    out.push(n === 0 ? byte : byte | 0x80);
  } while (n !== 0);
}

/** Appends the signed LEB128 encoding of the 64-bit `v` (read as signed). */
function signed64(out: ByteBuffer, v: bigint): void {
  let n = BigInt.asIntN(64, v);
  for (;;) {
    const byte = Number(n & 0x7fn);
    n >>= 7n;
    const done = (n === 0n && (byte & 0x40) === 0) || (n === -1n && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return;
  }
}

/** Appends the signed LEB128 encoding of the int32 `v`. */
function signed(out: ByteBuffer, v: number): void {
  let n = v | 0;
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    const done = (n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return;
  }
}

/**
 * The body of one function being written. Structured control is tracked on a stack of names, so a branch
 * names the construct it leaves (`br('exit')`) and the writer works out the depth.
 */
/** The 0xFC prefix and the bulk memory operations' sub-opcodes (single LEB128 bytes). */
const BULK_PREFIX = 0xfc;
/** The non-trapping float-to-int conversions share the 0xfc prefix with bulk memory. */
const SAT_PREFIX = 0xfc;
const SAT_I64_TRUNC_F64_S = 0x06;
const BULK_MEMORY_COPY = 0x0a;
const BULK_MEMORY_FILL = 0x0b;

export class CodeWriter {
  readonly bytes = new ByteBuffer();
  private readonly open: string[] = [];
  /**
   * Where each name is open: positions in `open`, innermost last (a branch to a construct far out, such as a
   * region's `exit` under its case blocks, then costs no search).
   */
  private readonly openAt = new Map<string, number[]>();
  /** Bit per local (the first 32) read, and written, by the code so far. */
  readsMask = 0;
  writesMask = 0;

  op(code: number): this {
    this.bytes.push(code);
    return this;
  }

  i32(v: number): this {
    this.bytes.push(Op.i32Const);
    signed(this.bytes, v);
    return this;
  }

  /** An i64 constant: an int32 `v`, sign-extended, or any 64-bit pattern as a bigint. */
  i64(v: number | bigint): this {
    this.bytes.push(Op.i64Const);
    if (typeof v === 'bigint') signed64(this.bytes, v);
    else signed(this.bytes, v);
    return this;
  }

  f64(v: number): this {
    this.bytes.push(Op.f64Const);
    this.bytes.pushAll(new Uint8Array(new Float64Array([v]).buffer));
    return this;
  }

  get(local: number): this {
    if (local < 32) this.readsMask |= 1 << local;
    this.bytes.push(Op.localGet);
    unsigned(this.bytes, local);
    return this;
  }

  set(local: number): this {
    if (local < 32) this.writesMask |= 1 << local;
    this.bytes.push(Op.localSet);
    unsigned(this.bytes, local);
    return this;
  }

  tee(local: number): this {
    if (local < 32) this.writesMask |= 1 << local;
    this.bytes.push(Op.localTee);
    unsigned(this.bytes, local);
    return this;
  }

  /** A memory access with its natural alignment hint 0 (any address) and a constant offset. */
  mem(code: number, offset = 0): this {
    this.bytes.push(code);
    this.bytes.push(0);
    unsigned(this.bytes, offset);
    return this;
  }

  call(func: number): this {
    this.bytes.push(Op.call);
    unsigned(this.bytes, func);
    return this;
  }

  /** Calls the function at the table index on the stack, of type `typeIndex`, through table 0. */
  callIndirect(typeIndex: number): this {
    this.bytes.push(Op.callIndirect);
    unsigned(this.bytes, typeIndex);
    this.bytes.push(0x00);
    return this;
  }

  /** memory.copy (bulk memory) in memory 0: destination, source and length on the stack. */
  memoryCopy(): this {
    this.bytes.pushAll([BULK_PREFIX, BULK_MEMORY_COPY, 0x00, 0x00]);
    return this;
  }

  /**
   * i64.trunc_sat_f64_s: as i64.trunc_f64_s for a double in range, without its trap. V8 checks a trapping
   * conversion by converting the result back and comparing (about 20 cycles of latency); this one only looks
   * for the overflow value afterwards.
   */
  i64TruncSatF64S(): this {
    this.bytes.pushAll([SAT_PREFIX, SAT_I64_TRUNC_F64_S]);
    return this;
  }

  /** memory.fill (bulk memory) in memory 0: destination, byte value and length on the stack. */
  memoryFill(): this {
    this.bytes.pushAll([BULK_PREFIX, BULK_MEMORY_FILL, 0x00]);
    return this;
  }

  /** Opens a block, loop or if named `name` (names may repeat; a branch finds the innermost). */
  begin(code: number, name: string): this {
    this.bytes.push(code);
    this.bytes.push(BLOCK_VOID);
    this.opened(name);
    return this;
  }

  /** Opens a block, loop or if that leaves one value of type `valueType` (I32, I64, F64). */
  beginValue(code: number, name: string, valueType: number): this {
    this.bytes.push(code);
    this.bytes.push(valueType);
    this.opened(name);
    return this;
  }

  /** Opens a block, loop or if with the signature of function type `typeIndex` (a multi-value result). */
  beginTyped(code: number, name: string, typeIndex: number): this {
    this.bytes.push(code);
    signed(this.bytes, typeIndex);
    this.opened(name);
    return this;
  }

  else(): this {
    this.bytes.push(Op.else);
    return this;
  }

  end(): this {
    this.bytes.push(Op.end);
    const name = this.open.pop();
    if (name !== undefined) this.openAt.get(name)?.pop();
    return this;
  }

  private opened(name: string): void {
    const at = this.openAt.get(name);
    if (at === undefined) this.openAt.set(name, [this.open.length]);
    else at.push(this.open.length);
    this.open.push(name);
  }

  private depth(name: string): number {
    const at = this.openAt.get(name);
    const i = at === undefined || at.length === 0 ? -1 : (at[at.length - 1] as number);
    if (i < 0) throw new Error(`wasm writer: no open construct named ${name}`);
    return this.open.length - 1 - i;
  }

  br(name: string): this {
    this.bytes.push(Op.br);
    unsigned(this.bytes, this.depth(name));
    return this;
  }

  brIf(name: string): this {
    this.bytes.push(Op.brIf);
    unsigned(this.bytes, this.depth(name));
    return this;
  }

  /** `br_table` over the constructs named `names` (for index 0, 1, ...), else to `otherwise`. */
  brTable(names: readonly string[], otherwise: string): this {
    this.bytes.push(Op.brTable);
    unsigned(this.bytes, names.length);
    for (const n of names) unsigned(this.bytes, this.depth(n));
    unsigned(this.bytes, this.depth(otherwise));
    return this;
  }

  get openCount(): number {
    return this.open.length;
  }
}

/** A function type: parameter and result value types. */
export interface FuncType {
  readonly params: readonly number[];
  readonly results: readonly number[];
}

export interface ModuleSpec {
  /**
   * Types listed first in the type section, so code can name them by their position here (the type of a
   * `call_indirect`); the other functions' types follow.
   */
  readonly types?: readonly FuncType[];
  /** Imports a function table ("env", "table", funcref, growable) as table 0. */
  readonly table?: boolean;
  /** Imported functions ("env", name), each with its type; they take indices 0.. in order. */
  readonly imports: readonly { readonly name: string; readonly type: FuncType }[];
  /** The imported memory ("env", "memory") and its size in 64 KiB pages (minimum = maximum). */
  readonly memoryPages: number;
  /** Names the first defined functions are exported under, in order; by default the first is "run". */
  readonly exports?: readonly string[];
  /** Defined functions, after the imports in index space. */
  readonly functions: readonly FunctionSpec[];
}

/** A defined function: its locals after the parameters are `locals` i32s, then `locals64` i64s, then f64s. */
export interface FunctionSpec {
  readonly type: FuncType;
  readonly locals: number;
  readonly locals64?: number;
  readonly localsF64?: number;
  readonly body: CodeWriter;
}

/** Appends section `id` with its size and `content`. */
function section(out: ByteBuffer, id: number, content: ByteBuffer): void {
  out.push(id);
  unsigned(out, content.length);
  out.pushAll(content.view());
}

function name(out: ByteBuffer, s: string): void {
  unsigned(out, s.length);
  for (let i = 0; i < s.length; i++) out.push(s.charCodeAt(i));
}

/** The binary module `spec` describes. */
export function encodeModule(spec: ModuleSpec): Uint8Array {
  const types: FuncType[] = [];
  const typeIndex = (t: FuncType): number => {
    const i = types.findIndex(
      (u) => u.params.join() === t.params.join() && u.results.join() === t.results.join(),
    );
    if (i >= 0) return i;
    types.push(t);
    return types.length - 1;
  };
  for (const t of spec.types ?? []) types.push(t);
  const importTypes = spec.imports.map((f) => typeIndex(f.type));
  const funcTypes = spec.functions.map((f) => typeIndex(f.type));

  const out = new ByteBuffer();
  out.pushAll([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
  const typeSec = new ByteBuffer();
  unsigned(typeSec, types.length);
  for (const t of types) {
    typeSec.push(0x60);
    unsigned(typeSec, t.params.length);
    typeSec.pushAll(t.params);
    unsigned(typeSec, t.results.length);
    typeSec.pushAll(t.results);
  }
  section(out, 1, typeSec);

  const importSec = new ByteBuffer();
  unsigned(importSec, spec.imports.length + (spec.table ? 2 : 1));
  spec.imports.forEach((f, i) => {
    name(importSec, 'env');
    name(importSec, f.name);
    importSec.push(0x00);
    unsigned(importSec, importTypes[i] as number);
  });
  name(importSec, 'env');
  name(importSec, 'memory');
  importSec.pushAll([0x02, 0x01]);
  unsigned(importSec, spec.memoryPages);
  unsigned(importSec, spec.memoryPages);
  if (spec.table) {
    name(importSec, 'env');
    name(importSec, 'table');
    // A table of funcref with a minimum of 0 and no maximum.
    importSec.pushAll([0x01, 0x70, 0x00, 0x00]);
  }
  section(out, 2, importSec);

  const funcSec = new ByteBuffer();
  unsigned(funcSec, funcTypes.length);
  for (const t of funcTypes) unsigned(funcSec, t);
  section(out, 3, funcSec);

  const exportSec = new ByteBuffer();
  const exported = spec.exports ?? ['run'];
  unsigned(exportSec, exported.length);
  exported.forEach((exportName, i) => {
    name(exportSec, exportName);
    exportSec.push(0x00);
    unsigned(exportSec, spec.imports.length + i);
  });
  section(out, 7, exportSec);

  // The code section is kept in parts (function bodies are most of a module's bytes, copied once, below).
  const codeParts: Uint8Array[] = [];
  const count = new ByteBuffer();
  unsigned(count, spec.functions.length);
  codeParts.push(count.view());
  for (const f of spec.functions) {
    const head = new ByteBuffer();
    const groups = (
      [
        [f.locals, I32],
        [f.locals64 ?? 0, I64],
        [f.localsF64 ?? 0, F64],
      ] as const
    ).filter(([count]) => count > 0);
    unsigned(head, groups.length);
    for (const [count, type] of groups) {
      unsigned(head, count);
      head.push(type);
    }
    const size = new ByteBuffer();
    unsigned(size, head.length + f.body.bytes.length + 1);
    codeParts.push(size.view(), head.view(), f.body.bytes.view(), END);
  }
  const codeSize = codeParts.reduce((n, part) => n + part.length, 0);
  out.push(10);
  unsigned(out, codeSize);
  const bytes = new Uint8Array(out.length + codeSize);
  bytes.set(out.view());
  let at = out.length;
  for (const part of codeParts) {
    bytes.set(part, at);
    at += part.length;
  }
  return bytes;
}

const END = Uint8Array.of(Op.end);
