/* job-control: stop and continue without a terminal. SIGSTOP stops every thread of a child; the parent
 * sees it through waitpid(WUNTRACED), waitid(WSTOPPED, WNOWAIT) and SIGCHLD (CLD_STOPPED, si_status),
 * /proc/<pid>/stat and status say T; SIGCONT (even ignored) continues it (WCONTINUED, CLD_CONTINUED);
 * SA_NOCLDSTOP silences SIGCHLD but not wait; a stop signal discards a pending SIGCONT and SIGCONT a
 * pending stop signal; a process group orphaned while stopped gets SIGHUP then SIGCONT; /dev/tty without a
 * controlling terminal is ENXIO. Only the parent prints; children answer through pipes. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t chld_count, chld_code, chld_status, continued_status;

static void on_chld(int sig, siginfo_t *info, void *ctx) {
  (void)sig, (void)ctx;
  chld_count++;
  chld_code = info->si_code;
  chld_status = info->si_status;
  if (info->si_code == CLD_CONTINUED) continued_status = info->si_status;
}

static void catch_chld(int flags) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_chld;
  sa.sa_flags = SA_SIGINFO | SA_RESTART | flags;
  sigaction(SIGCHLD, &sa, NULL);
}

/** The state letter of /proc/<pid>/stat and the State: line of /proc/<pid>/status. */
static void show_proc_state(pid_t pid) {
  char path[64], buf[512];
  snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
  FILE *f = fopen(path, "r");
  if (!f || !fgets(buf, sizeof buf, f)) { printf("no %s\n", path); return; }
  fclose(f);
  char *paren = strrchr(buf, ')');
  printf("stat state: %c\n", paren ? paren[2] : '?');
  snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
  f = fopen(path, "r");
  while (f && fgets(buf, sizeof buf, f))
    if (strncmp(buf, "State:", 6) == 0) printf("status %s", buf);
  if (f) fclose(f);
}

static volatile unsigned *shared_counter;

static void *spin(void *arg) {
  (void)arg;
  for (;;) (*shared_counter)++;
  return NULL;
}

static void pause_ms(int ms) {
  struct timespec ts = {0, ms * 1000000L};
  nanosleep(&ts, NULL);
}

static void stop_and_continue(void) {
  shared_counter = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  catch_chld(0);
  int go[2];
  if (pipe(go) != 0) return;
  fflush(stdout);
  pid_t child = fork();
  if (child == 0) {
    pthread_t thread;
    pthread_create(&thread, NULL, spin, NULL);
    while (*shared_counter == 0) sched_yield();
    raise(SIGSTOP);
    char c;
    _exit(read(go[0], &c, 1) == 1 ? 7 : 1);
  }
  int status;
  pid_t got = waitpid(child, &status, WUNTRACED);
  printf("waitpid WUNTRACED: same pid %d, stopped %d by %d\n", got == child, WIFSTOPPED(status), WSTOPSIG(status));
  printf("SIGCHLD: %d, CLD_STOPPED %d, si_status %d\n", (int)chld_count, chld_code == CLD_STOPPED, (int)chld_status);
  unsigned before = *shared_counter;
  pause_ms(50);
  printf("every thread stopped: %d\n", before == *shared_counter);
  show_proc_state(child);
  printf("second WUNTRACED|WNOHANG: %d\n", (int)waitpid(child, &status, WUNTRACED | WNOHANG));

  kill(child, SIGCONT);
  got = waitpid(child, &status, WCONTINUED);
  printf("waitpid WCONTINUED: same pid %d, continued %d\n", got == child, WIFCONTINUED(status));
  if (write(go[1], "x", 1) != 1) return;
  got = waitpid(child, &status, 0);
  printf("exit: same pid %d, code %d\n", got == child, WEXITSTATUS(status));
  /* Linux sends CLD_CONTINUED when the child next runs, so only its having come is certain, not when. */
  printf("SIGCHLD CLD_CONTINUED came with si_status %d\n", (int)continued_status);
}

static void waitid_reports(void) {
  catch_chld(SA_NOCLDSTOP);
  chld_count = 0;
  int ready[2];
  if (pipe(ready) != 0) return;
  fflush(stdout);
  pid_t child = fork();
  if (child == 0) {
    signal(SIGCONT, SIG_IGN);
    setpgid(0, 0); /* a group with its parent in another group of the session: not orphaned */
    raise(SIGTSTP);
    /* Exit only once the parent has seen the continue: a child already gone has no continue to report. */
    char go;
    if (read(ready[0], &go, 1) != 1) _exit(4);
    _exit(3);
  }
  siginfo_t info;
  memset(&info, 0, sizeof info);
  waitid(P_PID, child, &info, WSTOPPED | WNOWAIT);
  printf("waitid WSTOPPED|WNOWAIT: CLD_STOPPED %d, status %d\n", info.si_code == CLD_STOPPED, info.si_status);
  memset(&info, 0, sizeof info);
  waitid(P_PID, child, &info, WSTOPPED);
  printf("waitid WSTOPPED again: CLD_STOPPED %d, status %d, pid %d\n", info.si_code == CLD_STOPPED,
         info.si_status, info.si_pid == child);
  memset(&info, 0, sizeof info);
  int rc = waitid(P_PID, child, &info, WSTOPPED | WNOHANG);
  printf("reported once: rc %d, si_pid %d\n", rc, info.si_pid);
  printf("SA_NOCLDSTOP: SIGCHLD count %d\n", (int)chld_count);
  kill(child, SIGCONT);
  memset(&info, 0, sizeof info);
  waitid(P_PID, child, &info, WCONTINUED);
  printf("ignored SIGCONT still continues: CLD_CONTINUED %d, status %d\n", info.si_code == CLD_CONTINUED,
         info.si_status);
  if (write(ready[1], "x", 1) != 1) return;
  memset(&info, 0, sizeof info);
  waitid(P_PID, child, &info, WEXITED);
  printf("then exits: CLD_EXITED %d, status %d, SIGCHLD count %d\n", info.si_code == CLD_EXITED, info.si_status,
         (int)chld_count);
  rc = waitid(P_ALL, 0, &info, WNOHANG);
  printf("waitid without WEXITED|WSTOPPED|WCONTINUED: %d errno %d\n", rc, errno == EINVAL);
  close(ready[0]);
  close(ready[1]);
}

static void pending_discards(void) {
  sigset_t both, pending;
  sigemptyset(&both);
  sigaddset(&both, SIGCONT);
  sigaddset(&both, SIGTSTP);
  sigprocmask(SIG_BLOCK, &both, NULL);
  raise(SIGCONT);
  sigpending(&pending);
  printf("SIGCONT pending: %d\n", sigismember(&pending, SIGCONT));
  raise(SIGTSTP);
  sigpending(&pending);
  printf("after SIGTSTP: SIGCONT pending %d, SIGTSTP pending %d\n", sigismember(&pending, SIGCONT),
         sigismember(&pending, SIGTSTP));
  raise(SIGCONT);
  sigpending(&pending);
  printf("after SIGCONT: SIGCONT pending %d, SIGTSTP pending %d\n", sigismember(&pending, SIGCONT),
         sigismember(&pending, SIGTSTP));
  signal(SIGCONT, SIG_IGN);
  sigprocmask(SIG_UNBLOCK, &both, NULL);
  signal(SIGCONT, SIG_DFL);
}

static int report_fd;
static void on_hup_or_cont(int sig) {
  char c = sig == SIGHUP ? 'H' : 'C';
  if (write(report_fd, &c, 1) < 0) _exit(1);
}

/** A stopped process group orphaned by its parent's exit gets SIGHUP and SIGCONT (in that order). */
static void orphaned_group(void) {
  int report[2];
  if (pipe(report) != 0) return;
  fflush(stdout);
  pid_t middle = fork();
  if (middle == 0) {
    pid_t leaf = fork();
    if (leaf == 0) {
      close(report[0]);
      report_fd = report[1];
      signal(SIGHUP, on_hup_or_cont);
      signal(SIGCONT, on_hup_or_cont);
      setpgid(0, 0);
      raise(SIGSTOP);
      _exit(0);
    }
    int status;
    waitpid(leaf, &status, WUNTRACED);
    _exit(WIFSTOPPED(status) ? 0 : 1);
  }
  close(report[1]);
  int status;
  waitpid(middle, &status, 0);
  char seen[8] = {0};
  size_t n = 0;
  ssize_t r;
  while (n < sizeof seen - 1 && (r = read(report[0], seen + n, sizeof seen - 1 - n)) > 0) n += (size_t)r;
  close(report[0]);
  printf("orphaned stopped group got: %s\n", seen);
}

static void no_controlling_tty(void) {
  fflush(stdout);
  pid_t child = fork();
  if (child == 0) {
    setsid();
    int fd = open("/dev/tty", O_RDWR);
    _exit(fd < 0 && errno == ENXIO ? 0 : 1);
  }
  int status;
  waitpid(child, &status, 0);
  printf("/dev/tty after setsid: ENXIO %d\n", WEXITSTATUS(status) == 0);
}

int main(void) {
  stop_and_continue();
  waitid_reports();
  pending_discards();
  orphaned_group();
  no_controlling_tty();
  return 0;
}
