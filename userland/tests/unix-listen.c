/*
 * AF_UNIX names and connections: a server bound to a pathname (a socket file in a fresh directory under
 * /tmp) and one bound to an abstract name accept clients from a child process; getsockname, getpeername
 * and accept give Linux's addresses and lengths; SO_PEERCRED names the other process; a second bind of a
 * name is EADDRINUSE, an unbound listen EINVAL, a non-blocking accept EAGAIN and a non-blocking connect to
 * a full backlog EAGAIN; connecting where nothing listens is ECONNREFUSED (a closed server's file, a
 * regular file), to a missing path ENOENT and to another socket type EPROTOTYPE; open(2) of a socket file
 * is ENXIO; a second bind of a socket is EINVAL (EADDRINUSE first when its path exists); bind with only
 * the family picks an abstract name of five hex digits; the socketcall(2) multiplexer reaches the same calls.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *yes(int ok) { return ok ? "yes" : "no"; }

static socklen_t path_address(struct sockaddr_un *a, const char *path) {
  memset(a, 0, sizeof *a);
  a->sun_family = AF_UNIX;
  strcpy(a->sun_path, path);
  return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1);
}

static socklen_t abstract_address(struct sockaddr_un *a, const char *name) {
  memset(a, 0, sizeof *a);
  a->sun_family = AF_UNIX;
  memcpy(a->sun_path + 1, name, strlen(name));
  return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name));
}

/* A child connects to `addr`, sends its pid, reads a reply and exits with 0 when it was "ok". */
static pid_t client(const struct sockaddr_un *addr, socklen_t len) {
  pid_t pid = fork();
  if (pid != 0) return pid;
  int c = socket(AF_UNIX, SOCK_STREAM, 0);
  if (connect(c, (const struct sockaddr *)addr, len) != 0) _exit(2);
  pid_t me = getpid();
  write(c, &me, sizeof me);
  char reply[3] = {0};
  read(c, reply, 2);
  _exit(strcmp(reply, "ok") == 0 ? 0 : 3);
}

/* Serves one client on listener `l`; returns whether everything it saw agreed. */
static int serve(int l, const struct sockaddr_un *bound, socklen_t bound_len) {
  pid_t child = client(bound, bound_len);
  struct sockaddr_un peer;
  socklen_t peer_len = sizeof peer;
  int c = accept(l, (struct sockaddr *)&peer, &peer_len);
  pid_t sent = 0;
  read(c, &sent, sizeof sent);
  struct ucred cred;
  socklen_t cred_len = sizeof cred;
  getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cred, &cred_len);
  struct sockaddr_un local;
  socklen_t local_len = sizeof local;
  getsockname(c, (struct sockaddr *)&local, &local_len);
  write(c, "ok", 2);
  int status = -1;
  waitpid(child, &status, 0);
  close(c);
  return c >= 0 && peer_len == offsetof(struct sockaddr_un, sun_path) && sent == child && cred.pid == child &&
         local_len == bound_len && memcmp(&local, bound, bound_len) == 0 && WIFEXITED(status) &&
         WEXITSTATUS(status) == 0;
}

int main(void) {
  char dir[] = "/tmp/kmos-unix-XXXXXX";
  mkdtemp(dir);
  char path[128];
  snprintf(path, sizeof path, "%s/server.sock", dir);
  struct sockaddr_un addr;
  socklen_t addr_len = path_address(&addr, path);

  int l = socket(AF_UNIX, SOCK_STREAM, 0);
  printf("listen before bind is EINVAL: %s\n", yes(listen(l, 5) < 0 && errno == EINVAL));
  printf("bind to a pathname: %s\n", yes(bind(l, (struct sockaddr *)&addr, addr_len) == 0));
  struct stat st;
  printf("it made a socket file: %s\n", yes(stat(path, &st) == 0 && S_ISSOCK(st.st_mode)));
  printf("open of the socket file is ENXIO: %s\n", yes(open(path, O_RDWR) < 0 && errno == ENXIO));
  printf("binding it again to its path is EADDRINUSE: %s\n",
         yes(bind(l, (struct sockaddr *)&addr, addr_len) < 0 && errno == EADDRINUSE));
  char second_path[160];
  snprintf(second_path, sizeof second_path, "%s/second.sock", dir);
  struct sockaddr_un second_addr;
  socklen_t second_len = path_address(&second_addr, second_path);
  printf("binding a bound socket to a new path is EINVAL: %s\n",
         yes(bind(l, (struct sockaddr *)&second_addr, second_len) < 0 && errno == EINVAL));
  printf("and leaves no file there: %s\n", yes(stat(second_path, &st) < 0 && errno == ENOENT));
  int other = socket(AF_UNIX, SOCK_STREAM, 0);
  printf("bind to an existing path is EADDRINUSE: %s\n",
         yes(bind(other, (struct sockaddr *)&addr, addr_len) < 0 && errno == EADDRINUSE));
  struct sockaddr_un name;
  socklen_t name_len = sizeof name;
  getsockname(l, (struct sockaddr *)&name, &name_len);
  printf("getsockname gives the path and its NUL: %s\n",
         yes(name_len == addr_len && strcmp(name.sun_path, path) == 0));
  printf("accept before listen is EINVAL: %s\n", yes(accept(l, NULL, NULL) < 0 && errno == EINVAL));
  printf("listen: %s\n", yes(listen(l, 5) == 0));
  int v = 0;
  socklen_t vlen = sizeof v;
  getsockopt(l, SOL_SOCKET, SO_ACCEPTCONN, &v, &vlen);
  printf("SO_ACCEPTCONN says listening: %s\n", yes(v == 1));
  fcntl(l, F_SETFL, O_NONBLOCK);
  printf("non-blocking accept with none waiting is EAGAIN: %s\n", yes(accept(l, NULL, NULL) < 0 && errno == EAGAIN));
  fcntl(l, F_SETFL, 0);
  printf("pathname server serves a client: %s\n", yes(serve(l, &addr, addr_len)));

  // A client's view of the connection.
  int c = socket(AF_UNIX, SOCK_STREAM, 0);
  connect(c, (struct sockaddr *)&addr, addr_len);
  name_len = sizeof name;
  getpeername(c, (struct sockaddr *)&name, &name_len);
  printf("getpeername gives the server's path: %s\n", yes(name_len == addr_len && strcmp(name.sun_path, path) == 0));
  printf("connect again is EISCONN: %s\n", yes(connect(c, (struct sockaddr *)&addr, addr_len) < 0 && errno == EISCONN));
  int a = accept(l, NULL, NULL);
  close(a);
  close(c);

  // A full backlog: listen(0) takes one waiting connection, then a non-blocking connect is EAGAIN.
  int small = socket(AF_UNIX, SOCK_STREAM, 0);
  struct sockaddr_un small_addr;
  socklen_t small_len = abstract_address(&small_addr, "kmos-small-backlog");
  bind(small, (struct sockaddr *)&small_addr, small_len);
  listen(small, 0);
  int c1 = socket(AF_UNIX, SOCK_STREAM, 0);
  int c2 = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
  int first = connect(c1, (struct sockaddr *)&small_addr, small_len);
  int second = connect(c2, (struct sockaddr *)&small_addr, small_len);
  printf("full backlog: non-blocking connect is EAGAIN: %s\n", yes(first == 0 && second < 0 && errno == EAGAIN));
  close(c1);
  close(c2);
  close(small);

  // Abstract names.
  int al = socket(AF_UNIX, SOCK_STREAM, 0);
  struct sockaddr_un abs_addr;
  socklen_t abs_len = abstract_address(&abs_addr, "kmos-abstract-test");
  printf("bind to an abstract name: %s\n", yes(bind(al, (struct sockaddr *)&abs_addr, abs_len) == 0));
  int dup_bind = socket(AF_UNIX, SOCK_STREAM, 0);
  printf("abstract name taken is EADDRINUSE: %s\n",
         yes(bind(dup_bind, (struct sockaddr *)&abs_addr, abs_len) < 0 && errno == EADDRINUSE));
  close(dup_bind);
  listen(al, 5);
  name_len = sizeof name;
  getsockname(al, (struct sockaddr *)&name, &name_len);
  printf("getsockname gives the abstract name exactly: %s\n", yes(name_len == abs_len && memcmp(&name, &abs_addr, abs_len) == 0));
  printf("abstract server serves a client: %s\n", yes(serve(al, &abs_addr, abs_len)));
  close(al);
  int late = socket(AF_UNIX, SOCK_STREAM, 0);
  printf("closed abstract name refuses: %s\n",
         yes(connect(late, (struct sockaddr *)&abs_addr, abs_len) < 0 && errno == ECONNREFUSED));

  // Autobind.
  int auto_sock = socket(AF_UNIX, SOCK_DGRAM, 0);
  struct sockaddr_un family_only = {.sun_family = AF_UNIX};
  bind(auto_sock, (struct sockaddr *)&family_only, sizeof(sa_family_t));
  name_len = sizeof name;
  getsockname(auto_sock, (struct sockaddr *)&name, &name_len);
  int hex = name_len == offsetof(struct sockaddr_un, sun_path) + 6 && name.sun_path[0] == 0;
  for (int i = 1; hex && i < 6; i++) hex = strchr("0123456789abcdef", name.sun_path[i]) != NULL;
  printf("autobind picks five hex digits: %s\n", yes(hex));
  close(auto_sock);

  // Where nothing listens.
  close(l);
  printf("the socket file outlives its socket: %s\n", yes(stat(path, &st) == 0 && S_ISSOCK(st.st_mode)));
  printf("connect to a closed server's file is ECONNREFUSED: %s\n",
         yes(connect(late, (struct sockaddr *)&addr, addr_len) < 0 && errno == ECONNREFUSED));
  char missing[160];
  snprintf(missing, sizeof missing, "%s/missing.sock", dir);
  struct sockaddr_un miss;
  socklen_t miss_len = path_address(&miss, missing);
  printf("connect to a missing path is ENOENT: %s\n",
         yes(connect(late, (struct sockaddr *)&miss, miss_len) < 0 && errno == ENOENT));
  char regular[160];
  snprintf(regular, sizeof regular, "%s/regular", dir);
  close(open(regular, O_CREAT | O_WRONLY, 0600));
  struct sockaddr_un reg;
  socklen_t reg_len = path_address(&reg, regular);
  printf("connect to a regular file is ECONNREFUSED: %s\n",
         yes(connect(late, (struct sockaddr *)&reg, reg_len) < 0 && errno == ECONNREFUSED));
  unlink(path);
  l = socket(AF_UNIX, SOCK_STREAM, 0);
  printf("bind again after unlink: %s\n", yes(bind(l, (struct sockaddr *)&addr, addr_len) == 0 && listen(l, 1) == 0));
  int dg = socket(AF_UNIX, SOCK_DGRAM, 0);
  printf("a datagram socket connecting to a stream listener is EPROTOTYPE: %s\n",
         yes(connect(dg, (struct sockaddr *)&addr, addr_len) < 0 && errno == EPROTOTYPE));
  struct sockaddr_un bad = {.sun_family = AF_INET};
  printf("wrong family is EINVAL: %s\n", yes(connect(late, (struct sockaddr *)&bad, sizeof bad) < 0 && errno == EINVAL));
  printf("listen on a datagram socket is EOPNOTSUPP: %s\n", yes(listen(dg, 1) < 0 && errno == EOPNOTSUPP));
  printf("an unknown family is EAFNOSUPPORT: %s\n",
         yes(socket(AF_UNIX + 100, SOCK_STREAM, 0) < 0 && errno == EAFNOSUPPORT));

  // socketcall(2), as programs built for old kernels reach the same calls.
  unsigned long args[4] = {AF_UNIX, SOCK_STREAM, 0, 0};
  int sc = (int)syscall(SYS_socketcall, 1 /* SYS_SOCKET */, args);
  unsigned long gargs[3] = {(unsigned long)sc, (unsigned long)&name, (unsigned long)&name_len};
  name_len = sizeof name;
  int got = (int)syscall(SYS_socketcall, 6 /* SYS_GETSOCKNAME */, gargs);
  printf("socketcall reaches socket and getsockname: %s\n", yes(sc >= 0 && got == 0 && name_len == 2));
  printf("socketcall with a bad call is EINVAL: %s\n", yes(syscall(SYS_socketcall, 99, args) < 0 && errno == EINVAL));

  close(l);
  close(late);
  close(dg);
  close(sc);
  unlink(path);
  unlink(regular);
  rmdir(dir);
  return 0;
}
