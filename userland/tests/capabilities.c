/*
 * capget and capset: the sets capget gives agree with /proc/self/status's CapEff, CapPrm and CapInh; a
 * header with an unknown version gets version 3 written back (EINVAL, or 0 when no data is asked for, as
 * libcap probes); capset drops a capability from the effective set (status shows it, a forked child
 * inherits it) and from the permitted set, after which it cannot come back (EPERM); bits past the last
 * capability are ignored; another process's sets cannot be changed (EPERM).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "read-file.h"

static const char *yes(int ok) { return ok ? "yes" : "no"; }

static unsigned long long status_set(const char *name) {
  static char text[8192];
  size_t n = read_file("/proc/self/status", text, sizeof text - 1);
  text[n] = 0;
  char *at = strstr(text, name);
  unsigned long long v = ~0ULL;
  if (at) sscanf(at + strlen(name), "%llx", &v);
  return v;
}

static int get(pid_t pid, struct __user_cap_data_struct data[2]) {
  struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, pid};
  return (int)syscall(SYS_capget, &h, data);
}

static unsigned long long joined(unsigned lo, unsigned hi) { return (unsigned long long)hi << 32 | lo; }

int main(void) {
  struct __user_cap_data_struct d[2];
  memset(d, 0, sizeof d);
  int r = get(0, d);
  printf("capget agrees with status: %s\n",
         yes(r == 0 && joined(d[0].effective, d[1].effective) == status_set("CapEff:") &&
             joined(d[0].permitted, d[1].permitted) == status_set("CapPrm:") &&
             joined(d[0].inheritable, d[1].inheritable) == status_set("CapInh:")));

  struct __user_cap_header_struct probe = {0, 0};
  printf("an unknown version with no data: 0, version 3 back: %s\n",
         yes(syscall(SYS_capget, &probe, NULL) == 0 && probe.version == _LINUX_CAPABILITY_VERSION_3));
  probe.version = 0;
  printf("with data: EINVAL, version 3 back: %s\n",
         yes(syscall(SYS_capget, &probe, d) < 0 && errno == EINVAL && probe.version == _LINUX_CAPABILITY_VERSION_3));

  get(0, d);
  int had_chown = (d[0].effective & 1) != 0;
  d[0].effective &= ~1u;
  struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
  r = (int)syscall(SYS_capset, &h, d);
  printf("capset drops CAP_CHOWN from the effective set: %s\n",
         yes(r == 0 && (status_set("CapEff:") & 1) == 0 && (status_set("CapPrm:") & 1) == (unsigned)had_chown));
  pid_t child = fork();
  if (child == 0) _exit((status_set("CapEff:") & 1) == 0 ? 0 : 1);
  int status;
  waitpid(child, &status, 0);
  printf("a forked child inherits it: %s\n", yes(WIFEXITED(status) && WEXITSTATUS(status) == 0));

  get(0, d);
  d[0].permitted &= ~1u;
  int dropped = (int)syscall(SYS_capset, &h, d);
  d[0].permitted |= 1;
  d[0].effective |= 1;
  printf("once out of the permitted set it cannot come back (EPERM): %s\n",
         yes(dropped == 0 && syscall(SYS_capset, &h, d) < 0 && errno == EPERM));
  d[0].permitted &= ~1u;
  d[0].effective &= ~1u;
  d[1].permitted |= 0x80000000u;  // capability 63: past CAP_LAST_CAP, masked away
  printf("bits past the last capability are ignored: %s\n", yes(syscall(SYS_capset, &h, d) == 0));
  get(0, d);
  child = fork();
  if (child == 0) {
    pause();
    _exit(0);
  }
  struct __user_cap_header_struct other = {_LINUX_CAPABILITY_VERSION_3, child};
  printf("capset of another process is EPERM: %s\n", yes(syscall(SYS_capset, &other, d) < 0 && errno == EPERM));
  kill(child, 9);
  waitpid(child, NULL, 0);
  return 0;
}
