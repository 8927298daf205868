/* mmap-cow: anonymous private memory is copied on write across fork, MAP_SHARED memory is shared, mprotect
 * makes a page read-only (a write then faults with SEGV_ACCERR), and munmap makes it vanish (SEGV_MAPERR). */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static sigjmp_buf recover;
static volatile int last_code;
static void on_segv(int sig, siginfo_t *info, void *uc) { (void)sig; (void)uc; last_code = info->si_code; siglongjmp(recover, 1); }

int main(void) {
  size_t size = 16 * 4096;
  unsigned char *priv = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  unsigned char *shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (priv == MAP_FAILED || shared == MAP_FAILED) { perror("mmap"); return 1; }
  printf("fresh memory is zero: %d\n", priv[0] == 0 && priv[size - 1] == 0);
  memset(priv, 'p', size);
  strcpy((char *)shared, "parent");
  pid_t pid = fork();
  if (pid == 0) {
    memset(priv, 'c', size);
    strcpy((char *)shared, "written by the child");
    _exit(priv[100] == 'c' ? 0 : 1);
  }
  int status;
  waitpid(pid, &status, 0);
  printf("child saw its own copy: %d\n", WEXITSTATUS(status) == 0);
  printf("parent private still 'p': %d\n", priv[0] == 'p' && priv[size - 1] == 'p');
  printf("shared page says: %s\n", shared);

  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_segv;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGSEGV, &sa, NULL);
  mprotect(priv, 4096, PROT_READ);
  if (sigsetjmp(recover, 1) == 0) priv[10] = 1;
  printf("write to read-only page: code %d (SEGV_ACCERR %d)\n", last_code, SEGV_ACCERR);
  munmap(priv, size);
  last_code = 0;
  if (sigsetjmp(recover, 1) == 0) priv[4096] = 1;
  printf("write to unmapped page: code %d (SEGV_MAPERR %d)\n", last_code, SEGV_MAPERR);
  return 0;
}
