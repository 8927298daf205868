/*
 * Passing descriptors and credentials over AF_UNIX sockets: SCM_RIGHTS hands a pipe end and a file to the
 * receiver as new descriptors of the same open files (sharing the offset), close-on-exec with
 * MSG_CMSG_CLOEXEC; a control buffer too small for them all gives MSG_CTRUNC and closes the rest (the pipe's
 * reader then sees end of file); a bad descriptor is EBADF; a stream read ends with the message that
 * carried descriptors; a child receives a descriptor its parent opened. With SO_PASSCRED the receiver gets
 * SCM_CREDENTIALS with the sender's pid, uid and gid; a sender may state its own credentials but not
 * another pid (EPERM) unless it has CAP_SYS_ADMIN (and then one that exists: ESRCH).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "capability.h"

static const char *yes(int ok) { return ok ? "yes" : "no"; }

/* Sends `data` with `count` descriptors. */
static ssize_t send_fds(int sock, const char *data, const int *fds, int count) {
  char control[CMSG_SPACE(sizeof(int) * 8)];
  memset(control, 0, sizeof control);
  struct iovec iov = {(void *)data, strlen(data)};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
  if (count > 0) {
    msg.msg_control = control;
    msg.msg_controllen = CMSG_SPACE(sizeof(int) * count);
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * count);
    memcpy(CMSG_DATA(c), fds, sizeof(int) * count);
  }
  return sendmsg(sock, &msg, 0);
}

/* Receives up to `max` descriptors into fds; returns their number, -1 on error; *flags gets msg_flags. */
static int recv_fds(int sock, char *data, size_t size, int *fds, int max, size_t room, int recv_flags,
                    int *flags, ssize_t *bytes) {
  char control[CMSG_SPACE(sizeof(int) * 8)];
  struct iovec iov = {data, size};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = room};
  *bytes = recvmsg(sock, &msg, recv_flags);
  if (*bytes < 0) return -1;
  *flags = msg.msg_flags;
  int got = 0;
  for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    int n = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
    for (int i = 0; i < n && got < max; i++) memcpy(&fds[got++], CMSG_DATA(c) + i * sizeof(int), sizeof(int));
  }
  return got;
}

int main(void) {
  int sv[2];
  socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
  int p[2];
  pipe(p);
  char path[] = "/tmp/kmos-rights-XXXXXX";
  int file = mkstemp(path);
  write(file, "0123456789", 10);
  lseek(file, 3, SEEK_SET);

  int pass[2] = {p[1], file};
  printf("sendmsg with two descriptors: %s\n", yes(send_fds(sv[0], "fds", pass, 2) == 3));
  char data[16] = {0};
  int fds[8];
  int flags = 0;
  ssize_t bytes;
  int got = recv_fds(sv[1], data, sizeof data, fds, 8, sizeof(char[CMSG_SPACE(sizeof(int) * 8)]), MSG_CMSG_CLOEXEC,
                     &flags, &bytes);
  printf("both arrive with the data: %s\n", yes(got == 2 && bytes == 3 && strcmp(data, "fds") == 0));
  printf("msg_flags keeps MSG_CMSG_CLOEXEC: %s\n", yes(flags == MSG_CMSG_CLOEXEC));
  printf("as new descriptors: %s\n", yes(got == 2 && fds[0] != p[1] && fds[1] != file));
  printf("MSG_CMSG_CLOEXEC makes them close-on-exec: %s\n",
         yes(got == 2 && fcntl(fds[0], F_GETFD) == FD_CLOEXEC && fcntl(fds[1], F_GETFD) == FD_CLOEXEC));
  write(fds[0], "via", 3);
  char piped[4] = {0};
  read(p[0], piped, 3);
  printf("the passed pipe end is the same pipe: %s\n", yes(strcmp(piped, "via") == 0));
  printf("the passed file shares its offset: %s\n", yes(lseek(fds[1], 0, SEEK_CUR) == 3));
  close(fds[0]);
  close(fds[1]);

  // A control buffer with room for one: MSG_CTRUNC, and the other is closed.
  int p2[2];
  pipe(p2);
  int two[2] = {file, p2[1]};
  send_fds(sv[0], "x", two, 2);
  close(p2[1]);
  got = recv_fds(sv[1], data, sizeof data, fds, 8, CMSG_SPACE(sizeof(int)), 0, &flags, &bytes);
  printf("room for one: one arrives, MSG_CTRUNC: %s\n", yes(got == 1 && (flags & MSG_CTRUNC)));
  printf("and it is not close-on-exec: %s\n", yes(got == 1 && fcntl(fds[0], F_GETFD) == 0));
  char c;
  printf("the one left out was closed (its pipe reads end of file): %s\n", yes(read(p2[0], &c, 1) == 0));
  close(fds[0]);
  close(p2[0]);

  // A plain read drops the descriptors.
  int p3[2];
  pipe(p3);
  send_fds(sv[0], "y", &p3[1], 1);
  close(p3[1]);
  printf("read without a control buffer takes the data: %s\n", yes(read(sv[1], data, sizeof data) == 1));
  printf("and closes what came with it: %s\n", yes(read(p3[0], &c, 1) == 0));
  close(p3[0]);

  int bad = 999;
  printf("a bad descriptor is EBADF: %s\n", yes(send_fds(sv[0], "z", &bad, 1) < 0 && errno == EBADF));

  // A stream read gathers up to the end of a message with descriptors and stops there.
  write(sv[0], "plain", 5);
  send_fds(sv[0], "withfd", &file, 1);
  write(sv[0], "after", 5);
  memset(data, 0, sizeof data);
  got = recv_fds(sv[1], data, sizeof data, fds, 8, sizeof(char[CMSG_SPACE(sizeof(int) * 8)]), 0, &flags, &bytes);
  printf("stream read takes descriptors with their message: %s\n", yes(got == 1 && bytes == 11));
  ssize_t rest = read(sv[1], data, sizeof data);
  printf("and stops after it: %s\n", yes(rest == 5 && memcmp(data, "after", 5) == 0));
  close(fds[0]);

  // A child receives a descriptor its parent opens after the fork.
  pid_t child = fork();
  if (child == 0) {
    int in[1];
    char buf[16];
    int f;
    ssize_t n;
    int k = recv_fds(sv[1], buf, sizeof buf, in, 1, sizeof(char[CMSG_SPACE(sizeof(int) * 8)]), 0, &f, &n);
    char head[4] = {0};
    if (k != 1 || pread(in[0], head, 3, 0) != 3) _exit(2);
    _exit(strcmp(head, "012") == 0 ? 0 : 3);
  }
  int late = open(path, O_RDONLY);
  send_fds(sv[0], "late", &late, 1);
  close(late);
  int status = -1;
  waitpid(child, &status, 0);
  printf("a child receives a descriptor opened after fork: %s\n", yes(WIFEXITED(status) && WEXITSTATUS(status) == 0));

  // Credentials.
  int on = 1;
  setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof on);
  write(sv[0], "who", 3);
  char control[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(sizeof(int) * 4)];
  struct iovec iov = {data, sizeof data};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control};
  recvmsg(sv[1], &msg, 0);
  struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
  struct ucred uc = {0};
  if (cm && cm->cmsg_type == SCM_CREDENTIALS) memcpy(&uc, CMSG_DATA(cm), sizeof uc);
  printf("SO_PASSCRED brings SCM_CREDENTIALS: %s\n",
         yes(cm && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_CREDENTIALS &&
             cm->cmsg_len == CMSG_LEN(sizeof uc)));
  printf("with the sender's pid, uid and gid: %s\n", yes(uc.pid == getpid() && uc.uid == getuid() && uc.gid == getgid()));

  char out_control[CMSG_SPACE(sizeof(struct ucred))];
  struct iovec oiov = {"me", 2};
  struct msghdr out = {.msg_iov = &oiov, .msg_iovlen = 1, .msg_control = out_control, .msg_controllen = sizeof out_control};
  struct cmsghdr *oc = CMSG_FIRSTHDR(&out);
  oc->cmsg_level = SOL_SOCKET;
  oc->cmsg_type = SCM_CREDENTIALS;
  oc->cmsg_len = CMSG_LEN(sizeof(struct ucred));
  struct ucred mine = {getpid(), getuid(), getgid()};
  memcpy(CMSG_DATA(oc), &mine, sizeof mine);
  printf("a sender may state its own credentials: %s\n", yes(sendmsg(sv[0], &out, 0) == 2));
  recv(sv[1], data, sizeof data, 0);
  pid_t sleeper = fork();
  if (sleeper == 0) {
    pause();
    _exit(0);
  }
  struct ucred other = {sleeper, getuid(), getgid()};
  memcpy(CMSG_DATA(oc), &other, sizeof other);
  ssize_t forged = sendmsg(sv[0], &out, 0);
  printf("a child's pid needs CAP_SYS_ADMIN: %s\n",
         yes(has_capability(21) ? forged == 2 : (forged < 0 && errno == EPERM)));
  struct ucred nobody = {0x7ffffff0, getuid(), getgid()};
  memcpy(CMSG_DATA(oc), &nobody, sizeof nobody);
  ssize_t missing = sendmsg(sv[0], &out, 0);
  printf("a pid no process has is ESRCH, or EPERM: %s\n",
         yes(missing < 0 && errno == (has_capability(21) ? ESRCH : EPERM)));
  oc->cmsg_len = CMSG_LEN(sizeof(struct ucred) - 4);
  printf("a short SCM_CREDENTIALS is EINVAL: %s\n", yes(sendmsg(sv[0], &out, 0) < 0 && errno == EINVAL));

  kill(sleeper, SIGKILL);
  waitpid(sleeper, NULL, 0);
  unlink(path);
  return 0;
}
