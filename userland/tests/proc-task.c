/*
 * proc-task: /proc/self/task with two threads besides the main one. The directory lists each thread's tid;
 * task/<tid>/stat and status give that thread's tid and state (the reader running, the others sleeping) and
 * the process's tgid and thread count; /proc/<tid> of a thread that is not the leader opens but is not listed
 * in /proc; /proc/thread-self names <pid>/task/<tid> of the thread that reads it; after the threads are
 * joined the task directory lists the main thread alone. Tids differ between runs, so lines say whether
 * they agree.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define THREADS 2

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static int started, finish;
static pid_t tids[THREADS];

static const char *yes(int ok) { return ok ? "yes" : "no"; }

static pid_t gettid_(void) { return (pid_t)syscall(SYS_gettid); }

/* The text of a small file, NUL-terminated; "" when it cannot be read. */
static char *slurp(const char *path) {
  static char text[4096];
  FILE *f = fopen(path, "r");
  size_t n = f ? fread(text, 1, sizeof text - 1, f) : 0;
  if (f) fclose(f);
  text[n] = '\0';
  return text;
}

static int status_field(const char *text, const char *name) {
  const char *at = strstr(text, name);
  return at ? atoi(at + strlen(name)) : -1;
}

static int thread_self_is_mine(void) {
  char link[64], expected[64];
  ssize_t n = readlink("/proc/thread-self", link, sizeof link - 1);
  if (n < 0) return 0;
  link[n] = '\0';
  snprintf(expected, sizeof expected, "%d/task/%d", getpid(), gettid_());
  return strcmp(link, expected) == 0;
}

static void *thread_main(void *arg) {
  int i = (int)(long)arg;
  int mine = thread_self_is_mine();
  pthread_mutex_lock(&lock);
  tids[i] = gettid_();
  if (!mine) tids[i] = -tids[i];
  started++;
  pthread_cond_broadcast(&changed);
  while (!finish) pthread_cond_wait(&changed, &lock);
  pthread_mutex_unlock(&lock);
  return NULL;
}

/* Whether /proc/self/task lists exactly `expected` (n tids). */
static int task_lists(const pid_t *expected, int n) {
  DIR *d = opendir("/proc/self/task");
  if (!d) return 0;
  int listed = 0, known = 1;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.') continue;
    listed++;
    int found = 0;
    for (int i = 0; i < n; i++)
      if (atoi(e->d_name) == expected[i]) found = 1;
    known &= found;
  }
  closedir(d);
  return known && listed == n;
}

static int proc_lists(pid_t pid) {
  DIR *d = opendir("/proc");
  int found = 0;
  struct dirent *e;
  while (d && (e = readdir(d)) != NULL)
    if (atoi(e->d_name) == pid) found = 1;
  if (d) closedir(d);
  return found;
}

static char thread_state(pid_t tid) {
  char path[96];
  snprintf(path, sizeof path, "/proc/self/task/%d/stat", tid);
  char *close = strrchr(slurp(path), ')');
  return close ? close[2] : '?';
}

/* task/<tid>/stat and status for one thread, expecting state `state` ('R' or 'S'). */
static void check_thread(const char *what, pid_t tid, char state, int threads) {
  char path[96];
  snprintf(path, sizeof path, "/proc/self/task/%d/stat", tid);
  char *stat = slurp(path);
  int stat_tid = atoi(stat);
  char *close = strrchr(stat, ')');
  char stat_state = close ? close[2] : '?';
  int field = 3, stat_threads = -1;
  for (char *p = close ? close + 2 : stat; *p && field < 20; p++)
    if (*p == ' ' && ++field == 20) stat_threads = atoi(p + 1);
  printf("%s: stat tid %s, state %s, threads %s", what, yes(stat_tid == tid), yes(stat_state == state),
         yes(stat_threads == threads));
  snprintf(path, sizeof path, "/proc/self/task/%d/status", tid);
  char *status = slurp(path);
  printf("; status Pid %s, Tgid %s, Threads %s\n", yes(status_field(status, "\nPid:") == tid),
         yes(status_field(status, "\nTgid:") == getpid()), yes(status_field(status, "\nThreads:") == threads));
}

int main(void) {
  pthread_t threads[THREADS];
  for (long i = 0; i < THREADS; i++)
    if (pthread_create(&threads[i], NULL, thread_main, (void *)i) != 0) return 1;
  pthread_mutex_lock(&lock);
  while (started < THREADS) pthread_cond_wait(&changed, &lock);
  pthread_mutex_unlock(&lock);
  int threads_saw_themselves = 1;
  for (int i = 0; i < THREADS; i++) {
    if (tids[i] < 0) threads_saw_themselves = 0;
    tids[i] = abs(tids[i]);
  }
  printf("thread-self names each thread's task directory: %s\n",
         yes(threads_saw_themselves && thread_self_is_mine()));

  pid_t all[THREADS + 1] = {getpid(), tids[0], tids[1]};
  printf("task lists the main thread and both threads: %s\n", yes(task_lists(all, THREADS + 1)));
  check_thread("main thread", getpid(), 'R', THREADS + 1);
  // The others wait on the condition variable (a futex): sleeping, once they got there.
  for (int i = 0; i < THREADS; i++) {
    for (int tries = 0; tries < 1000 && thread_state(tids[i]) != 'S'; tries++) usleep(1000);
    check_thread("waiting thread", tids[i], 'S', THREADS + 1);
  }

  char path[64];
  snprintf(path, sizeof path, "/proc/%d/status", tids[0]);
  char *status = slurp(path);
  printf("/proc/<tid> of a thread opens, its Pid the tid: %s\n",
         yes(status_field(status, "\nPid:") == tids[0] && status_field(status, "\nTgid:") == getpid()));
  printf("/proc lists the process, not the thread: %s\n", yes(proc_lists(getpid()) && !proc_lists(tids[0])));
  snprintf(path, sizeof path, "/proc/self/task/%d/comm", tids[1]);
  char comm[64];
  strcpy(comm, slurp(path));
  printf("task comm is the process's: %s\n", yes(strcmp(comm, slurp("/proc/self/comm")) == 0));

  pthread_mutex_lock(&lock);
  finish = 1;
  pthread_cond_broadcast(&changed);
  pthread_mutex_unlock(&lock);
  for (int i = 0; i < THREADS; i++) pthread_join(threads[i], NULL);
  // A joined thread may still be leaving the kernel's lists for a moment after it woke the joiner.
  int alone = 0;
  for (int tries = 0; tries < 1000 && !alone; tries++) {
    alone = task_lists(all, 1);
    if (!alone) usleep(1000);
  }
  printf("after the joins task lists the main thread alone: %s\n", yes(alone));
  return 0;
}
