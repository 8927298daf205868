/* rusage-itimers: getrusage (RUSAGE_SELF, RUSAGE_THREAD, RUSAGE_CHILDREN) and wait4's rusage after
 * known work — CPU loops and page faults on 4 MiB of fresh memory — and the CPU-time interval timers
 * ITIMER_VIRTUAL and ITIMER_PROF: periodic SIGVTALRM, a one-shot SIGPROF, no progress while sleeping, none
 * inherited by fork. Prints facts (more than, at least), never times. */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TOUCH_PAGES 1024
#define PAGE 4096

static volatile unsigned sink;
static volatile sig_atomic_t vtalrm, prof;

static void burn(unsigned iterations) {
  for (unsigned i = 0; i < iterations; i++) sink += i;
}

static long us(struct timeval tv) { return tv.tv_sec * 1000000L + tv.tv_usec; }
/** User plus system time: Linux splits a precise total between them by sampled ticks, so only the sum grows surely. */
static long cpu_us(const struct rusage *ru) { return us(ru->ru_utime) + us(ru->ru_stime); }

static void touch_fresh_memory(void) {
  char *p = mmap(NULL, TOUCH_PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  madvise(p, TOUCH_PAGES * PAGE, MADV_NOHUGEPAGE);
  for (int i = 0; i < TOUCH_PAGES; i++) p[i * PAGE] = 1;
}

static void *thread_work(void *arg) {
  burn(20000000);
  struct rusage self, thread;
  getrusage(RUSAGE_THREAD, &thread);
  getrusage(RUSAGE_SELF, &self);
  *(int *)arg = cpu_us(&thread) > 0 && cpu_us(&thread) <= cpu_us(&self);
  return NULL;
}

static void usage_of_self(void) {
  struct rusage before, after;
  getrusage(RUSAGE_SELF, &before);
  burn(5000000);
  touch_fresh_memory();
  getrusage(RUSAGE_SELF, &after);
  /* Linux's resident-set counters are approximate (per-CPU batches), so the high-water mark may lag. */
  printf("self: cpu time grew %d, minflt grew by at least %d: %d, maxrss > 0: %d\n",
         cpu_us(&after) > cpu_us(&before), TOUCH_PAGES, after.ru_minflt - before.ru_minflt >= TOUCH_PAGES,
         after.ru_maxrss > 0);
  pthread_t t;
  int ok = 0;
  pthread_create(&t, NULL, thread_work, &ok);
  pthread_join(t, NULL);
  printf("RUSAGE_THREAD: some time, no more than the process's: %d\n", ok);
  printf("getrusage(who 7): %d\n", getrusage(7, &after));
}

static void usage_of_children(void) {
  struct rusage children;
  getrusage(RUSAGE_CHILDREN, &children);
  printf("children before any: utime %ld, minflt %ld\n", us(children.ru_utime), children.ru_minflt);
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    burn(30000000);
    touch_fresh_memory();
    _exit(0);
  }
  struct rusage ru;
  int status;
  wait4(pid, &status, 0, &ru);
  printf("wait4 rusage: cpu time > 0: %d, minflt >= %d: %d, maxrss >= 2 MiB: %d\n", cpu_us(&ru) > 0,
         TOUCH_PAGES, ru.ru_minflt >= TOUCH_PAGES, ru.ru_maxrss >= TOUCH_PAGES * 2);
  getrusage(RUSAGE_CHILDREN, &children);
  printf("children after: cpu time > 0: %d, minflt >= %d: %d\n", cpu_us(&children) > 0, TOUCH_PAGES,
         children.ru_minflt >= TOUCH_PAGES);
}

static void on_vtalrm(int sig) { (void)sig; vtalrm++; }
static void on_prof(int sig) { (void)sig; prof++; }

static void cpu_timers(void) {
  signal(SIGVTALRM, on_vtalrm);
  signal(SIGPROF, on_prof);
  struct itimerval every = {{0, 20000}, {0, 20000}}, now, off = {{0, 0}, {0, 0}};
  setitimer(ITIMER_VIRTUAL, &every, NULL);
  getitimer(ITIMER_VIRTUAL, &now);
  /* Linux may round the value up by a scheduler tick. */
  printf("virtual armed: interval %ld, value about it: %d\n", (long)now.it_interval.tv_usec,
         now.it_value.tv_sec == 0 && now.it_value.tv_usec > 0 && now.it_value.tv_usec <= 30000);
  while (vtalrm < 3) burn(100000);
  setitimer(ITIMER_VIRTUAL, &off, &now);
  printf("SIGVTALRM %d times, old interval %ld\n", (int)vtalrm, (long)now.it_interval.tv_usec);

  struct itimerval once = {{0, 0}, {0, 30000}};
  setitimer(ITIMER_PROF, &once, NULL);
  while (!prof) burn(100000);
  getitimer(ITIMER_PROF, &now);
  printf("SIGPROF once, then disarmed: %d %d\n", (int)prof, now.it_value.tv_sec == 0 && now.it_value.tv_usec == 0);

  struct itimerval later = {{0, 0}, {0, 50000}};
  setitimer(ITIMER_VIRTUAL, &later, NULL);
  struct timespec nap = {0, 100000000};
  nanosleep(&nap, NULL);
  getitimer(ITIMER_VIRTUAL, &now);
  printf("sleeping uses no virtual time: fired %d, most left %d\n", vtalrm != 3, now.it_value.tv_usec > 25000);
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    getitimer(ITIMER_VIRTUAL, &now);
    _exit(now.it_value.tv_sec == 0 && now.it_value.tv_usec == 0 ? 0 : 1);
  }
  int status;
  waitpid(pid, &status, 0);
  printf("fork child has no virtual timer: %d\n", WEXITSTATUS(status) == 0);
  setitimer(ITIMER_VIRTUAL, &off, NULL);
}

int main(void) {
  usage_of_self();
  usage_of_children();
  cpu_timers();
  return 0;
}
