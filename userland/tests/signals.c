/* signals: handlers with and without SA_SIGINFO, masks, SIGCHLD, a caught SIGSEGV left by siglongjmp,
 * SIGFPE from a division by zero, alarm with pause, and an exit by signal in a child. */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t usr1_count, chld_count, alarm_count;
static volatile int info_code, info_signo;
static volatile void *fault_addr;
static sigjmp_buf recover;

static void on_usr1(int sig) { (void)sig; usr1_count++; }
static void on_chld(int sig) { (void)sig; chld_count++; }
static void on_alarm(int sig) { (void)sig; alarm_count++; }
static void on_info(int sig, siginfo_t *info, void *uc) {
  (void)uc;
  info_signo = sig;
  info_code = info->si_code;
  fault_addr = info->si_addr;
  siglongjmp(recover, 1);
}

int main(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_usr1;
  sigaction(SIGUSR1, &sa, NULL);
  raise(SIGUSR1);
  kill(getpid(), SIGUSR1);
  printf("usr1 handled %d times\n", usr1_count);

  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGUSR1);
  sigprocmask(SIG_BLOCK, &block, &old);
  raise(SIGUSR1);
  sigset_t pending;
  sigpending(&pending);
  printf("blocked usr1 pending: %d, handled so far %d\n", sigismember(&pending, SIGUSR1), usr1_count);
  sigprocmask(SIG_SETMASK, &old, NULL);
  printf("after unblock handled %d\n", usr1_count);

  sa.sa_handler = on_chld;
  sigaction(SIGCHLD, &sa, NULL);
  pid_t pid = fork();
  if (pid == 0) _exit(7);
  int status;
  waitpid(pid, &status, 0);
  printf("child exit %d, sigchld %d\n", WEXITSTATUS(status), chld_count);

  pid = fork();
  if (pid == 0) { kill(getpid(), SIGTERM); _exit(0); }
  waitpid(pid, &status, 0);
  printf("child signalled %d by %d\n", WIFSIGNALED(status), WTERMSIG(status));

  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_info;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGSEGV, &sa, NULL);
  sigaction(SIGFPE, &sa, NULL);
  volatile int *volatile bad_pointer = (int *)16;
  if (sigsetjmp(recover, 1) == 0) *bad_pointer = 1;
  printf("SIGSEGV: signo %d code %d (SEGV_MAPERR %d) addr %p\n", info_signo, info_code, SEGV_MAPERR, fault_addr);
  volatile int zero = 0;
  if (sigsetjmp(recover, 1) == 0) printf("%d\n", 10 / zero);
  printf("SIGFPE: signo %d code %d (FPE_INTDIV %d)\n", info_signo, info_code, FPE_INTDIV);

  sa.sa_handler = on_alarm;
  sa.sa_flags = 0;
  sigaction(SIGALRM, &sa, NULL);
  alarm(1);
  pause();
  printf("alarm fired %d\n", alarm_count);
  return 0;
}
