/* CPU-bound integer work for `pnpm bench cpu`: FNV-1a hashing, an insertion-then-quick sort of LCG data,
 * and string scanning. Prints a checksum so native and kmOS runs can be compared. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define N 200000

static uint32_t data[N];

static uint32_t fnv1a(const uint8_t *p, size_t n) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 16777619u;
  return h;
}

static void quicksort(uint32_t *a, int lo, int hi) {
  while (lo < hi) {
    uint32_t pivot = a[(lo + hi) / 2];
    int i = lo, j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) { uint32_t t = a[i]; a[i++] = a[j]; a[j--] = t; }
    }
    if (j - lo < hi - i) { quicksort(a, lo, j); lo = i; } else { quicksort(a, i, hi); hi = j; }
  }
}

int main(void) {
  uint32_t x = 12345, sum = 0;
  for (int round = 0; round < 4; round++) {
    for (int i = 0; i < N; i++) data[i] = x = x * 1103515245u + 12345u;
    quicksort(data, 0, N - 1);
    sum ^= fnv1a((const uint8_t *)data, sizeof data);
    char text[4096];
    for (int i = 0; i < (int)sizeof text - 1; i++) text[i] = 'a' + (data[i] % 26);
    text[sizeof text - 1] = 0;
    for (int i = 0; i < 200; i++) sum += (uint32_t)strlen(text + i) + (uint32_t)(strchr(text + i, 'z') - text);
  }
  printf("checksum %08x\n", sum);
  return 0;
}
