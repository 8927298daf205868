/**
 * Generators for the MMX/SSE/SSE2 groups. Every form runs one instruction on xmm0 (destination, loaded from
 * `a`) and xmm1 or a 16-byte aligned memory copy of `b` (source), with MXCSR loaded from a table (every
 * rounding mode, DAZ, FTZ; exception flags clear and every exception masked, since an unmasked one would end
 * the freestanding program with SIGFPE), and prints xmm0, eax, MXCSR and the status flags afterwards. Float
 * operands come from edge tables (zeros, denormals, the smallest normals, the largest finite values,
 * infinities, quiet and signaling NaNs with payloads, inexact fractions) mixed with random bit patterns, so
 * NaN propagation, signed zeros, denormals, rounding and the exception flags all compare bit for bit.
 * MMX forms run on mm0/mm1 and end with EMMS; the interplay group checks the x87 tag word, TOP and the
 * register images MMX leaves. Nothing here is undefined per the SDM, so no output bit is masked. The programs
 * are built for an i686 without SSE, so gcc never keeps values in xmm/mm registers and the asm needs no
 * clobbers for them (gcc refuses those clobbers for that target).
 */
import { asmLines, cName, cProgram, cString, type Group } from './c-program.js';

/** Each case's MXCSR: RC nearest/down/up/chop, then DAZ, FTZ, both; all exceptions masked, flags clear. */
const MXCSR_VALUES_C = `static const u32 mxcsr_values[] = {0x1f80, 0x3f80, 0x5f80, 0x7f80, 0x1fc0, 0x9f80, 0x9fc0};`;

const VALUES_C = `
typedef struct { u32 w[4]; } __attribute__((aligned(16))) v128;
static const u32 f32_edges[] = {0x00000000, 0x80000000, 0x3f800000, 0xbf800000, 0x00000001, 0x807fffff,
  0x00800000, 0x80800001, 0x7f7fffff, 0xff7fffff, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc12345, 0x7fa00001,
  0xff812345, 0x3eaaaaab, 0x4b800001, 0x3f7fffff, 0x0ccccccd, 0x33800000, 0x5f000000, 0xcf000000, 0x4effffff,
  0x3fc00000, 0xc0200000};
/* binary64 edges as {low, high} words. */
static const u32 f64_edges[][2] = {{0, 0}, {0, 0x80000000}, {0, 0x3ff00000}, {0, 0xbff00000}, {1, 0},
  {0xffffffff, 0x800fffff}, {0, 0x00100000}, {1, 0x80100000}, {0xffffffff, 0x7fefffff}, {0xffffffff, 0xffefffff},
  {0, 0x7ff00000}, {0, 0xfff00000}, {0, 0x7ff80000}, {0x12345678, 0xfff81234}, {1, 0x7ff00000},
  {0x9abcdef0, 0xfff41234}, {0x55555555, 0x3fd55555}, {0x20000001, 0x36a00000}, {0xffffffff, 0x3fefffff},
  {0x9999999a, 0x3fb99999}, {0, 0x3ca00000}, {0, 0x41e00000}, {0x00200000, 0xc1e00000}, {0xffc00000, 0x41dfffff},
  {0, 0x3ff80000}, {0xe0000000, 0x47efffff}, {0x10000000, 0x36a00000}, {1, 0x43300000}};
#define F32_EDGE_COUNT COUNT_OF(f32_edges)
#define F64_EDGE_COUNT COUNT_OF(f64_edges)
/* A float lane: an edge, or random bits with the exponent pulled toward 1.0 half of the time. */
static u32 f32_lane(u32 i) {
  if (i < F32_EDGE_COUNT) return f32_edges[i];
  u32 r = rng_next();
  return (r & 1) ? (r & 0x81ffffff) | 0x3e000000 : r;
}
static void f64_lane(u32 i, u32 *w) {
  if (i < F64_EDGE_COUNT) { w[0] = f64_edges[i][0]; w[1] = f64_edges[i][1]; return; }
  u32 r = rng_next();
  w[0] = rng_next();
  w[1] = (r & 1) ? (r & 0x801fffff) | 0x3fc00000 : r;
}
static void f32_vector(v128 *v, u32 i, u32 j) {
  v->w[0] = f32_lane(i); v->w[1] = f32_lane(j); v->w[2] = f32_lane(1000); v->w[3] = f32_lane((i * 7 + j) % F32_EDGE_COUNT);
}
static void f64_vector(v128 *v, u32 i, u32 j) { f64_lane(i, &v->w[0]); f64_lane(j == i ? 1000 : j, &v->w[2]); }
static const u32 int_edges[] = {0x00000000, 0xffffffff, 0x7fffffff, 0x80000000, 0x00000001, 0x7f7f7f7f, 0x80808080,
  0x7fff8000, 0x80007fff, 0x01ff00fe, 0xfffe0002, 0x12345678};
static void int_vector(v128 *v, u32 i) {
  for (u32 k = 0; k < 4; k++) v->w[k] = (i < COUNT_OF(int_edges)) ? int_edges[(i + 3 * k) % COUNT_OF(int_edges)] : rng_next();
}
static void out_v128(const char *key, const v128 *v) {
  out_c(' '); out_s(key); out_c('=');
  for (int k = 3; k >= 0; k--) { out_hex(v->w[k], 32); if (k) out_c('_'); }
}
`;

type Kind = 'f32' | 'f64' | 'int';

export interface SseForm {
  readonly label: string;
  /** The instruction; %[m] is the memory copy of b (aligned 16), xmm0 = a, xmm1 = b, eax = a.w[0]. */
  readonly insn: string;
  readonly kind: Kind;
  /** Random cases (int) or the edge grid (floats) plus this many random pairs. */
  readonly randoms?: number;
  /** MMX: mm0 = low qword of a, mm1 = low qword of b, mm0 is stored back into r.w[0..1]. */
  readonly mmx?: boolean;
}

function formFunction(form: SseForm): string {
  const mmxIn = form.mmx ? ['movq %[a], %%mm0', 'movq %[b], %%mm1'] : [];
  const mmxOut = form.mmx ? ['movq %%mm0, %[r]', 'emms'] : ['movdqu %%xmm0, %[r]'];
  const asm = asmLines(
    'ldmxcsr %[mx]',
    'movdqu %[a], %%xmm0',
    'movdqu %[b], %%xmm1',
    ...mmxIn,
    'pushl %[fin]',
    'popfl',
    form.insn,
    'pushfl',
    'popl %[fl]',
    ...mmxOut,
    'stmxcsr %[mxout]',
    'ldmxcsr %[mxdef]',
  );
  return `static void ${cName(form.label)}(const v128 *a, const v128 *b, u32 mx) {
  /* Static, so the 16-byte alignment holds whatever the stack's alignment (_start is not called by an ABI caller). */
  static v128 r, m;
  r = *a;
  m = *b;
  u32 mxout = 0, fl, fin = STATUS_FLAGS, mxdef = 0x1f80, eax = a->w[0];
  __asm__ volatile(${asm}
    : [r] "+m"(r), [mxout] "=m"(mxout), [fl] "=&r"(fl), "+a"(eax), [m] "+m"(m)
    : [a] "m"(*a), [b] "m"(*b), [mx] "m"(mx), [fin] "r"(fin), [mxdef] "m"(mxdef)
    : "memory", "cc");
  out_s(${cString(form.label)});
  out_kv("mx", mx, 16);
  out_v128("a", a);
  out_v128("b", b);
  out_s(" ->");
  out_v128("r", &r);
  out_kv("eax", eax, 32);
  out_kv("mx", mxout, 16);
  out_kv("f", fl & STATUS_FLAGS, 12);
  out_nl();
}`;
}

function formCall(form: SseForm): string {
  const f = cName(form.label);
  if (form.kind === 'int') {
    return `for (u32 i = 0; i < ${form.randoms ?? 40}; i++) { v128 a, b; int_vector(&a, i); int_vector(&b, i + 5); ${f}(&a, &b, 0x1f80); }`;
  }
  const edges = form.kind === 'f32' ? 'F32_EDGE_COUNT' : 'F64_EDGE_COUNT';
  return `for (u32 i = 0; i < ${edges} + ${form.randoms ?? 8}; i++)
    for (u32 j = 0; j < ${edges} + 4; j++) {
      v128 a, b;
      ${form.kind}_vector(&a, i, j);
      ${form.kind}_vector(&b, j, i);
      ${f}(&a, &b, mxcsr_values[(i + j) % COUNT_OF(mxcsr_values)]);
    }`;
}

function group(name: string, forms: readonly SseForm[]): Group {
  return {
    name,
    source: cProgram([MXCSR_VALUES_C, VALUES_C, ...forms.map(formFunction)], forms.map(formCall)),
  };
}

/** The register form and the memory form of one instruction. */
function both(mnemonic: string, kind: Kind, extra: Partial<SseForm> = {}, imm = ''): SseForm[] {
  const i = imm === '' ? '' : `${imm}, `;
  return [
    { label: `${mnemonic} ${imm}r`, insn: `${mnemonic} ${i}%%xmm1, %%xmm0`, kind, ...extra },
    { label: `${mnemonic} ${imm}m`, insn: `${mnemonic} ${i}%[m], %%xmm0`, kind, ...extra },
  ];
}

function floatArithmetic(suffixes: string[], kind: Kind): SseForm[] {
  const ops = ['add', 'sub', 'mul', 'div', 'min', 'max', 'sqrt'];
  return ops.flatMap((op) => suffixes.flatMap((s) => both(`${op}${s}`, kind)));
}

function compares(suffix: string, kind: Kind): SseForm[] {
  const forms = [0, 1, 2, 3, 4, 5, 6, 7].map(
    (p): SseForm => ({ label: `cmp${suffix} $${p}`, insn: `cmp${suffix} $${p}, %%xmm1, %%xmm0`, kind }),
  );
  forms.push({ label: `cmp${suffix} $1 m`, insn: `cmp${suffix} $1, %[m], %%xmm0`, kind });
  return forms;
}

const comis = (s: string, kind: Kind): SseForm[] => [...both(`comis${s}`, kind), ...both(`ucomis${s}`, kind)];

export const sseFloatGroups: readonly Group[] = [
  group('sse-float-single', [
    ...floatArithmetic(['ps', 'ss'], 'f32'),
    ...compares('ps', 'f32'),
    ...compares('ss', 'f32'),
    ...comis('s', 'f32'),
  ]),
  group('sse-float-double', [
    ...floatArithmetic(['pd', 'sd'], 'f64'),
    ...compares('pd', 'f64'),
    ...compares('sd', 'f64'),
    ...comis('d', 'f64'),
  ]),
];

export const sseConvertGroups: readonly Group[] = [
  group('sse-convert', [
    ...both('cvtss2sd', 'f32'),
    ...both('cvtps2pd', 'f32'),
    ...both('cvtps2dq', 'f32'),
    ...both('cvttps2dq', 'f32'),
    { label: 'cvtss2si', insn: 'cvtss2si %%xmm1, %%eax', kind: 'f32' },
    { label: 'cvttss2si', insn: 'cvttss2si %%xmm1, %%eax', kind: 'f32' },
    { label: 'cvttss2si m', insn: 'cvttss2si %[m], %%eax', kind: 'f32' },
    { label: 'cvtsi2ss', insn: 'cvtsi2ss %%eax, %%xmm0', kind: 'int' },
    { label: 'cvtsi2ss b', insn: 'movd %%xmm1, %%eax\n\tcvtsi2ss %%eax, %%xmm0', kind: 'f32' },
    { label: 'cvtsi2sd', insn: 'cvtsi2sd %%eax, %%xmm0', kind: 'int' },
    ...both('cvtdq2ps', 'int'),
    { label: 'cvtdq2ps f', insn: 'cvtdq2ps %%xmm1, %%xmm0', kind: 'f32' },
    ...both('cvtdq2pd', 'int'),
    ...both('cvtsd2ss', 'f64'),
    ...both('cvtpd2ps', 'f64'),
    ...both('cvtpd2dq', 'f64'),
    ...both('cvttpd2dq', 'f64'),
    { label: 'cvtsd2si', insn: 'cvtsd2si %%xmm1, %%eax', kind: 'f64' },
    { label: 'cvttsd2si', insn: 'cvttsd2si %%xmm1, %%eax', kind: 'f64' },
    { label: 'cvttsd2si m', insn: 'cvttsd2si %[m], %%eax', kind: 'f64' },
    { label: 'cvtpi2ps', insn: 'movdq2q %%xmm1, %%mm1\n\tcvtpi2ps %%mm1, %%xmm0\n\temms', kind: 'int' },
    { label: 'cvtpi2pd', insn: 'cvtpi2pd %[m], %%xmm0', kind: 'int' },
    { label: 'cvtps2pi', insn: 'cvtps2pi %%xmm1, %%mm0\n\tmovq2dq %%mm0, %%xmm0\n\temms', kind: 'f32' },
    { label: 'cvttpd2pi', insn: 'cvttpd2pi %%xmm1, %%mm0\n\tmovq2dq %%mm0, %%xmm0\n\temms', kind: 'f64' },
  ]),
];

const INT_OPS = [
  'paddb',
  'paddw',
  'paddd',
  'paddq',
  'paddsb',
  'paddsw',
  'paddusb',
  'paddusw',
  'psubb',
  'psubw',
  'psubd',
  'psubq',
  'psubsb',
  'psubsw',
  'psubusb',
  'psubusw',
  'pmullw',
  'pmulhw',
  'pmulhuw',
  'pmuludq',
  'pmaddwd',
  'pcmpeqb',
  'pcmpeqw',
  'pcmpeqd',
  'pcmpgtb',
  'pcmpgtw',
  'pcmpgtd',
  'pand',
  'pandn',
  'por',
  'pxor',
  'packsswb',
  'packssdw',
  'packuswb',
  'punpcklbw',
  'punpcklwd',
  'punpckldq',
  'punpckhbw',
  'punpckhwd',
  'punpckhdq',
  'pminub',
  'pmaxub',
  'pminsw',
  'pmaxsw',
  'pavgb',
  'pavgw',
  'psadbw',
];
const SHIFT_OPS = ['psllw', 'pslld', 'psllq', 'psrlw', 'psrld', 'psrlq', 'psraw', 'psrad'];
const SHIFT_COUNTS = [0, 1, 7, 15, 16, 31, 32, 63, 64, 200];

function shiftForms(mmx: boolean): SseForm[] {
  const reg = mmx ? 'mm0' : 'xmm0';
  const forms = SHIFT_OPS.flatMap((op) =>
    SHIFT_COUNTS.map(
      (n): SseForm => ({
        label: `${op} $${n}${mmx ? ' mmx' : ''}`,
        insn: `${op} $${n}, %%${reg}`,
        kind: 'int',
        randoms: 14,
        mmx,
      }),
    ),
  );
  // Count from a register: b's low qword (edges include huge counts).
  for (const op of SHIFT_OPS) {
    const src = mmx ? '%%mm1' : '%%xmm1';
    forms.push({
      label: `${op} r${mmx ? ' mmx' : ''}`,
      insn: `${op} ${src}, %%${reg}`,
      kind: 'int',
      randoms: 30,
      mmx,
    });
  }
  return forms;
}

const xmmShuffles: SseForm[] = [
  ...both('punpcklqdq', 'int'),
  ...both('punpckhqdq', 'int'),
  ...[0x1b, 0x00, 0xe4, 0x4e, 0xb1].flatMap((k) => both('pshufd', 'int', {}, `$${k}`)),
  ...[0x1b, 0xb1].flatMap((k) => [
    ...both('pshufhw', 'int', {}, `$${k}`),
    ...both('pshuflw', 'int', {}, `$${k}`),
  ]),
  ...[0x1b, 0x4e, 0xe4].flatMap((k) => both('shufps', 'int', {}, `$${k}`)),
  ...[0, 1, 2, 3].flatMap((k) => both('shufpd', 'int', {}, `$${k}`)),
  ...[
    'unpcklps',
    'unpckhps',
    'unpcklpd',
    'unpckhpd',
    'andps',
    'andnps',
    'orps',
    'xorps',
    'andpd',
    'andnpd',
    'orpd',
    'xorpd',
  ].flatMap((op) => both(op, 'int')),
  ...[1, 3, 8, 15, 16].flatMap((n): SseForm[] => [
    { label: `pslldq $${n}`, insn: `pslldq $${n}, %%xmm0`, kind: 'int' },
    { label: `psrldq $${n}`, insn: `psrldq $${n}, %%xmm0`, kind: 'int' },
  ]),
  { label: 'pmovmskb', insn: 'pmovmskb %%xmm1, %%eax', kind: 'int' },
  { label: 'movmskps', insn: 'movmskps %%xmm1, %%eax', kind: 'int' },
  { label: 'movmskpd', insn: 'movmskpd %%xmm1, %%eax', kind: 'int' },
  { label: 'pextrw $5', insn: 'pextrw $5, %%xmm1, %%eax', kind: 'int' },
  { label: 'pinsrw $6', insn: 'pinsrw $6, %%eax, %%xmm0', kind: 'int' },
  { label: 'pinsrw $2 m', insn: 'pinsrw $2, %[m], %%xmm0', kind: 'int' },
];

const moves: SseForm[] = [
  { label: 'movd to xmm', insn: 'movd %%eax, %%xmm0', kind: 'int' },
  { label: 'movd from xmm', insn: 'movd %%xmm1, %%eax', kind: 'int' },
  { label: 'movd m', insn: 'movd %[m], %%xmm0', kind: 'int' },
  { label: 'movq xmm,xmm', insn: 'movq %%xmm1, %%xmm0', kind: 'int' },
  { label: 'movq m,xmm', insn: 'movq %[m], %%xmm0', kind: 'int' },
  { label: 'movq xmm,m', insn: 'movq %%xmm1, %[m]\n\tmovdqa %[m], %%xmm0', kind: 'int' },
  { label: 'movss r', insn: 'movss %%xmm1, %%xmm0', kind: 'int' },
  { label: 'movss m', insn: 'movss %[m], %%xmm0', kind: 'int' },
  { label: 'movss store', insn: 'movss %%xmm0, %[m]\n\tmovaps %[m], %%xmm0', kind: 'int' },
  { label: 'movsd r', insn: 'movsd %%xmm1, %%xmm0', kind: 'int' },
  { label: 'movsd m', insn: 'movsd %[m], %%xmm0', kind: 'int' },
  { label: 'movsd store', insn: 'movsd %%xmm0, %[m]\n\tmovapd %[m], %%xmm0', kind: 'int' },
  { label: 'movlps', insn: 'movlps %[m], %%xmm0', kind: 'int' },
  { label: 'movhps', insn: 'movhps %[m], %%xmm0', kind: 'int' },
  { label: 'movlpd', insn: 'movlpd %[m], %%xmm0', kind: 'int' },
  { label: 'movhpd', insn: 'movhpd %[m], %%xmm0', kind: 'int' },
  { label: 'movhps store', insn: 'movhps %%xmm0, %[m]\n\tmovups %[m], %%xmm0', kind: 'int' },
  { label: 'movlpd store', insn: 'movlpd %%xmm0, %[m]\n\tmovupd %[m], %%xmm0', kind: 'int' },
  { label: 'movhlps', insn: 'movhlps %%xmm1, %%xmm0', kind: 'int' },
  { label: 'movlhps', insn: 'movlhps %%xmm1, %%xmm0', kind: 'int' },
  {
    label: 'movdqu store',
    insn: 'movdqu %%xmm0, %[m]\n\tpxor %%xmm0, %%xmm0\n\tmovdqu %[m], %%xmm0',
    kind: 'int',
  },
  { label: 'movntdq', insn: 'movntdq %%xmm1, %[m]\n\tsfence\n\tmovdqa %[m], %%xmm0', kind: 'int' },
  { label: 'movntps', insn: 'movntps %%xmm1, %[m]\n\tmfence\n\tmovaps %[m], %%xmm0', kind: 'int' },
  { label: 'movnti', insn: 'movnti %%eax, %[m]\n\tlfence\n\tmovdqa %[m], %%xmm0', kind: 'int' },
  {
    label: 'maskmovdqu',
    insn: 'pushl %%edi\n\tleal %[m], %%edi\n\tmaskmovdqu %%xmm0, %%xmm1\n\tpopl %%edi\n\tmovdqa %[m], %%xmm0',
    kind: 'int',
  },
];

const mmxForms: SseForm[] = [
  ...INT_OPS.filter((op) => !op.endsWith('qdq')).map(
    (op): SseForm => ({ label: `${op} mmx`, insn: `${op} %%mm1, %%mm0`, kind: 'int', mmx: true }),
  ),
  { label: 'paddb mmx m', insn: 'paddb %[m], %%mm0', kind: 'int', mmx: true },
  { label: 'pshufw', insn: 'pshufw $0x1b, %%mm1, %%mm0', kind: 'int', mmx: true },
  { label: 'pmovmskb mmx', insn: 'pmovmskb %%mm1, %%eax', kind: 'int', mmx: true },
  { label: 'pextrw mmx', insn: 'pextrw $3, %%mm1, %%eax', kind: 'int', mmx: true },
  { label: 'pinsrw mmx', insn: 'pinsrw $1, %%eax, %%mm0', kind: 'int', mmx: true },
  { label: 'movd mm', insn: 'movd %%eax, %%mm0', kind: 'int', mmx: true },
  { label: 'movd from mm', insn: 'movd %%mm1, %%eax', kind: 'int', mmx: true },
  { label: 'movq2dq', insn: 'movq2dq %%mm1, %%xmm0\n\tmovdq2q %%xmm0, %%mm0', kind: 'int', mmx: true },
  { label: 'movntq', insn: 'movntq %%mm1, %[m]\n\tmovq %[m], %%mm0', kind: 'int', mmx: true },
  {
    label: 'maskmovq',
    insn: 'pushl %%edi\n\tleal %[m], %%edi\n\tmaskmovq %%mm0, %%mm1\n\tpopl %%edi\n\tmovq %[m], %%mm0',
    kind: 'int',
    mmx: true,
  },
];

/** MMX and the x87 share registers: tags, TOP and the register images after MMX writes and EMMS. */
const MMX_X87_C = `
static void t_mmx_x87(const v128 *a) {
  u8 env1[28], env2[28], st[10];
  __asm__ volatile(
    "fninit\\n\\tfld1\\n\\tfldpi\\n\\tfldz\\n\\tmovq %[a], %%mm2\\n\\tfnstenv %[e1]\\n\\tfldenv %[e1]\\n\\t"
    "emms\\n\\tfnstenv %[e2]\\n\\tmovq %[a], %%mm1\\n\\tfstpt %[st]\\n\\tfninit"
    : [e1] "=m"(env1), [e2] "=m"(env2), [st] "=m"(st) : [a] "m"(*a) : "memory");
  out_s("mmx-x87"); out_v128("a", a); out_s(" ->");
  out_bytes("sw", env1 + 4, 2); out_bytes("tw", env1 + 8, 2); out_bytes("tw-emms", env2 + 8, 2);
  out_bytes("st0", st, 10); out_nl();
}
static void t_fxsave(const v128 *a, const v128 *b) {
  static u8 img[512] __attribute__((aligned(16)));
  u32 mx = 0x3fa0 | (a->w[0] & 0x8040);
  __asm__ volatile("fninit\\n\\tfld1\\n\\tmovq %[a], %%mm3\\n\\tldmxcsr %[mx]\\n\\tmovdqu %[a], %%xmm0\\n\\tmovdqu %[b], %%xmm7\\n\\t"
    "fxsave %[img]\\n\\tpxor %%xmm0, %%xmm0\\n\\tpxor %%xmm7, %%xmm7\\n\\tfxrstor %[img]\\n\\tmovdqu %%xmm0, %[a2]\\n\\t"
    "movdqu %%xmm7, %[b2]\\n\\temms\\n\\tfninit\\n\\tmovl $0x1f80, %[mx]\\n\\tldmxcsr %[mx]"
    : [img] "=m"(img), [mx] "+m"(mx), [a2] "=m"(*(v128 *)&img[480]), [b2] "=m"(*(v128 *)&img[496]) : [a] "m"(*a), [b] "m"(*b) : "memory");
  out_s("fxsave"); out_v128("a", a); out_v128("b", b); out_s(" ->");
  out_bytes("mxcsr", img + 24, 4); out_bytes("ftw", img + 4, 1); out_bytes("mm3", img + 32 + 16 * 3, 10);
  out_bytes("xmm0", img + 160, 16); out_bytes("xmm7", img + 160 + 7 * 16, 16);
  out_bytes("back", img + 480, 32); out_nl();
}`;

export const sseIntegerGroups: readonly Group[] = [
  group('sse2-integer', [
    ...INT_OPS.flatMap((op) => both(op, 'int')),
    ...shiftForms(false),
    ...xmmShuffles,
    ...moves,
  ]),
  group('mmx', [...mmxForms, ...shiftForms(true)]),
  {
    name: 'mmx-x87-fxsave',
    source: cProgram(
      [MXCSR_VALUES_C, VALUES_C, MMX_X87_C],
      [
        'for (u32 i = 0; i < 30; i++) { v128 a, b; int_vector(&a, i); int_vector(&b, i + 7); t_mmx_x87(&a); t_fxsave(&a, &b); }',
        '(void)mxcsr_values;',
      ],
    ),
  },
];
