/**
 * C source for the x87 groups' operands: 80-bit edge values (zeros, ones, denormals, the largest and
 * smallest normals, infinities, quiet and signalling NaNs, a pseudo-denormal and an unnormal), memory
 * operands of every format (m32/m64 reals, m16/m32/m64 integers, packed BCD) built from bit patterns so
 * that no FPU instruction produces its own test input, and the control words the tests run under.
 */

/** [sign|exponent, mantissa] of each 80-bit edge value. */
const F80_EDGES: ReadonlyArray<[number, bigint]> = [
  [0x0000, 0n], // +0
  [0x8000, 0n], // -0
  [0x3fff, 0x8000000000000000n], // 1
  [0xbfff, 0x8000000000000000n], // -1
  [0x4000, 0x8000000000000000n], // 2
  [0x3ffe, 0x8000000000000000n], // 0.5
  [0x4000, 0xc90fdaa22168c235n], // pi
  [0x3ffd, 0xaaaaaaaaaaaaaaabn], // 1/3
  [0x403e, 0x8000000000000000n], // 2^63
  [0xc03e, 0xffffffffffffffffn], // -(2^64 - 1)
  [0x7ffe, 0xffffffffffffffffn], // largest normal
  [0x0001, 0x8000000000000000n], // smallest normal
  [0x0000, 0x0000000000000001n], // smallest denormal
  [0x8000, 0x7fffffffffffffffn], // largest negative denormal
  [0x0000, 0x8000000000000000n], // pseudo-denormal
  [0x4000, 0x4000000000000000n], // unnormal (integer bit clear)
  [0x7fff, 0x8000000000000000n], // +inf
  [0xffff, 0x8000000000000000n], // -inf
  [0x7fff, 0xc000000000000000n], // quiet NaN
  [0xffff, 0xc000000000000001n], // negative quiet NaN with payload
  [0x7fff, 0xa000000000000000n], // signalling NaN
  [0x4019, 0xbebc200000000000n], // 1e8
  [0xbfe9, 0xabcc77118461cefdn], // a small negative value
  [0x3ffb, 0xcccccccccccccccdn], // 0.1
];

const F32_EDGES = [
  0x00000000, 0x80000000, 0x3f800000, 0xbf800000, 0x00000001, 0x807fffff, 0x00800000, 0x7f7fffff, 0x7f800000,
  0xff800000, 0x7fc00000, 0x7fa00000, 0x3eaaaaab, 0x4b800000,
];
const F64_EDGES: bigint[] = [
  0n,
  0x8000000000000000n,
  0x3ff0000000000000n,
  0xbff0000000000000n,
  1n,
  0x800fffffffffffffn,
  0x0010000000000000n,
  0x7fefffffffffffffn,
  0x7ff0000000000000n,
  0xfff0000000000000n,
  0x7ff8000000000000n,
  0x7ff4000000000000n,
  0x3fd5555555555555n,
  0x4340000000000000n,
];

const hex64 = (v: bigint): string => `0x${v.toString(16)}ull`;

/** The control words: round to nearest/down/up/zero at 64-bit precision, then 24- and 53-bit precision. */
export const CONTROL_WORDS = [0x037f, 0x077f, 0x0b7f, 0x0f7f, 0x007f, 0x027f];

export const X87_VALUES_C = `typedef struct { u64 mantissa; u16 sign_exponent; } __attribute__((packed)) f80;
static const f80 f80_edges[] = {
${F80_EDGES.map(([se, m]) => `  {${hex64(m)}, 0x${se.toString(16)}},`).join('\n')}
};
#define F80_EDGE_COUNT COUNT_OF(f80_edges)
static const u32 f32_edges[] = {${F32_EDGES.map((v) => `0x${v.toString(16)}u`).join(', ')}};
static const u64 f64_edges[] = {${F64_EDGES.map(hex64).join(', ')}};
static const u16 control_words[] = {${CONTROL_WORDS.map((v) => `0x${v.toString(16)}`).join(', ')}};
static u64 rng_next64(void) { u64 hi = rng_next(); return (hi << 32) | rng_next(); }

/* Value kinds: which operands an instruction is defined for. f2xm1 wants [-1, 1] (UNIT: exponents up to
 * 0x3ffe, i.e. below 1), fyl2xp1 wants |x| < 1 - sqrt(2)/2 ~ 0.29 (SMALL: up to 0x3ffc, i.e. below 0.25),
 * fyl2x a positive x (POSITIVE: the edges and random values with the sign cleared). */
enum { ANY, UNIT, SMALL, POSITIVE };
static void f80_value(u32 kind, u32 i, f80 *out) {
  u32 r = rng_next();
  if ((kind == ANY || kind == POSITIVE) && i < F80_EDGE_COUNT) {
    *out = f80_edges[i];
    if (kind == POSITIVE) out->sign_exponent &= 0x7fff;
    return;
  }
  s32 exponent;
  if (kind == UNIT || kind == SMALL) {
    exponent = (kind == UNIT ? 0x3ffe : 0x3ffc) - (s32)(rng_next() % 40);
    if (i < 2) exponent = 0; /* +0 and -0 */
  } else {
    s32 spread = r & 1 ? 70 : 8; /* mostly near 1, some far off (fsin beyond 2^63) */
    exponent = 0x3fff + (s32)(rng_next() % (u32)(2 * spread + 1)) - spread;
  }
  out->mantissa = exponent == 0 ? 0 : rng_next64() | 0x8000000000000000ull;
  out->sign_exponent = (u16)exponent | (kind != POSITIVE && ((r & 2) || (exponent == 0 && i == 1)) ? 0x8000 : 0);
}
static void out_f80(const char *key, const f80 *v) {
  out_c(' ');
  out_s(key);
  out_c('=');
  out_hex(v->sign_exponent, 16);
  out_c(':');
  out_hex((u32)(v->mantissa >> 32), 32);
  out_hex((u32)v->mantissa, 32);
}

/* Memory operand formats and the i-th value of each, built as bit patterns. */
enum { M_NONE, M_F32, M_F64, M_I16, M_I32, M_I64, M_BCD };
static const u32 mem_bytes[] = {0, 4, 8, 2, 4, 8, 10};
static void mem_value(u32 format, u32 i, u8 *out) {
  u64 v = 0;
  switch (format) {
  case M_F32: v = i < COUNT_OF(f32_edges) ? f32_edges[i] : (rng_next() & 0xbfffffffu) | 0x30000000u; break;
  case M_F64: v = i < COUNT_OF(f64_edges) ? f64_edges[i] : (rng_next64() & 0xbfffffffffffffffull) | 0x3800000000000000ull; break;
  case M_I16: v = operand(16, i); break;
  case M_I32: v = operand(32, i); break;
  case M_I64: v = i < 4 ? (u64[]){0, 1, 0x8000000000000000ull, 0xffffffffffffffffull}[i] : rng_next64() >> (rng_next() % 64); break;
  case M_BCD: /* 18 valid digits, two per byte, in bytes 0..8 (invalid digits give undefined results) */
    for (u32 b = 0; b < 9; b++) out[b] = (u8)((rng_next() % 10) | (rng_next() % 10) << 4);
    out[9] = rng_next() & 1 ? 0x80 : 0;
    return;
  }
  for (u32 b = 0; b < 8; b++) out[b] = (u8)(v >> (8 * b));
  out[8] = 0;
  out[9] = format == M_BCD && (rng_next() & 1) ? 0x80 : 0;
}`;
