/**
 * The MMX/SSE2 integer operations on a whole register: add/subtract (wrapping and saturating), multiplies,
 * compares, logic, shifts, packs, unpacks, averages, min/max and PSADBW (SDM vol. 2, the P* instructions).
 * Layer: arch plugin (cpu-i386), SIMD unit; sse-dispatch.ts decodes and calls `integerOp` for 64-bit MMX
 * operands (n = 8) and 128-bit XMM operands (n = 16), with the destination and source as SseState slots.
 *
 * Lane-wise operations write the destination in place (every lane reads its own two inputs first, so a
 * source equal to the destination is fine); operations that move data between lanes build the result in
 * SLOT_RES and copy it back.
 */
import { SLOT_RES, type SseState } from './sse-state.js';

type Lane = (a: number, b: number) => number;

const sat8 = (v: number): number => (v > 127 ? 127 : v < -128 ? -128 : v);
const satU8 = (v: number): number => (v > 255 ? 255 : v < 0 ? 0 : v);
const sat16 = (v: number): number => (v > 32767 ? 32767 : v < -32768 ? -32768 : v);
const satU16 = (v: number): number => (v > 65535 ? 65535 : v < 0 ? 0 : v);

const add: Lane = (a, b) => a + b;
const sub: Lane = (a, b) => a - b;
const addSat8: Lane = (a, b) => sat8(a + b);
const subSat8: Lane = (a, b) => sat8(a - b);
const addSatU8: Lane = (a, b) => satU8(a + b);
const subSatU8: Lane = (a, b) => satU8(a - b);
const addSat16: Lane = (a, b) => sat16(a + b);
const subSat16: Lane = (a, b) => sat16(a - b);
const addSatU16: Lane = (a, b) => satU16(a + b);
const subSatU16: Lane = (a, b) => satU16(a - b);
const min: Lane = (a, b) => (a < b ? a : b);
const max: Lane = (a, b) => (a > b ? a : b);
const avg: Lane = (a, b) => (a + b + 1) >>> 1;
const eq: Lane = (a, b) => (a === b ? -1 : 0);
const gt: Lane = (a, b) => (a > b ? -1 : 0);
const mulLow16: Lane = (a, b) => Math.imul(a, b);
const mulHigh16: Lane = (a, b) => (a * b) >> 16;
const mulHighU16: Lane = (a, b) => Math.floor((a * b) / 65536);
const and: Lane = (a, b) => a & b;
const andNot: Lane = (a, b) => ~a & b;
const or: Lane = (a, b) => a | b;
const xor: Lane = (a, b) => a ^ b;

/** Applies f to every lane of a view (elements of `size` bytes); the typed array wraps or clamps the store. */
function lanes(
  view: Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array,
  size: number,
  d: number,
  s: number,
  n: number,
  f: Lane,
): void {
  const per = 16 / size;
  const count = n / size;
  const db = d * per;
  const sb = s * per;
  for (let i = 0; i < count; i++) view[db + i] = f(view[db + i], view[sb + i]);
}

/** 64-bit lanes as two dwords: add or subtract with the carry between halves. */
function quads(st: SseState, d: number, s: number, n: number, subtract: boolean): void {
  const u = st.u32;
  for (let q = 0; q < n / 8; q++) {
    const i = d * 4 + 2 * q;
    const j = s * 4 + 2 * q;
    const lo = subtract ? u[i] - u[j] : u[i] + u[j];
    const carry = subtract ? (lo < 0 ? -1 : 0) : lo > 0xffffffff ? 1 : 0;
    u[i + 1] = u[i + 1] + (subtract ? -u[j + 1] : u[j + 1]) + carry;
    u[i] = lo;
  }
}

/** Unsigned 32 x 32 -> 64 into u32 pair at index i (PMULUDQ). */
function mul32x32(u: Uint32Array, i: number, a: number, b: number): void {
  const al = a & 0xffff;
  const ah = a >>> 16;
  const bl = b & 0xffff;
  const bh = b >>> 16;
  const low = al * bl;
  const mid = ah * bl + al * bh; // < 2^33
  const lowSum = low + (mid % 65536) * 65536;
  u[i] = lowSum % 4294967296;
  u[i + 1] = ah * bh + Math.floor(mid / 65536) + Math.floor(lowSum / 4294967296);
}

function pmuludq(st: SseState, d: number, s: number, n: number): void {
  const u = st.u32;
  for (let q = 0; q < n / 8; q++) mul32x32(u, d * 4 + 2 * q, u[d * 4 + 2 * q], u[s * 4 + 2 * q]);
}

function pmaddwd(st: SseState, d: number, s: number, n: number): void {
  const w = st.i16;
  const out = st.i32;
  for (let i = 0; i < n / 4; i++) {
    const a = d * 8 + 2 * i;
    const b = s * 8 + 2 * i;
    out[d * 4 + i] = (w[a] * w[b] + w[a + 1] * w[b + 1]) | 0;
  }
}

function psadbw(st: SseState, d: number, s: number, n: number): void {
  const b = st.u8;
  for (let g = 0; g < n / 8; g++) {
    let sum = 0;
    for (let i = 0; i < 8; i++) sum += Math.abs(b[d * 16 + 8 * g + i] - b[s * 16 + 8 * g + i]);
    st.u32[d * 4 + 2 * g] = sum;
    st.u32[d * 4 + 2 * g + 1] = 0;
  }
}

/** PUNPCKL/H: interleaves elements of `size` bytes from the low or high half of d and s. */
export function unpack(st: SseState, d: number, s: number, n: number, size: number, high: boolean): void {
  const b = st.u8;
  const half = high ? n / 2 : 0;
  const r = SLOT_RES * 16;
  for (let e = 0; e < n / 2 / size; e++) {
    for (let k = 0; k < size; k++) {
      b[r + 2 * e * size + k] = b[d * 16 + half + e * size + k];
      b[r + (2 * e + 1) * size + k] = b[s * 16 + half + e * size + k];
    }
  }
  b.copyWithin(d * 16, r, r + n);
}

/** PACKSSWB, PACKUSWB, PACKSSDW: narrows d's then s's elements with saturation. */
function pack(st: SseState, d: number, s: number, n: number, dwords: boolean, unsigned: boolean): void {
  const count = n / (dwords ? 4 : 2);
  for (let half = 0; half < 2; half++) {
    const from = half === 0 ? d : s;
    for (let i = 0; i < count; i++) {
      if (dwords) st.i16[SLOT_RES * 8 + half * count + i] = sat16(st.i32[from * 4 + i]);
      else {
        const v = st.i16[from * 8 + i];
        st.u8[SLOT_RES * 16 + half * count + i] = unsigned ? satU8(v) : sat8(v) & 0xff;
      }
    }
  }
  st.u8.copyWithin(d * 16, SLOT_RES * 16, SLOT_RES * 16 + n);
}

/**
 * PSRL/PSRA/PSLL on elements of `size` bytes by `count` (already reduced: any count >= the width is 64).
 * kind: 2 logical right, 4 arithmetic right, 6 left (the /r of the immediate groups 71..73).
 */
export function shift(st: SseState, d: number, n: number, size: number, kind: number, count: number): void {
  const bits = size * 8;
  if (size === 8) {
    shiftQuads(st, d, n, kind === 6, count);
    return;
  }
  const view = size === 2 ? (kind === 4 ? st.i16 : st.u16) : kind === 4 ? st.i32 : st.u32;
  const per = 16 / size;
  for (let i = 0; i < n / size; i++) {
    const at = d * per + i;
    const v = view[at];
    if (kind === 4) view[at] = v >> Math.min(count, bits - 1);
    else if (count >= bits) view[at] = 0;
    else view[at] = kind === 2 ? v >>> count : v << count;
  }
}

function shiftQuads(st: SseState, d: number, n: number, left: boolean, count: number): void {
  const u = st.u32;
  for (let q = 0; q < n / 8; q++) {
    const i = d * 4 + 2 * q;
    const lo = u[i];
    const hi = u[i + 1];
    if (count >= 64) {
      u[i] = 0;
      u[i + 1] = 0;
    } else if (count >= 32) {
      u[i] = left ? 0 : hi >>> (count - 32);
      u[i + 1] = left ? lo << (count - 32) : 0;
    } else if (count > 0) {
      u[i] = left ? lo << count : (lo >>> count) | (hi << (32 - count));
      u[i + 1] = left ? (hi << count) | (lo >>> (32 - count)) : hi >>> count;
    }
  }
}

/** PSRLDQ/PSLLDQ: whole-register byte shifts. */
export function shiftBytes(st: SseState, d: number, left: boolean, count: number): void {
  const b = st.u8;
  const r = SLOT_RES * 16;
  for (let i = 0; i < 16; i++) {
    const from = left ? i - count : i + count;
    b[r + i] = from >= 0 && from < 16 ? b[d * 16 + from] : 0;
  }
  b.copyWithin(d * 16, r, r + 16);
}

/** The shift count of the register/memory forms: the whole low quadword, saturated at 64. */
export function shiftCount(st: SseState, s: number): number {
  return st.u32[s * 4 + 1] !== 0 || st.u32[s * 4] > 64 ? 64 : st.u32[s * 4];
}

/** The integer operation of opcode 0F `op` on slots d and s, n bytes wide; false when op is not one. */
export function integerOp(st: SseState, op: number, d: number, s: number, n: number): boolean {
  switch (op) {
    case 0x60:
    case 0x61:
    case 0x62:
      unpack(st, d, s, n, 1 << (op - 0x60), false);
      return true;
    case 0x68:
    case 0x69:
    case 0x6a:
      unpack(st, d, s, n, 1 << (op - 0x68), true);
      return true;
    case 0x6c:
    case 0x6d:
      if (n !== 16) return false;
      unpack(st, d, s, n, 8, op === 0x6d);
      return true;
    case 0x63:
      pack(st, d, s, n, false, false);
      return true;
    case 0x67:
      pack(st, d, s, n, false, true);
      return true;
    case 0x6b:
      pack(st, d, s, n, true, false);
      return true;
    case 0x64:
      lanes(st.i8, 1, d, s, n, gt);
      return true;
    case 0x65:
      lanes(st.i16, 2, d, s, n, gt);
      return true;
    case 0x66:
      lanes(st.i32, 4, d, s, n, gt);
      return true;
    case 0x74:
      lanes(st.i8, 1, d, s, n, eq);
      return true;
    case 0x75:
      lanes(st.i16, 2, d, s, n, eq);
      return true;
    case 0x76:
      lanes(st.i32, 4, d, s, n, eq);
      return true;
    case 0xd1:
    case 0xd2:
    case 0xd3:
      shift(st, d, n, 1 << (op - 0xd0), 2, shiftCount(st, s));
      return true;
    case 0xe1:
    case 0xe2:
      shift(st, d, n, 1 << (op - 0xe0), 4, shiftCount(st, s));
      return true;
    case 0xf1:
    case 0xf2:
    case 0xf3:
      shift(st, d, n, 1 << (op - 0xf0), 6, shiftCount(st, s));
      return true;
    default:
      return arithmeticOp(st, op, d, s, n);
  }
}

function arithmeticOp(st: SseState, op: number, d: number, s: number, n: number): boolean {
  switch (op) {
    case 0xd4:
    case 0xfb:
      quads(st, d, s, n, op === 0xfb);
      return true;
    case 0xd5:
      lanes(st.i16, 2, d, s, n, mulLow16);
      return true;
    case 0xe4:
      lanes(st.u16, 2, d, s, n, mulHighU16);
      return true;
    case 0xe5:
      lanes(st.i16, 2, d, s, n, mulHigh16);
      return true;
    case 0xf4:
      pmuludq(st, d, s, n);
      return true;
    case 0xf5:
      pmaddwd(st, d, s, n);
      return true;
    case 0xf6:
      psadbw(st, d, s, n);
      return true;
    case 0xd8:
      lanes(st.u8, 1, d, s, n, subSatU8);
      return true;
    case 0xd9:
      lanes(st.u16, 2, d, s, n, subSatU16);
      return true;
    case 0xdc:
      lanes(st.u8, 1, d, s, n, addSatU8);
      return true;
    case 0xdd:
      lanes(st.u16, 2, d, s, n, addSatU16);
      return true;
    case 0xe8:
      lanes(st.i8, 1, d, s, n, subSat8);
      return true;
    case 0xe9:
      lanes(st.i16, 2, d, s, n, subSat16);
      return true;
    case 0xec:
      lanes(st.i8, 1, d, s, n, addSat8);
      return true;
    case 0xed:
      lanes(st.i16, 2, d, s, n, addSat16);
      return true;
    case 0xda:
      lanes(st.u8, 1, d, s, n, min);
      return true;
    case 0xde:
      lanes(st.u8, 1, d, s, n, max);
      return true;
    case 0xea:
      lanes(st.i16, 2, d, s, n, min);
      return true;
    case 0xee:
      lanes(st.i16, 2, d, s, n, max);
      return true;
    case 0xe0:
      lanes(st.u8, 1, d, s, n, avg);
      return true;
    case 0xe3:
      lanes(st.u16, 2, d, s, n, avg);
      return true;
    default:
      return logicOrAdd(st, op, d, s, n);
  }
}

function logicOrAdd(st: SseState, op: number, d: number, s: number, n: number): boolean {
  switch (op) {
    case 0xdb:
      lanes(st.i32, 4, d, s, n, and);
      return true;
    case 0xdf:
      lanes(st.i32, 4, d, s, n, andNot);
      return true;
    case 0xeb:
      lanes(st.i32, 4, d, s, n, or);
      return true;
    case 0xef:
      lanes(st.i32, 4, d, s, n, xor);
      return true;
    case 0xf8:
    case 0xfc:
      lanes(st.u8, 1, d, s, n, op === 0xf8 ? sub : add);
      return true;
    case 0xf9:
    case 0xfd:
      lanes(st.u16, 2, d, s, n, op === 0xf9 ? sub : add);
      return true;
    case 0xfa:
    case 0xfe:
      lanes(st.i32, 4, d, s, n, op === 0xfa ? sub : add);
      return true;
    default:
      return false;
  }
}

/** The logic ops ANDPS/ANDNPS/ORPS/XORPS (0F 54..57) are PAND/PANDN/POR/PXOR on the whole register. */
export function logicOp(st: SseState, op: number, d: number, s: number): void {
  lanes(st.i32, 4, d, s, 16, op === 0x54 ? and : op === 0x55 ? andNot : op === 0x56 ? or : xor);
}
