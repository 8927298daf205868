/* deadlock: the only thread waits on a futex nothing will ever wake. Linux would hang; `kmos run` reports a
 * deadlock and stops (tests/userland/deadlock.test.ts). Not compared with a native run, which never ends. */
#include <linux/futex.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void) {
  static int word;
  printf("waiting\n");
  fflush(stdout);
  syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
  printf("woken\n");
  return 0;
}
