/* Shared by the test programs: the siginfo sigqueue would send, for the raw queueing syscalls. */
#ifndef KMOS_TESTS_QUEUED_SIGNAL_H
#define KMOS_TESTS_QUEUED_SIGNAL_H
#include <signal.h>
#include <string.h>
#include <unistd.h>

/* SI_QUEUE from this process with `value`, as glibc's sigqueue fills it. */
static siginfo_t queued_siginfo(int signo, int value) {
  siginfo_t info;
  memset(&info, 0, sizeof info);
  info.si_signo = signo;
  info.si_code = SI_QUEUE;
  info.si_pid = getpid();
  info.si_uid = getuid();
  info.si_value.sival_int = value;
  return info;
}
#endif
