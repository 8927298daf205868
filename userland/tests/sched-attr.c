/*
 * sched_getattr and sched_setattr: the attributes read back as the older calls set them (policy, nice,
 * reset-on-fork), a short struct is read to its size, sizes below the first version are EINVAL (get) or
 * E2BIG with the kernel's size written back (set), size 0 means the first version, nice is clamped to 19,
 * SCHED_BATCH can be set, unknown flags and flags to the call are EINVAL, KEEP_PARAMS keeps nice.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *yes(int ok) { return ok ? "yes" : "no"; }

struct attr {
  uint32_t size, policy;
  uint64_t flags;
  int32_t nice;
  uint32_t priority;
  uint64_t runtime, deadline, period;
  uint32_t util_min, util_max;
};

static long get(struct attr *a, unsigned size) { return syscall(SYS_sched_getattr, 0, a, size, 0); }
static long set(struct attr *a) { return syscall(SYS_sched_setattr, 0, a, 0); }

int main(void) {
  struct attr a;
  memset(&a, 0xee, sizeof a);
  printf("getattr: %s\n", yes(get(&a, sizeof a) == 0 && a.size == sizeof a && a.policy == SCHED_OTHER && a.nice == 0 &&
                              a.priority == 0 && a.flags == 0 && a.deadline == 0 && a.period == 0));
  memset(&a, 0xee, sizeof a);
  printf("a 48-byte struct is read to its size: %s\n", yes(get(&a, 48) == 0 && a.size == 48 && a.util_min == 0xeeeeeeee));
  printf("a 40-byte one is EINVAL: %s\n", yes(get(&a, 40) < 0 && errno == EINVAL));
  printf("flags to getattr are EINVAL: %s\n", yes(syscall(SYS_sched_getattr, 0, &a, sizeof a, 1) < 0 && errno == EINVAL));

  memset(&a, 0, sizeof a);
  a.size = 48;
  a.nice = 5;
  printf("setattr nice 5: %s\n", yes(set(&a) == 0 && getpriority(PRIO_PROCESS, 0) == 5));
  a.size = 40;
  printf("a short struct is E2BIG with the size back: %s\n", yes(set(&a) < 0 && errno == E2BIG && a.size == 56));
  memset(&a, 0, sizeof a);
  a.size = 48;
  a.policy = SCHED_BATCH;
  a.nice = 7;
  printf("SCHED_BATCH: %s\n", yes(set(&a) == 0 && sched_getscheduler(0) == SCHED_BATCH && getpriority(PRIO_PROCESS, 0) == 7));
  memset(&a, 0, sizeof a);
  a.size = 48;
  a.nice = 30;
  printf("nice is clamped to 19: %s\n", yes(set(&a) == 0 && getpriority(PRIO_PROCESS, 0) == 19));
  memset(&a, 0, sizeof a);
  a.size = 0;
  a.nice = 19;
  printf("size 0 is the first version: %s\n", yes(set(&a) == 0));
  a.size = 48;
  a.flags = 0x100;
  printf("unknown flags are EINVAL: %s\n", yes(set(&a) < 0 && errno == EINVAL));
  memset(&a, 0, sizeof a);
  a.size = 48;
  a.flags = 0x10;  // SCHED_FLAG_KEEP_PARAMS
  a.nice = 0;
  printf("KEEP_PARAMS keeps nice: %s\n", yes(set(&a) == 0 && getpriority(PRIO_PROCESS, 0) == 19));
  memset(&a, 0, sizeof a);
  a.size = 48;
  a.nice = 19;
  a.flags = 0x01;  // SCHED_FLAG_RESET_ON_FORK
  struct attr b;
  printf("reset-on-fork reads back: %s\n", yes(set(&a) == 0 && get(&b, sizeof b) == 0 && (b.flags & 1) == 1 &&
                                                (sched_getscheduler(0) & SCHED_RESET_ON_FORK)));
  return 0;
}
