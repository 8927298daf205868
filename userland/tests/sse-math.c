/*
 * sse-math: built with -msse2 -mfpmath=sse -O3, so scalar float/double math runs in SSE registers and gcc
 * vectorizes the loops; glibc picks its SSE2 memcpy/memset/strlen/memchr/memcmp/strchr once CPUID (and
 * AT_HWCAP) advertise SSE2. Prints results that must match Linux bit for bit: sums, products, square roots,
 * conversions under every MXCSR rounding mode, string functions over many sizes and alignments, and a
 * signal handler that uses SSE and changes MXCSR while the interrupted code holds values in every XMM
 * register (the signal frame's fpstate must bring them back).
 */
#include <emmintrin.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

static uint64_t bits_d(double d) {
  uint64_t u;
  memcpy(&u, &d, sizeof u);
  return u;
}

static uint32_t bits_f(float f) {
  uint32_t u;
  memcpy(&u, &f, sizeof u);
  return u;
}

static void float_math(void) {
  static float fa[1024], fb[1024], fc[1024];
  static double da[1024], db[1024], dc[1024];
  for (int i = 0; i < 1024; i++) {
    fa[i] = (float)i / 7.0f - 50.0f;
    fb[i] = 1.0f / (float)(i + 1);
    da[i] = (double)i * 0.1 - 30.0;
    db[i] = __builtin_sqrt((double)i + 0.5);
  }
  for (int i = 0; i < 1024; i++) {
    fc[i] = fa[i] * fb[i] + fa[i] / (fb[i] + 1.0f);
    dc[i] = da[i] * db[i] - da[i] / (db[i] + 2.0);
  }
  float fs = 0;
  double ds = 0;
  uint32_t fx = 0;
  uint64_t dx = 0;
  for (int i = 0; i < 1024; i++) {
    fs += fc[i];
    ds += dc[i];
    fx ^= bits_f(fc[i]) * (uint32_t)(i + 1);
    dx ^= bits_d(dc[i]) * (uint64_t)(i + 1);
  }
  printf("float sum %08x xor %08x\n", bits_f(fs), fx);
  printf("double sum %016llx xor %016llx\n", (unsigned long long)bits_d(ds), (unsigned long long)dx);
  printf("sqrtf %08x sqrt %016llx fmin %016llx\n", bits_f(__builtin_sqrtf(fs < 0 ? -fs : fs)),
         (unsigned long long)bits_d(__builtin_sqrt(ds < 0 ? -ds : ds)), (unsigned long long)bits_d(ds < -0.0 ? ds : -0.0));
  volatile double third = 1.0 / 3.0, big = 3.0e9, neg = -2.5;
  printf("conv %d %d %d %lld %08x\n", (int)third, (int)neg, (int)(float)neg, (long long)big, bits_f((float)third));
}

static void rounding_modes(void) {
  static const unsigned modes[] = {_MM_ROUND_NEAREST, _MM_ROUND_DOWN, _MM_ROUND_UP, _MM_ROUND_TOWARD_ZERO};
  for (int m = 0; m < 4; m++) {
    unsigned saved = _mm_getcsr();
    _mm_setcsr((saved & ~_MM_ROUND_MASK & ~0x3fu) | modes[m]);
    // Volatile operands, so the compiler cannot fold the divisions under its own rounding mode.
    volatile double one = 1.0, three = 3.0, half = -2.5;
    volatile float onef = 1.0f, threef = 3.0f;
    __m128d q = _mm_div_pd(_mm_set_pd(one, -one), _mm_set_pd(three, three));
    __m128 f = _mm_div_ps(_mm_set_ps(onef, -onef, 2 * onef, -2 * onef), _mm_set1_ps(threef));
    int i = _mm_cvtsd_si32(_mm_set_sd(half));
    unsigned flags = _mm_getcsr() & 0x3f;
    _mm_setcsr(saved);
    double qd[2];
    float qf[4];
    _mm_storeu_pd(qd, q);
    _mm_storeu_ps(qf, f);
    printf("mode %d: %016llx %016llx %08x %08x %d flags %02x\n", m, (unsigned long long)bits_d(qd[0]),
           (unsigned long long)bits_d(qd[1]), bits_f(qf[0]), bits_f(qf[3]), i, flags);
  }
}

static void strings(void) {
  static char buf[4096 + 64], dst[4096 + 64];
  uint32_t h = 2166136261u;
  for (int i = 0; i < (int)sizeof buf; i++) buf[i] = (char)('a' + (i * 7) % 26);
  for (int align = 0; align < 16; align += 3) {
    for (int n = 0; n < 4096; n = n * 2 + 1) {
      memset(dst, 0x55, sizeof dst);
      memcpy(dst + align, buf + (15 - align), (size_t)n);
      memmove(dst + align + 1, dst + align, (size_t)n);
      char save = buf[align + n];
      buf[align + n] = 0;
      size_t len = strlen(buf + align);
      const char *chr = strchr(buf + align, 'z');
      const void *mch = memchr(buf + align, 'q', (size_t)n);
      buf[align + n] = save;
      int cmp = memcmp(dst + align + 1, buf + (15 - align), (size_t)n);
      for (int i = 0; i < n + 2; i++) h = (h ^ (uint8_t)dst[align + i]) * 16777619u;
      h ^= (uint32_t)len * 31u + (chr ? (uint32_t)(chr - buf) : 0u) + (mch ? (uint32_t)((const char *)mch - buf) : 0u);
      h ^= (uint32_t)(cmp != 0);
    }
  }
  printf("strings hash %08x\n", h);
}

static volatile sig_atomic_t handled;

static void on_signal(int sig) {
  (void)sig;
  // The handler uses SSE and changes MXCSR: none of this may leak into the interrupted code.
  __asm__ volatile("pcmpeqd %%xmm0, %%xmm0\n\tpxor %%xmm1, %%xmm1\n\tmovdqa %%xmm0, %%xmm7" ::: "xmm0", "xmm1", "xmm7");
  _mm_setcsr(_MM_ROUND_UP | 0x1f80);
  volatile double x = 1.0 / 3.0;
  handled = bits_d(x) != 0;
}

static void signal_preserves_xmm(void) {
  static uint32_t in[8][4] __attribute__((aligned(16))), out[8][4] __attribute__((aligned(16)));
  for (int r = 0; r < 8; r++)
    for (int k = 0; k < 4; k++) in[r][k] = 0x01010101u * (uint32_t)(r + 1) + (uint32_t)k;
  signal(SIGUSR1, on_signal);
  unsigned mx = _MM_ROUND_DOWN | 0x1f80, mxout = 0;
  long pid = getpid();
  // Load every XMM register and MXCSR, raise the signal with a raw kill syscall (so no library code runs in
  // between), and store them back after the handler has returned.
  __asm__ volatile(
      "ldmxcsr %[mx]\n\t"
      "movdqa 0(%[in]), %%xmm0\n\tmovdqa 16(%[in]), %%xmm1\n\tmovdqa 32(%[in]), %%xmm2\n\tmovdqa 48(%[in]), %%xmm3\n\t"
      "movdqa 64(%[in]), %%xmm4\n\tmovdqa 80(%[in]), %%xmm5\n\tmovdqa 96(%[in]), %%xmm6\n\tmovdqa 112(%[in]), %%xmm7\n\t"
      "pushl %%ebx\n\tmovl %[pid], %%ebx\n\tmovl $37, %%eax\n\tint $0x80\n\tpopl %%ebx\n\t"
      "movdqa %%xmm0, 0(%[out])\n\tmovdqa %%xmm1, 16(%[out])\n\tmovdqa %%xmm2, 32(%[out])\n\tmovdqa %%xmm3, 48(%[out])\n\t"
      "movdqa %%xmm4, 64(%[out])\n\tmovdqa %%xmm5, 80(%[out])\n\tmovdqa %%xmm6, 96(%[out])\n\tmovdqa %%xmm7, 112(%[out])\n\t"
      "stmxcsr %[mxout]\n\tmovl $0x1f80, %%eax\n\tmovl %%eax, %[mx]\n\tldmxcsr %[mx]"
      : [mx] "+m"(mx), [mxout] "=m"(mxout)
      : [in] "r"(in), [out] "r"(out), [pid] "g"(pid), "c"(SIGUSR1)
      : "eax", "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7");
  int same = memcmp(in, out, sizeof in) == 0;
  printf("signal: handled %d, xmm preserved %d, mxcsr %04x\n", (int)handled, same, mxout & ~0x3fu);
}

int main(void) {
  printf("hwcap sse sse2 %d %d\n", (getauxval(AT_HWCAP) >> 25) & 1 ? 1 : 0, (getauxval(AT_HWCAP) >> 26) & 1 ? 1 : 0);
  float_math();
  rounding_modes();
  strings();
  signal_preserves_xmm();
  return 0;
}
