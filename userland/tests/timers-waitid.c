/* timers-waitid: interval timers (setitimer/getitimer, alarm's remainder) and waitid's siginfo for children
 * that exit, are killed, or are still running under WNOHANG. Prints facts, not times. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t ticks;
static void on_alarm(int sig) { (void)sig; ticks++; }

int main(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_alarm;
  sigaction(SIGALRM, &sa, NULL);

  struct itimerval every = {{0, 20000}, {0, 20000}}, now, off = {{0, 0}, {0, 0}};
  setitimer(ITIMER_REAL, &every, NULL);
  getitimer(ITIMER_REAL, &now);
  printf("armed: interval %ld us, value within it: %d\n", (long)now.it_interval.tv_usec,
         now.it_value.tv_sec == 0 && now.it_value.tv_usec > 0 && now.it_value.tv_usec <= 20000);
  while (ticks < 3) pause();
  setitimer(ITIMER_REAL, &off, &now);
  printf("ticked %d times, old interval %ld us\n", (int)ticks, (long)now.it_interval.tv_usec);
  getitimer(ITIMER_REAL, &now);
  printf("disarmed: %d\n", now.it_value.tv_sec == 0 && now.it_value.tv_usec == 0);
  alarm(10);
  printf("alarm left: %u\n", alarm(0));
  printf("setitimer(ITIMER_REAL + 7): %d\n", setitimer(7, &off, NULL));

  pid_t exiting = fork();
  if (exiting == 0) _exit(9);
  siginfo_t info;
  memset(&info, 0, sizeof info);
  waitid(P_PID, exiting, &info, WEXITED);
  printf("waitid exited: signo %d code %d status %d pid-matches %d\n", info.si_signo, info.si_code, info.si_status,
         info.si_pid == exiting);

  pid_t sleeper = fork();
  if (sleeper == 0) { pause(); _exit(0); }
  memset(&info, 0xff, sizeof info);
  int rc = waitid(P_PID, sleeper, &info, WEXITED | WNOHANG);
  printf("waitid WNOHANG on a running child: %d, si_pid %d, si_signo %d\n", rc, info.si_pid, info.si_signo);
  kill(sleeper, SIGKILL);
  waitid(P_ALL, 0, &info, WEXITED);
  printf("waitid killed: code %d (CLD_KILLED %d) status %d\n", info.si_code, CLD_KILLED, info.si_status);
  printf("waitid with no children: %d\n", waitid(P_ALL, 0, &info, WEXITED));
  return 0;
}
