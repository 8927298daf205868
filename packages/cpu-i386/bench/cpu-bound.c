/* A CPU-bound freestanding program for measuring the interpreter: FNV-1a hashing, an insertion-free
 * quicksort over LCG data, and a sieve. Built with gcc -m32 -O2 -ffreestanding -nostdlib -static; _start
 * computes and exits through int 0x80 with the low byte of the checksum. */
typedef unsigned int u32;

#define N 60000
static u32 data[N];
static unsigned char sieve[200000];

static u32 fnv1a(const unsigned char *p, u32 n) {
  u32 h = 2166136261u;
  for (u32 i = 0; i < n; i++) { h ^= p[i]; h *= 16777619u; }
  return h;
}

static void quicksort(u32 *a, int lo, int hi) {
  while (lo < hi) {
    u32 pivot = a[(lo + hi) >> 1];
    int i = lo, j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) { u32 t = a[i]; a[i] = a[j]; a[j] = t; i++; j--; }
    }
    if (j - lo < hi - i) { quicksort(a, lo, j); lo = i; } else { quicksort(a, i, hi); hi = j; }
  }
}

static u32 primes(void) {
  u32 count = 0;
  for (u32 i = 2; i < sizeof sieve; i++) {
    if (sieve[i]) continue;
    count++;
    for (u32 j = i * 2; j < sizeof sieve; j += i) sieve[j] = 1;
  }
  return count;
}

static u32 run(void) {
  u32 x = 12345, sum = 0;
  for (int round = 0; round < 3; round++) {
    for (int i = 0; i < N; i++) { x = x * 1103515245u + 12345u; data[i] = x >> 3; }
    quicksort(data, 0, N - 1);
    for (int i = 1; i < N; i++) if (data[i - 1] > data[i]) return 0xbad;
    sum += fnv1a((const unsigned char *)data, sizeof data);
  }
  return sum + primes();
}

void _start(void) {
  u32 r = run();
  __asm__ volatile("int $0x80" : : "a"(1), "b"(r & 0xff));
  for (;;) {}
}
