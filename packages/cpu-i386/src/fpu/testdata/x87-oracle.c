/*
 * x87 oracle: runs every x87 instruction form in STUBS on the host CPU over many pseudo-random states and
 * prints the resulting state as hex lines. Test data of the cpu-i386 x87 unit (packages/cpu-i386/src/fpu);
 * x87.test.ts builds this with `gcc -m32 -ffreestanding -nostdlib -static`, runs it natively, generates the
 * same states with the same PRNG in TypeScript, runs them through the X87 class and compares line by line.
 *
 * Each stub loads a 108-byte FNSAVE image (frstor), sets EFLAGS, runs one instruction on a memory operand at
 * `mem`, then saves EFLAGS, AX and the FNSAVE image. Output:
 *   I <index> <memtype> <outbytes> <cases> <instruction bytes hex> <name>    once per stub
 *   <fcw> <fsw> <ftw> <st0> <st1> <st2> <mem[0..outbytes)> <eflags> <ax>     once per case
 * The instruction bytes come from the assembled stub itself, so the TypeScript side needs no opcode table.
 * The generator below (rnd, gen_ext, gen_mem, gen_state) must stay identical to x87-oracle-inputs.ts.
 */
typedef unsigned int u32;
typedef unsigned short u16;
typedef unsigned char u8;

u8 img[112] __attribute__((aligned(16)));
u8 mem[512] __attribute__((aligned(16)));
u32 flags_in, flags_out, ax_out;

/* memory operand kinds, shared with the TypeScript generator */
/* M_TINY: no memory operand; ST(0) and ST(1) are replaced by values at the edge of the normal range (gen_tiny). */
enum { M_NONE, M_I16, M_I32, M_I64, M_F32, M_F64, M_F80, M_BCD, M_CW, M_TINY };

#define STUB(n, insn)                                                                                      \
  __asm__(".text\n.globl stub" #n "\nstub" #n ":\n"                                                        \
          "xorl %eax, %eax\nmovl $mem, %edx\npushl flags_in\npopfl\nfrstor img\n"                          \
          ".globl istart" #n "\nistart" #n ":\n" insn "\n.globl iend" #n "\niend" #n ":\n"                 \
          "pushfl\npopl flags_out\nmovl %eax, ax_out\nfnsave img\nret\n");                                \
  extern void stub##n(void);                                                                               \
  extern const u8 istart##n[], iend##n[];

#define STUBS(X)                                                                                           \
  X(0, "fadds (%edx)", M_F32, 0, 2000) X(1, "faddl (%edx)", M_F64, 0, 2000)                                \
  X(2, "fiadds (%edx)", M_I16, 0, 500) X(3, "fiaddl (%edx)", M_I32, 0, 1000)                               \
  X(4, "fmuls (%edx)", M_F32, 0, 2000) X(5, "fmull (%edx)", M_F64, 0, 2000)                                \
  X(6, "fimuls (%edx)", M_I16, 0, 500) X(7, "fimull (%edx)", M_I32, 0, 1000)                               \
  X(8, "fsubs (%edx)", M_F32, 0, 1000) X(9, "fsubl (%edx)", M_F64, 0, 2000)                                \
  X(10, "fisubs (%edx)", M_I16, 0, 500) X(11, "fisubl (%edx)", M_I32, 0, 500)                              \
  X(12, "fsubrs (%edx)", M_F32, 0, 1000) X(13, "fsubrl (%edx)", M_F64, 0, 1000)                            \
  X(14, "fisubrs (%edx)", M_I16, 0, 500) X(15, "fisubrl (%edx)", M_I32, 0, 500)                            \
  X(16, "fdivs (%edx)", M_F32, 0, 2000) X(17, "fdivl (%edx)", M_F64, 0, 2000)                              \
  X(18, "fidivs (%edx)", M_I16, 0, 500) X(19, "fidivl (%edx)", M_I32, 0, 1000)                             \
  X(20, "fdivrs (%edx)", M_F32, 0, 1000) X(21, "fdivrl (%edx)", M_F64, 0, 1000)                            \
  X(22, "fidivrs (%edx)", M_I16, 0, 500) X(23, "fidivrl (%edx)", M_I32, 0, 500)                            \
  X(24, "fcoms (%edx)", M_F32, 0, 1000) X(25, "fcoml (%edx)", M_F64, 0, 1000)                              \
  X(26, "fcomps (%edx)", M_F32, 0, 500) X(27, "fcompl (%edx)", M_F64, 0, 500)                              \
  X(28, "ficoms (%edx)", M_I16, 0, 500) X(29, "ficoml (%edx)", M_I32, 0, 500)                              \
  X(30, "ficomps (%edx)", M_I16, 0, 500) X(31, "ficompl (%edx)", M_I32, 0, 500)                            \
  X(32, ".byte 0xd8, 0xc1", M_NONE, 0, 3000) X(33, ".byte 0xdc, 0xc1", M_NONE, 0, 1000)                     \
  X(34, ".byte 0xde, 0xc1", M_NONE, 0, 1000) X(35, ".byte 0xd8, 0xc9", M_NONE, 0, 3000)                     \
  X(36, ".byte 0xdc, 0xc9", M_NONE, 0, 1000) X(37, ".byte 0xde, 0xc9", M_NONE, 0, 1000)                     \
  X(38, ".byte 0xd8, 0xe1", M_NONE, 0, 3000) X(39, ".byte 0xd8, 0xe9", M_NONE, 0, 1000)                     \
  X(40, ".byte 0xdc, 0xe1", M_NONE, 0, 1000) X(41, ".byte 0xdc, 0xe9", M_NONE, 0, 1000)                     \
  X(42, ".byte 0xde, 0xe1", M_NONE, 0, 1000) X(43, ".byte 0xde, 0xe9", M_NONE, 0, 1000)                     \
  X(44, ".byte 0xd8, 0xf1", M_NONE, 0, 3000) X(45, ".byte 0xd8, 0xf9", M_NONE, 0, 1000)                     \
  X(46, ".byte 0xdc, 0xf1", M_NONE, 0, 1000) X(47, ".byte 0xdc, 0xf9", M_NONE, 0, 1000)                     \
  X(48, ".byte 0xde, 0xf1", M_NONE, 0, 1000) X(49, ".byte 0xde, 0xf9", M_NONE, 0, 1000)                     \
  X(50, ".byte 0xd8, 0xd1", M_NONE, 0, 1000) X(51, ".byte 0xd8, 0xd9", M_NONE, 0, 500)                      \
  X(52, ".byte 0xde, 0xd9", M_NONE, 0, 500) X(53, ".byte 0xdd, 0xe1", M_NONE, 0, 1000)                      \
  X(54, ".byte 0xdd, 0xe9", M_NONE, 0, 500) X(55, ".byte 0xda, 0xe9", M_NONE, 0, 500)                       \
  X(56, ".byte 0xdb, 0xf1", M_NONE, 0, 1000) X(57, ".byte 0xdf, 0xf1", M_NONE, 0, 500)                      \
  X(58, ".byte 0xdb, 0xe9", M_NONE, 0, 1000) X(59, ".byte 0xdf, 0xe9", M_NONE, 0, 500)                      \
  X(60, "ftst", M_NONE, 0, 500) X(61, "fxam", M_NONE, 0, 1000) X(62, "fchs", M_NONE, 0, 300)               \
  X(63, "fabs", M_NONE, 0, 300) X(64, "flds (%edx)", M_F32, 0, 1000) X(65, "fldl (%edx)", M_F64, 0, 1000)  \
  X(66, "fldt (%edx)", M_F80, 0, 500) X(67, "filds (%edx)", M_I16, 0, 300)                                 \
  X(68, "fildl (%edx)", M_I32, 0, 500) X(69, "fildll (%edx)", M_I64, 0, 1000)                              \
  X(70, "fbld (%edx)", M_BCD, 0, 500) X(71, "fld %st(1)", M_NONE, 0, 300) X(72, "fld1", M_NONE, 0, 100)    \
  X(73, "fldl2t", M_NONE, 0, 200) X(74, "fldl2e", M_NONE, 0, 200) X(75, "fldpi", M_NONE, 0, 200)           \
  X(76, "fldlg2", M_NONE, 0, 200) X(77, "fldln2", M_NONE, 0, 200) X(78, "fldz", M_NONE, 0, 100)            \
  X(79, "fsts (%edx)", M_NONE, 4, 2000) X(80, "fstl (%edx)", M_NONE, 8, 2000)                              \
  X(81, "fstps (%edx)", M_NONE, 4, 500) X(82, "fstpl (%edx)", M_NONE, 8, 500)                              \
  X(83, "fstpt (%edx)", M_NONE, 10, 500) X(84, "fists (%edx)", M_NONE, 2, 1000)                            \
  X(85, "fistl (%edx)", M_NONE, 4, 1000) X(86, "fistps (%edx)", M_NONE, 2, 500)                            \
  X(87, "fistpl (%edx)", M_NONE, 4, 500) X(88, "fistpll (%edx)", M_NONE, 8, 2000)                          \
  X(89, "fisttps (%edx)", M_NONE, 2, 500) X(90, "fisttpl (%edx)", M_NONE, 4, 500)                          \
  X(91, "fisttpll (%edx)", M_NONE, 8, 500) X(92, "fbstp (%edx)", M_NONE, 10, 1000)                         \
  X(93, "fst %st(1)", M_NONE, 0, 200) X(94, "fstp %st(1)", M_NONE, 0, 200) X(95, "fxch %st(1)", M_NONE, 0, 300) \
  X(96, "fsqrt", M_NONE, 0, 3000) X(97, "fscale", M_NONE, 0, 2000) X(98, "fxtract", M_NONE, 0, 1000)       \
  X(99, "fprem", M_NONE, 0, 2000) X(100, "fprem1", M_NONE, 0, 2000) X(101, "frndint", M_NONE, 0, 2000)     \
  X(102, "fincstp", M_NONE, 0, 100) X(103, "fdecstp", M_NONE, 0, 100) X(104, "ffree %st(1)", M_NONE, 0, 100) \
  X(105, "fnop", M_NONE, 0, 100) X(106, "fnclex", M_NONE, 0, 200) X(107, "fninit", M_NONE, 0, 100)        \
  X(108, "fcmovb %st(1), %st", M_NONE, 0, 200) X(109, "fcmove %st(1), %st", M_NONE, 0, 200)                \
  X(110, "fcmovbe %st(1), %st", M_NONE, 0, 200) X(111, "fcmovu %st(1), %st", M_NONE, 0, 200)               \
  X(112, "fcmovnb %st(1), %st", M_NONE, 0, 200) X(113, "fcmovne %st(1), %st", M_NONE, 0, 200)              \
  X(114, "fcmovnbe %st(1), %st", M_NONE, 0, 200) X(115, "fcmovnu %st(1), %st", M_NONE, 0, 200)             \
  X(116, "fnstsw %ax", M_NONE, 0, 200) X(117, "fnstsw (%edx)", M_NONE, 2, 200)                             \
  X(118, "fnstcw (%edx)", M_NONE, 2, 200) X(119, "fldcw (%edx)", M_CW, 0, 500)                             \
  X(120, "fnstenv (%edx)", M_NONE, 12, 300) X(121, "fnsave (%edx)", M_NONE, 12, 100)                       \
  X(122, "ffreep %st(1)", M_NONE, 0, 100) X(123, "fstp %st(3)", M_NONE, 0, 100)                           \
  X(124, "fsin", M_NONE, 0, 1500) X(125, "fcos", M_NONE, 0, 1500) X(126, "fsincos", M_NONE, 0, 1000)      \
  X(127, "fptan", M_NONE, 0, 1500) X(128, "fpatan", M_NONE, 0, 1500) X(129, "f2xm1", M_NONE, 0, 1500)     \
  X(130, "fyl2x", M_NONE, 0, 1500) X(131, "fyl2xp1", M_NONE, 0, 1500)                                    \
  X(132, "data16 fnstenv (%edx)", M_NONE, 6, 300) X(133, "data16 fnsave (%edx)", M_NONE, 6, 100)         \
  X(134, "fxsave (%edx)", M_NONE, 6, 300) X(135, "fdivrl (%edx)", M_F64, 0, 1000)                       \
  X(136, ".byte 0xd8, 0xc1", M_TINY, 0, 1500) X(137, ".byte 0xd8, 0xe1", M_TINY, 0, 1000)                 \
  X(138, ".byte 0xd8, 0xe9", M_TINY, 0, 1000) X(139, ".byte 0xd8, 0xc9", M_TINY, 0, 1500)                 \
  X(140, ".byte 0xd8, 0xf1", M_TINY, 0, 1500) X(141, ".byte 0xd8, 0xf9", M_TINY, 0, 1000)                 \
  X(142, "fsts (%edx)", M_TINY, 4, 1500) X(143, "fstl (%edx)", M_TINY, 8, 1500)                           \
  X(144, "fsin", M_TINY, 0, 500) X(145, "fptan", M_TINY, 0, 500)

#define DEFINE(n, insn, mt, ob, cases) STUB(n, insn)
STUBS(DEFINE)

struct stub {
  void (*fn)(void);
  const u8 *start, *end;
  const char *name;
  int memtype, outbytes, cases;
};
#define ENTRY(n, insn, mt, ob, c) {stub##n, istart##n, iend##n, insn, mt, ob, c},
static const struct stub stubs[] = {STUBS(ENTRY)};

/* ---- output ---- */
static char buf[1 << 16];
static int used;

static void flush(void) {
  int r;
  __asm__ volatile("int $0x80" : "=a"(r) : "a"(4), "b"(1), "c"(buf), "d"(used) : "memory");
  used = 0;
}
static void putc_(char c) {
  if (used == sizeof buf) flush();
  buf[used++] = c;
}
static void puts_(const char *s) {
  while (*s) putc_(*s++);
}
static void hex(u32 v, int digits) {
  for (int i = digits - 1; i >= 0; i--) putc_("0123456789abcdef"[(v >> (4 * i)) & 15]);
}
static void dec(u32 v) {
  char t[12];
  int n = 0;
  do t[n++] = '0' + v % 10; while (v /= 10);
  while (n) putc_(t[--n]);
}

/* ---- the generator (mirrored in x87-oracle-inputs.ts) ---- */
static u32 s = 0x2545f491;
static u32 rnd(void) {
  s ^= s << 13;
  s ^= s >> 17;
  s ^= s << 5;
  return s;
}

struct ext { u32 sign, exp, hi, lo; };

static void gen_ext(struct ext *x, const struct ext *near) {
  u32 c = rnd() % 24;
  x->sign = rnd() & 1;
  x->hi = 0x80000000 | rnd();
  x->lo = rnd();
  x->exp = 16383 - 40 + rnd() % 80;
  switch (c) {
  case 0: x->exp = 0; x->hi = 0; x->lo = 0; break;
  case 1: x->exp = 0; x->hi &= 0x7fffffff >> (rnd() % 32); break;
  case 2: x->exp = 0x7fff; x->hi = 0x80000000; x->lo = 0; break;
  case 3: x->exp = 0x7fff; x->hi |= 0x40000000; break;
  case 4: x->exp = 0x7fff; x->hi &= 0xbfffffff; x->lo |= 1; break;
  case 5: x->exp = 0x7ffe - rnd() % 4; break;
  case 6: x->exp = 1 + rnd() % 4; break;
  case 7: x->exp = 16383 + rnd() % 16; x->hi &= 0xfff00000; x->lo = 0; break;
  case 8: x->exp = rnd() % 0x7fff; x->hi &= 0x7fffffff; break; /* unnormal / pseudo-denormal */
  case 9: x->exp = 16383 + rnd() % 64 - 32; x->hi = 0x80000000; x->lo = 0; break;
  case 10: x->hi = 0xffffffff; x->lo = 0xffffffff << (rnd() % 32); break;
  case 11: x->hi = 0x80000000; x->lo = rnd() & 0x00000fff; break;
  case 12: case 13: case 14:
    if (near) { x->exp = near->exp + rnd() % 3 - 1; x->hi = near->hi; x->lo = near->lo ^ (rnd() & 0xfff); }
    break;
  case 15: x->exp = 16383 - 2 + rnd() % 68; break;
  case 16: x->exp = 16383 - 1 - rnd() % 8; break;
  case 17: x->exp = 16383 - 16000 + rnd() % 32000; break;
  case 18: x->exp = 16383 - 64 - rnd() % 16384; break;
  case 19: x->exp = 1 + rnd() % 128; break;
  default: break;
  }
}

static void put32(u8 *p, u32 v) { p[0] = v; p[1] = v >> 8; p[2] = v >> 16; p[3] = v >> 24; }
static void put16(u8 *p, u32 v) { p[0] = v; p[1] = v >> 8; }
static u32 get16(const u8 *p) { return p[0] | (p[1] << 8); }
static u32 get32(const u8 *p) { return get16(p) | (get16(p + 2) << 16); }
static void put_ext(u8 *p, const struct ext *x) {
  put32(p, x->lo);
  put32(p + 4, x->hi);
  put16(p + 8, (x->sign << 15) | x->exp);
}

static u32 gen_int32(void) {
  u32 c = rnd() % 4;
  u32 v = rnd();
  if (c == 0) return v % 41 - 20;
  if (c == 1) return v >> (rnd() % 32);
  return v;
}

static u32 gen_float_bits(int is_double_hi) {
  u32 c = rnd() % 8;
  u32 v = rnd();
  u32 expmask = is_double_hi ? 0x7ff00000 : 0x7f800000;
  if (c == 0) return v & 0x80000000;
  if (c == 1) return v & (0x80000000 | ~expmask) & (is_double_hi ? 0x800fffff : 0x807fffff);
  if (c == 2) return (v & ~expmask) | expmask;
  if (c == 3) return (v & (is_double_hi ? 0x800fffff : 0x807fffff)) | (is_double_hi ? 0x3ff00000 : 0x3f800000);
  return v;
}

/*
 * ST(0) at or just below the smallest normal of a format (t: its biased extended exponent), times 2^shift:
 * significands whose rounding at 24, 53 or 64 bits does or does not carry into the smallest normal (ties
 * included). Exponent 0 becomes the denormal of that value (less its lowest bit).
 */
static void gen_boundary(struct ext *x, u32 t, u32 shift) {
  u32 k = rnd() % 8;
  x->sign = rnd() & 1;
  x->exp = t - 1 + shift;
  x->hi = 0xffffffff;
  x->lo = 0xffffffff;
  switch (k) {
  case 0: x->exp = t + shift; x->hi = 0x80000000; x->lo = 0; break;
  case 1: break;
  case 2: x->hi = 0xffffff00 | (rnd() & 0xff); x->lo = rnd(); break;
  case 3: x->lo = 0xfffff800 | (rnd() & 0x7ff); break;
  case 4: x->hi = 0xffffff80; x->lo = 0; break;
  case 5: x->lo = 0xfffffc00; break;
  case 6: x->hi = 0xffffff00 | (rnd() & 0x7f); x->lo = rnd(); break;
  default: x->exp = t + shift; x->hi = 0x80000000 | (rnd() & 0xff); x->lo = rnd(); break;
  }
  if (x->exp == 0) { x->lo = (x->lo >> 1) | (x->hi << 31); x->hi >>= 1; }
}
/* ST(1): an operand that moves ST(0) across the boundary or not (zero, 1, 1 ± ulp, a neighbour, ...) / 2^shift. */
static void gen_factor(struct ext *x, const struct ext *a, u32 shift) {
  u32 k = rnd() % 8;
  x->sign = rnd() & 1;
  x->exp = 16383 - shift;
  x->hi = 0x80000000;
  x->lo = 0;
  switch (k) {
  case 0: x->exp = 0; x->hi = 0; break;
  case 1: break;
  case 2: x->lo = 1; break;
  case 3: x->exp = 16382 - shift; x->hi = 0xffffffff; x->lo = 0xffffffff; break;
  case 4: x->exp = 0; x->hi = 0; x->lo = 1; break;
  case 5: x->exp = a->exp; x->hi = a->hi; x->lo = a->lo ^ (rnd() & 0xfff); break;
  case 6: x->exp = 16382 - shift + rnd() % 3; break;
  default: x->hi = 0x80000000 | rnd(); x->lo = rnd(); break;
  }
}
/* Overwrites ST(0) and ST(1) of the image (tagged valid); UE is unmasked (and not pending) half of the time. */
static void gen_tiny(void) {
  static const u32 targets[3] = {1, 16383 - 126, 16383 - 1022};
  u32 t = targets[rnd() % 3];
  u32 shift = rnd() % 2 ? 0 : 32;
  struct ext a, b;
  gen_boundary(&a, t, shift);
  gen_factor(&b, &a, shift);
  u32 sw = get16(img + 4);
  u32 top = (sw >> 11) & 7;
  put_ext(img + 28, &a);
  put_ext(img + 38, &b);
  put16(img + 8, get16(img + 8) & ~(3u << (2 * top)) & ~(3u << (2 * ((top + 1) & 7))));
  if (rnd() % 2) {
    put16(img, get16(img) & ~0x10u);
    put16(img + 4, sw & ~0x10u);
  }
}
static void gen_mem(int memtype, const struct ext *st0) {
  for (int i = 0; i < 16; i++) mem[i] = 0;
  switch (memtype) {
  case M_I16: put16(mem, gen_int32()); break;
  case M_I32: put32(mem, gen_int32()); break;
  case M_I64: { u32 lo = gen_int32(); u32 hi = rnd() % 3 == 0 ? (lo & 0x80000000 ? 0xffffffff : 0) : gen_int32();
    put32(mem, lo); put32(mem + 4, hi); break; }
  case M_F32: put32(mem, gen_float_bits(0)); break;
  case M_F64: { u32 hi = gen_float_bits(1); put32(mem + 4, hi); put32(mem, rnd() % 4 == 0 ? 0 : rnd()); break; }
  case M_F80: { struct ext x; gen_ext(&x, st0); put_ext(mem, &x); break; }
  case M_BCD: {
    for (int i = 0; i < 9; i++) { u32 r = rnd(); mem[i] = ((r % 10) << 4) | ((r >> 8) % 10); if (r % 64 == 0) mem[i] = r >> 16; }
    mem[9] = rnd() & 0x80; break; }
  case M_CW: put16(mem, (rnd() & 0x0f3f) | 0x40); break;
  case M_TINY: gen_tiny(); break;
  }
}

/* Fills img with a random FNSAVE image: control word, status word, tags and the eight registers. */
static void gen_state(struct ext *st0) {
  u32 r = rnd();
  static const u32 pcs[4] = {0, 2, 3, 3};
  u32 masks = (r & 0x70) == 0 ? (r >> 8) & 0x3f : 0x3f;
  u32 cw = 0x40 | masks | (pcs[r & 3] << 8) | (((r >> 2) & 3) << 10);
  u32 top = (r >> 16) & 7;
  u32 sw = ((r >> 20) & 0x4700) | (top << 11);
  if ((r >> 28) == 0) sw |= (rnd() & 0x7f) & masks;
  u32 tag = 0;
  for (int i = 0; i < 112; i++) img[i] = 0;
  struct ext x, prev;
  for (int i = 0; i < 8; i++) {
    gen_ext(&x, i == 1 ? &prev : 0);
    if (i == 0) { prev = x; *st0 = x; }
    put_ext(img + 28 + 10 * i, &x);
    u32 e = rnd() % 32;
    int empty = i == 0 ? e == 0 : i == 1 ? e == 1 : i == 7 ? e >= 4 : (e & 1);
    if (empty) tag |= 3u << (2 * ((top + i) & 7));
  }
  put32(img, 0xffff0000 | cw);
  put32(img + 4, 0xffff0000 | sw);
  put32(img + 8, 0xffff0000 | tag);
  flags_in = 0x202 | (rnd() & 0x45);
}


static void print_reg(int i) {
  const u8 *p = img + 28 + 10 * i;
  hex(get16(p + 8), 4);
  hex(get32(p + 4), 8);
  hex(get32(p), 8);
}

void _start(void) {
  for (u32 n = 0; n < sizeof stubs / sizeof stubs[0]; n++) {
    const struct stub *t = &stubs[n];
    puts_("I ");
    dec(n);
    putc_(' ');
    dec(t->memtype);
    putc_(' ');
    dec(t->outbytes);
    putc_(' ');
    dec(t->cases);
    putc_(' ');
    for (const u8 *b = t->start; b < t->end; b++) hex(*b, 2);
    putc_(' ');
    puts_(t->name);
    putc_('\n');
    for (int c = 0; c < t->cases; c++) {
      struct ext st0;
      gen_state(&st0);
      gen_mem(t->memtype, &st0);
      t->fn();
      hex(get16(img), 4);
      putc_(' ');
      hex(get16(img + 4), 4);
      putc_(' ');
      hex(get16(img + 8), 4);
      for (int i = 0; i < 3; i++) { putc_(' '); print_reg(i); }
      putc_(' ');
      for (int i = 0; i < t->outbytes; i++) hex(mem[i], 2);
      putc_(' ');
      hex(flags_out & 0x8d5, 4);
      putc_(' ');
      hex(ax_out & 0xffff, 4);
      putc_('\n');
    }
  }
  flush();
  __asm__ volatile("int $0x80" : : "a"(1), "b"(0));
  for (;;) {}
}
