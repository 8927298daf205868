/*
 * runtime.h: the freestanding runtime every generated differential test program includes (no libc).
 * It gives: int $0x80 write/exit, a buffered hex printer, a seeded PRNG, tables of edge operand values,
 * the STATE_RUN macro that runs an instruction with every general register and EFLAGS loaded from a
 * struct, and _start. The same binary runs on the host CPU (the oracle) and on the emulated CPU through
 * tests/cpu/harness/run-emulated.ts; both outputs must be identical text.
 */
typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef signed char s8;
typedef short s16;
typedef int s32;
typedef long long s64;

/* EFLAGS bits, named as in the Intel SDM vol. 1, 3.4.3. */
#define CF 0x0001u
#define PF 0x0004u
#define AF 0x0010u
#define ZF 0x0040u
#define SF 0x0080u
#define TF 0x0100u
#define IF 0x0200u
#define DF 0x0400u
#define OF 0x0800u
#define STATUS_FLAGS (CF | PF | AF | ZF | SF | OF)

/* Linux i386 syscall numbers (arch/x86/entry/syscalls/syscall_32.tbl). */
#define SYS_exit 1
#define SYS_write 4

static void sys_write(const void *buf, u32 len) {
  u32 ret;
  __asm__ volatile("int $0x80" : "=a"(ret) : "a"(SYS_write), "b"(1), "c"(buf), "d"(len) : "memory");
}

static void __attribute__((noreturn)) sys_exit(u32 code) {
  __asm__ volatile("int $0x80" : : "a"(SYS_exit), "b"(code));
  __builtin_unreachable();
}

/* gcc may emit calls to these even in freestanding code (struct and array initialisation). */
void *memset(void *dst, int c, u32 n) {
  u8 *d = dst;
  while (n--) *d++ = (u8)c;
  return dst;
}
void *memcpy(void *dst, const void *src, u32 n) {
  u8 *d = dst;
  const u8 *s = src;
  while (n--) *d++ = *s++;
  return dst;
}

/* ---- output: one write per line ---- */
static char out_buf[16384];
static u32 out_len;
static u32 out_lines;

static void out_flush(void) {
  if (out_len) sys_write(out_buf, out_len);
  out_len = 0;
}
static void out_c(char c) {
  if (out_len == sizeof out_buf) out_flush();
  out_buf[out_len++] = c;
}
static void out_s(const char *s) {
  while (*s) out_c(*s++);
}
/* `bits` / 4 hex digits: a byte prints as 2 digits, a dword as 8. */
static void out_hex(u32 v, int bits) {
  for (int shift = bits - 4; shift >= 0; shift -= 4) out_c("0123456789abcdef"[(v >> shift) & 15]);
}
/* " key=value" */
static void out_kv(const char *key, u32 v, int bits) {
  out_c(' ');
  out_s(key);
  out_c('=');
  out_hex(v, bits);
}
static void out_bytes(const char *key, const void *p, u32 n) {
  const u8 *b = p;
  out_c(' ');
  out_s(key);
  out_c('=');
  for (u32 i = 0; i < n; i++) out_hex(b[i], 8);
}
/* Each line is written at once, so when the emulated CPU faults the next line of the host's output names
 * the case that faulted. */
static void out_nl(void) {
  out_c('\n');
  out_lines++;
  out_flush();
}

/* ---- operands: edge values first, then seeded pseudo-random ones ---- */
static u32 rng_state = 0x2545f491u;
/* xorshift32 (Marsaglia 2003): deterministic, so native and emulated runs see the same operands. */
static u32 rng_next(void) {
  u32 x = rng_state;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return rng_state = x;
}

static const u32 edges8[] = {0x00, 0x01, 0x02, 0x0f, 0x10, 0x3f, 0x40, 0x7e, 0x7f, 0x80, 0x81, 0xc0, 0xfe, 0xff};
static const u32 edges16[] = {0x0000, 0x0001, 0x0002, 0x00ff, 0x0100, 0x7ffe, 0x7fff, 0x8000, 0x8001, 0xfffe, 0xffff};
static const u32 edges32[] = {0x00000000, 0x00000001, 0x00000002, 0x0000ffff, 0x00010000, 0x7ffffffe,
                              0x7fffffff, 0x80000000, 0x80000001, 0xfffffffe, 0xffffffff};
#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

static u32 width_mask(int bits) { return bits == 32 ? 0xffffffffu : (1u << bits) - 1; }

/* The i-th operand of width `bits`: edges, then random values (a quarter of them with few bits set). */
static u32 operand(int bits, u32 i) {
  const u32 *edges = bits == 8 ? edges8 : bits == 16 ? edges16 : edges32;
  u32 n = bits == 8 ? COUNT_OF(edges8) : bits == 16 ? COUNT_OF(edges16) : COUNT_OF(edges32);
  if (i < n) return edges[i];
  u32 r = rng_next();
  if ((i & 3) == 0) r &= rng_next() & rng_next();
  return r & width_mask(bits);
}
static u32 edge_count(int bits) {
  return bits == 8 ? COUNT_OF(edges8) : bits == 16 ? COUNT_OF(edges16) : COUNT_OF(edges32);
}

/* ---- STATE_RUN: run `body` with eax..edi (not esp) and EFLAGS from a struct, and store them back ---- */
struct state {
  u32 eax, ecx, edx, ebx, esp_unused, ebp, esi, edi, eflags;
};
/*
 * The struct pointer travels in eax and is parked on the stack while the body runs. ebp is saved by hand
 * since gcc may not list it as a clobber. The body may use the stack if it leaves ESP as it found it.
 * DF is cleared again afterwards, as the C ABI requires.
 */
#define STATE_RUN(st, body)                                                                              \
  do {                                                                                                   \
    struct state *st_ptr_ = (st);                                                                        \
    __asm__ volatile("pushl %%ebp\n\t"                                                                   \
                     "pushl %%eax\n\t"                                                                   \
                     "movl 4(%%eax), %%ecx\n\tmovl 8(%%eax), %%edx\n\tmovl 12(%%eax), %%ebx\n\t"         \
                     "movl 20(%%eax), %%ebp\n\tmovl 24(%%eax), %%esi\n\tmovl 28(%%eax), %%edi\n\t"       \
                     "pushl 32(%%eax)\n\tpopfl\n\t"                                                      \
                     "movl 0(%%eax), %%eax\n\t" body "\n\t"                                              \
                     "pushfl\n\tcld\n\t"                                                                 \
                     "xchgl %%eax, 4(%%esp)\n\t"                                                         \
                     "movl %%ecx, 4(%%eax)\n\tmovl %%edx, 8(%%eax)\n\tmovl %%ebx, 12(%%eax)\n\t"         \
                     "movl %%ebp, 20(%%eax)\n\tmovl %%esi, 24(%%eax)\n\tmovl %%edi, 28(%%eax)\n\t"       \
                     "popl 32(%%eax)\n\tpopl 0(%%eax)\n\tpopl %%ebp"                                      \
                     : "+a"(st_ptr_)                                                                     \
                     :                                                                                   \
                     : "ebx", "ecx", "edx", "esi", "edi", "memory", "cc");                             \
  } while (0)

static void out_state(const struct state *s) {
  out_kv("eax", s->eax, 32);
  out_kv("ecx", s->ecx, 32);
  out_kv("edx", s->edx, 32);
  out_kv("ebx", s->ebx, 32);
  out_kv("ebp", s->ebp, 32);
  out_kv("esi", s->esi, 32);
  out_kv("edi", s->edi, 32);
}

/* ---- entry ---- */
static void run_tests(void);

void __attribute__((noreturn, used)) _start(void) {
  run_tests();
  out_s("end lines=");
  out_hex(out_lines, 32);
  out_nl();
  out_flush();
  sys_exit(0);
}

/* ---- iteration over operands: every generated test function is called through these ---- */
/* Each case runs once with all status flags clear and once with all set, so a flag an instruction must
 * leave alone, or must read (CF for adc), is exercised both ways. */
static const u32 flag_inputs[] = {0, STATUS_FLAGS};
typedef void (*unary_fn)(u32 a, u32 fin);
typedef void (*binary_fn)(u32 a, u32 b, u32 fin);

/* Edge values then `randoms` pseudo-random ones, each with every flag input. */
static void each_value(int bits, u32 randoms, unary_fn fn) {
  for (u32 i = 0; i < edge_count(bits) + randoms; i++) {
    u32 a = operand(bits, i);
    for (u32 f = 0; f < COUNT_OF(flag_inputs); f++) fn(a, flag_inputs[f]);
  }
}

/* Every pair of edge values, then `randoms` pseudo-random pairs, each with every flag input. */
static void each_pair(int bits, u32 randoms, binary_fn fn) {
  u32 n = edge_count(bits);
  for (u32 i = 0; i < n + randoms; i++) {
    for (u32 j = 0; j < (i < n ? n : 1); j++) {
      u32 a = operand(bits, i);
      u32 b = i < n ? operand(bits, j) : operand(bits, n);
      for (u32 f = 0; f < COUNT_OF(flag_inputs); f++) fn(a, b, flag_inputs[f]);
    }
  }
}

/* Junk above the operand in a register, so a write that spills past an 8/16-bit operand shows up. */
static u32 with_junk(u32 v, int bits) { return (v & width_mask(bits)) | (0xa5a5a5a5u & ~width_mask(bits)); }

/* "name a=.. b=.. f=... -> r=........ f=..." */
static void report(const char *name, int bits, u32 a, u32 b, u32 fin, u32 r, u32 fout) {
  out_s(name);
  out_kv("a", a, bits);
  out_kv("b", b, bits);
  out_kv("f", fin, 12);
  out_s(" ->");
  out_kv("r", r, 32);
  out_kv("f", fout, 12);
  out_nl();
}

/* As report(), but prints r=undef when the SDM leaves the destination undefined for these inputs. */
static void report_dest(const char *name, int bits, u32 a, u32 b, u32 fin, u32 r, int r_undefined, u32 fout) {
  out_s(name);
  out_kv("a", a, bits);
  out_kv("b", b, bits);
  out_kv("f", fin, 12);
  out_s(" ->");
  if (r_undefined) out_s(" r=undef");
  else out_kv("r", r, 32);
  out_kv("f", fout, 12);
  out_nl();
}

/* ---- iteration for shifts: a value, a count, flags ---- */
typedef void (*count_fn)(u32 a, u32 count, u32 fin);
typedef void (*count_pair_fn)(u32 a, u32 b, u32 count, u32 fin);

/* Counts 0..max_count, each with the edge values from index `first` on plus `randoms` random ones, with
 * every flag input. */
static void each_count(int bits, u32 max_count, u32 first, u32 randoms, count_fn fn) {
  for (u32 count = 0; count <= max_count; count++)
    for (u32 i = first; i < edge_count(bits) + randoms; i++) {
      u32 a = operand(bits, i);
      for (u32 f = 0; f < COUNT_OF(flag_inputs); f++) fn(a, count, flag_inputs[f]);
    }
}

/* Counts 0..max_count, each with `pairs` (a, b): a runs over edges then random values, b is random. */
static void each_count_pair(int bits, u32 max_count, u32 pairs, count_pair_fn fn) {
  for (u32 count = 0; count <= max_count; count++)
    for (u32 i = 0; i < pairs; i++) {
      u32 a = operand(bits, i);
      u32 b = i & 1 ? operand(bits, (i * 7) % edge_count(bits)) : rng_next() & width_mask(bits);
      for (u32 f = 0; f < COUNT_OF(flag_inputs); f++) fn(a, b, count, flag_inputs[f]);
    }
}

/* "name a=.. b=.. f=... -> eax=........ edx=........ f=...": for instructions writing eax and edx. */
static void report_ad(const char *name, int bits, u32 a, u32 b, u32 fin, u32 eax, u32 edx, u32 fout) {
  out_s(name);
  out_kv("a", a, bits);
  out_kv("b", b, bits);
  out_kv("f", fin, 12);
  out_s(" ->");
  out_kv("eax", eax, 32);
  out_kv("edx", edx, 32);
  out_kv("f", fout, 12);
  out_nl();
}

static s32 sign_extend(u32 v, int bits) { return bits == 32 ? (s32)v : (s32)(v << (32 - bits)) >> (32 - bits); }

/* ---- whole-register-file cases (STATE_RUN) ---- */
/* Random registers, some of them small or edge values, and the given EFLAGS. */
static void random_state(struct state *s, u32 eflags) {
  u32 *regs = &s->eax;
  for (u32 i = 0; i < 8; i++) {
    u32 pick = rng_next();
    regs[i] = (pick & 3) == 0 ? operand(32, pick % COUNT_OF(edges32)) : (pick & 3) == 1 ? rng_next() & 0xffff : rng_next();
  }
  s->esp_unused = 0;
  s->eflags = eflags;
}

/* "name in: eax=.. ... f=... -> eax=.. ... f=..." with both register files; the caller may add more. */
static void out_state_pair(const char *name, const struct state *in, const struct state *out, u32 flags_mask) {
  out_s(name);
  out_s(" in:");
  out_state(in);
  out_kv("f", in->eflags, 12);
  out_s(" ->");
  out_state(out);
  out_kv("f", out->eflags & flags_mask, 12);
}
static void report_state(const char *name, const struct state *in, const struct state *out, u32 flags_mask) {
  out_state_pair(name, in, out, flags_mask);
  out_nl();
}

/* x87 status-word condition bits (Intel SDM vol. 1, 8.1.3), named for tests/cpu/undefined-flags.ts. */
#define FSW_C0 0x0100u
#define FSW_C1 0x0200u
#define FSW_C2 0x0400u
#define FSW_C3 0x4000u
#define FSW_ALL 0xffffu
