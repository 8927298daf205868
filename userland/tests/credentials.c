/* credentials: the set*id rules — what root may do, what an unprivileged process may still do with its saved
 * id, and the EPERM it gets otherwise. Run as root (as CI does); a non-root run prints the refusals only. */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void show(const char *what) {
  uid_t r, e, s;
  gid_t gr, ge, gs;
  getresuid(&r, &e, &s);
  getresgid(&gr, &ge, &gs);
  printf("%-28s uid %u/%u/%u gid %u/%u/%u\n", what, r, e, s, gr, ge, gs);
}

static void attempt(const char *what, int rc) { printf("%-28s %s\n", what, rc == 0 ? "ok" : strerror(errno)); }

int main(void) {
  show("start");
  if (getuid() != 0) {
    attempt("setuid(0) unprivileged", setuid(0));
    return 0;
  }
  gid_t groups[2] = {10, 20};
  attempt("setgroups", setgroups(2, groups));
  printf("getgroups count %d\n", getgroups(0, NULL));
  attempt("setresgid(100,100,100)", setresgid(100, 100, 100));
  attempt("setresuid(1000,1000,0)", setresuid(1000, 1000, 0));
  show("after setresuid");
  attempt("seteuid(0) via saved id", seteuid(0));
  show("after seteuid(0)");
  attempt("setreuid(-1,1000)", setreuid(-1, 1000));
  show("after setreuid");
  attempt("setuid(1000)", setuid(1000));
  show("after setuid");
  attempt("setuid(0) via saved id", setuid(0));
  show("after setuid(0)");
  attempt("setresuid(1000,1000,1000)", setresuid(1000, 1000, 1000));
  attempt("setuid(0) with no saved 0", setuid(0));
  attempt("setresuid(-1,0,-1)", setresuid(-1, 0, -1));
  attempt("setgroups unprivileged", setgroups(2, groups));
  show("end");
  return 0;
}
