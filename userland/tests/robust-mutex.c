/*
 * Robust futexes: a thread that exits holding a robust mutex leaves it to the next locker with EOWNERDEAD
 * (which may make it consistent and use it again); a process that dies holding a robust process-shared
 * mutex in shared memory does the same for a waiting process, which the kernel wakes; get_robust_list
 * gives back what set_robust_list registered; a wrong length is EINVAL.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *yes(int ok) { return ok ? "yes" : "no"; }

static pthread_mutex_t mutex;

static void *lock_and_leave(void *arg) {
  (void)arg;
  pthread_mutex_lock(&mutex);
  return NULL;
}

int main(void) {
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
  pthread_mutex_init(&mutex, &attr);
  pthread_t th;
  pthread_create(&th, NULL, lock_and_leave, NULL);
  pthread_join(th, NULL);
  int r = pthread_mutex_lock(&mutex);
  printf("a dead thread's mutex: EOWNERDEAD: %s\n", yes(r == EOWNERDEAD));
  printf("made consistent: %s\n", yes(pthread_mutex_consistent(&mutex) == 0 && pthread_mutex_unlock(&mutex) == 0));
  printf("then usable: %s\n", yes(pthread_mutex_lock(&mutex) == 0 && pthread_mutex_unlock(&mutex) == 0));

  // Across processes: the child takes the shared mutex and dies; the parent waits in lock.
  pthread_mutex_t *shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
  pthread_mutex_init(shared, &attr);
  int ready[2];
  pipe(ready);
  pid_t child = fork();
  if (child == 0) {
    pthread_mutex_lock(shared);
    write(ready[1], "x", 1);
    pause();
    _exit(0);
  }
  char c;
  read(ready[0], &c, 1);
  pid_t killer = fork();
  if (killer == 0) {
    usleep(20000);
    kill(child, SIGKILL);
    _exit(0);
  }
  r = pthread_mutex_lock(shared);
  printf("a dead process's shared mutex wakes its waiter with EOWNERDEAD: %s\n", yes(r == EOWNERDEAD));
  pthread_mutex_consistent(shared);
  pthread_mutex_unlock(shared);
  waitpid(child, NULL, 0);
  waitpid(killer, NULL, 0);

  struct robust_list_head *head = NULL;
  size_t len = 0;
  long got = syscall(SYS_get_robust_list, 0, &head, &len);
  printf("get_robust_list: %s\n", yes(got == 0 && head != NULL && len == sizeof(struct robust_list_head)));
  printf("set_robust_list with a wrong length is EINVAL: %s\n",
         yes(syscall(SYS_set_robust_list, head, len + 1) < 0 && errno == EINVAL));
  return 0;
}
