/* Shared by the syscall benchmarks: a monotonic clock in nanoseconds (under `kmos run --realtime` the guest's
 * monotonic clock is the host's, so the same binary measures the same thing natively and on kmOS), result
 * lines, and steady-state rounds. */
#include <stdio.h>
#include <time.h>

static inline long long now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* One result line the bench tool parses: `name value unit`. */
static inline void report(const char *name, double value, const char *unit) { printf("%s %.3f %s\n", name, value, unit); }

/* Rounds are timed until this much time has passed, and at least ROUNDS_AFTER_WARMUP after it. */
#define WARMUP_NS 1000000000LL
#define ROUNDS_AFTER_WARMUP 5

struct rounds {
  long long first_ns; /* the first round: start-up and warm-up included (the emulator's JIT has not settled) */
  long long best_ns;  /* the fastest round: the steady state */
};

/* Runs `round` again and again, as the bench tool times its own workloads (tools/bench/src/measure.ts):
 * the first round is the cold figure, the best round the steady one. A round that fails stops it: -1. */
static inline int time_rounds(int (*round)(void), struct rounds *out) {
  long long start = now_ns();
  int after = 0;
  for (int i = 0; after < ROUNDS_AFTER_WARMUP; i++) {
    long long t = now_ns();
    if (round() != 0) return -1;
    long long ns = now_ns() - t;
    if (i == 0) out->first_ns = out->best_ns = ns;
    else if (ns < out->best_ns) out->best_ns = ns;
    if (t - start >= WARMUP_NS) after++;
  }
  return 0;
}

/* Reports a time per operation for both figures: `name` (steady) and `name-cold` (the first round). */
static inline void report_rounds(const char *name, const struct rounds *r, double ops, double per_ns,
                                 const char *unit) {
  char cold[64];
  snprintf(cold, sizeof cold, "%s-cold", name);
  report(name, r->best_ns / ops / per_ns, unit);
  report(cold, r->first_ns / ops / per_ns, unit);
}
