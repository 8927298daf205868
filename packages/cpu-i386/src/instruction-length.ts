/**
 * The length of a 32-bit-mode instruction from its bytes alone: prefixes, opcode (one byte, 0F, 0F 38,
 * 0F 3A), ModR/M with SIB and displacement, and immediates, per the opcode maps of SDM vol. 2, appendix A.
 * Layer: arch plugin (cpu-i386); the trace compiler uses it to go on decoding after an instruction it hands
 * to the interpreter.
 *
 * Being wrong costs speed, never correctness: the trace checks after the interpreter ran the instruction
 * that EIP is where this length says, and leaves otherwise. So undefined opcodes get any plausible length.
 */
import { MAX_INSTRUCTION_BYTES } from './constants.js';

/** Bit n set: one-byte opcode n has a ModR/M byte. */
const MODRM_ONE_BYTE = bitSet([
  [0x00, 0x03],
  [0x08, 0x0b],
  [0x10, 0x13],
  [0x18, 0x1b],
  [0x20, 0x23],
  [0x28, 0x2b],
  [0x30, 0x33],
  [0x38, 0x3b],
  [0x62, 0x63],
  [0x69, 0x69],
  [0x6b, 0x6b],
  [0x80, 0x8f],
  [0xc0, 0xc1],
  [0xc4, 0xc7],
  [0xd0, 0xd3],
  [0xd8, 0xdf],
  [0xf6, 0xf7],
  [0xfe, 0xff],
]);

/** Bit n set: two-byte opcode 0F n has NO ModR/M byte. */
const NO_MODRM_0F = bitSet([
  [0x05, 0x0b],
  [0x0e, 0x0e],
  [0x30, 0x37],
  [0x77, 0x77],
  [0x80, 0x8f],
  [0xa0, 0xa2],
  [0xa8, 0xaa],
  [0xc8, 0xcf],
]);

/** One-byte opcodes with an 8-bit immediate (ModR/M forms F6/F7 are handled apart). */
const IMM8_ONE_BYTE = bitSet([
  [0x04, 0x04],
  [0x0c, 0x0c],
  [0x14, 0x14],
  [0x1c, 0x1c],
  [0x24, 0x24],
  [0x2c, 0x2c],
  [0x34, 0x34],
  [0x3c, 0x3c],
  [0x6a, 0x6a],
  [0x6b, 0x6b],
  [0x70, 0x7f],
  [0x80, 0x80],
  [0x82, 0x83],
  [0xa8, 0xa8],
  [0xb0, 0xb7],
  [0xc0, 0xc1],
  [0xc6, 0xc6],
  [0xcd, 0xcd],
  [0xd4, 0xd5],
  [0xe0, 0xe7],
  [0xeb, 0xeb],
]);

/** One-byte opcodes with an operand-size immediate (4 bytes, 2 under 0x66). */
const IMMV_ONE_BYTE = bitSet([
  [0x05, 0x05],
  [0x0d, 0x0d],
  [0x15, 0x15],
  [0x1d, 0x1d],
  [0x25, 0x25],
  [0x2d, 0x2d],
  [0x35, 0x35],
  [0x3d, 0x3d],
  [0x68, 0x69],
  [0x81, 0x81],
  [0xa9, 0xa9],
  [0xb8, 0xbf],
  [0xc7, 0xc7],
  [0xe8, 0xe9],
]);

/** Two-byte opcodes 0F n with an 8-bit immediate. */
const IMM8_0F = bitSet([
  [0x70, 0x73],
  [0xa4, 0xa4],
  [0xac, 0xac],
  [0xba, 0xba],
  [0xc2, 0xc2],
  [0xc4, 0xc6],
]);

function bitSet(ranges: [number, number][]): Uint8Array {
  const set = new Uint8Array(256);
  for (const [from, to] of ranges) for (let op = from; op <= to; op++) set[op] = 1;
  return set;
}

/** Every prefix byte: segment overrides, operand and address size, LOCK, REPNE and REP. */
export const INSTRUCTION_PREFIXES = new Set([
  0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0xf0, 0xf2, 0xf3,
]);

/** Bytes of the ModR/M byte at `at` and what follows it (SIB, displacement). */
function modrmBytes(u8: Uint8Array, at: number, address16: boolean): number {
  const modrm = u8[at];
  const mod = modrm >> 6;
  const rm = modrm & 7;
  if (mod === 3) return 1;
  if (address16) return 1 + (mod === 1 ? 1 : mod === 2 || (mod === 0 && rm === 6) ? 2 : 0);
  let length = 1;
  if (rm === 4) {
    length++;
    if (mod === 0 && (u8[at + 1] & 7) === 5) length += 4;
  }
  if (mod === 1) length += 1;
  else if (mod === 2 || (mod === 0 && rm === 5)) length += 4;
  return length;
}

/**
 * The length of the instruction at `u8[at]`, reading no further than `end` (exclusive); -1 when it does
 * not fit before `end` or is longer than 15 bytes.
 */
export function instructionLength(u8: Uint8Array, at: number, end: number): number {
  let pos = at;
  let operand16 = false;
  let address16 = false;
  while (pos < end && INSTRUCTION_PREFIXES.has(u8[pos])) {
    if (u8[pos] === 0x66) operand16 = true;
    if (u8[pos] === 0x67) address16 = true;
    pos++;
  }
  // Bytes past `end` read as undefined (0 in the bit tests); the final check rejects such a length.
  if (pos >= end) return -1;
  const immv = operand16 ? 2 : 4;
  const op = u8[pos++];
  let length: number;
  if (op !== 0x0f) {
    length = MODRM_ONE_BYTE[op] === 1 ? modrmBytes(u8, pos, address16) : 0;
    if (IMM8_ONE_BYTE[op] === 1) length += 1;
    else if (IMMV_ONE_BYTE[op] === 1) length += immv;
    else if (op === 0xf6 || op === 0xf7) {
      if (((u8[pos] >> 3) & 7) < 2) length += op === 0xf6 ? 1 : immv;
    } else if (op >= 0xa0 && op <= 0xa3) length += address16 ? 2 : 4;
    else if (op === 0xc2 || op === 0xca) length += 2;
    else if (op === 0xc8) length += 3;
    else if (op === 0x9a || op === 0xea) length += immv + 2;
  } else {
    const op2 = u8[pos++];
    if (op2 === 0x38 || op2 === 0x3a) {
      pos++;
      length = modrmBytes(u8, pos, address16) + (op2 === 0x3a ? 1 : 0);
    } else {
      length = NO_MODRM_0F[op2] === 1 ? 0 : modrmBytes(u8, pos, address16);
      if (op2 >= 0x80 && op2 <= 0x8f) length += immv;
      else if (IMM8_0F[op2] === 1 || op2 === 0x0f) length += 1;
    }
  }
  const total = pos + length - at;
  return total > MAX_INSTRUCTION_BYTES || at + total > end ? -1 : total;
}
