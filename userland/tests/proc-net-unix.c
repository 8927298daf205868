/*
 * /proc/net/unix, as ss and netstat read it: its header, and a line for each socket with the inode fstat
 * gives, the listener flag (00010000), the type, the state (01 unconnected or listening, 03 connected) and
 * the name: a path, or an abstract name after "@". A closed socket's line is gone.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include "read-file.h"

static const char *yes(int ok) { return ok ? "yes" : "no"; }

static char table[1 << 20];

/* The fields of the line for inode `ino`; 0 when there is none. */
static int line_of(unsigned long ino, unsigned *flags, unsigned *type, unsigned *st, char *path) {
  size_t n = read_file("/proc/net/unix", table, sizeof table - 1);
  table[n] = 0;
  for (char *line = strtok(strchr(table, '\n') + 1, "\n"); line; line = strtok(NULL, "\n")) {
    unsigned long got = 0;
    char name[256] = "";
    unsigned refs, proto;
    if (sscanf(line, "%*[0-9a-f]: %x %x %x %x %x %lu %255s", &refs, &proto, flags, type, st, &got, name) >= 6 &&
        got == ino) {
      strcpy(path, name);
      return 1;
    }
  }
  return 0;
}

static unsigned long inode_of(int fd) {
  struct stat s;
  fstat(fd, &s);
  return (unsigned long)s.st_ino;
}

int main(void) {
  size_t n = read_file("/proc/net/unix", table, sizeof table - 1);
  table[n] = 0;
  printf("header: %s\n", yes(strncmp(table, "Num       RefCount Protocol Flags    Type St Inode Path\n", 56) == 0));

  int l = socket(AF_UNIX, SOCK_STREAM, 0);
  struct sockaddr_un a = {.sun_family = AF_UNIX};
  memcpy(a.sun_path + 1, "kmos-proc-net", 13);
  bind(l, (struct sockaddr *)&a, offsetof(struct sockaddr_un, sun_path) + 14);
  listen(l, 4);
  unsigned flags = 0, type = 0, st = 0;
  char path[256];
  int found = line_of(inode_of(l), &flags, &type, &st, path);
  printf("listener: %s\n", yes(found && flags == 0x10000 && type == SOCK_STREAM && st == 1 && strcmp(path, "@kmos-proc-net") == 0));

  char dir[] = "/tmp/kmos-net-XXXXXX";
  mkdtemp(dir);
  struct sockaddr_un p = {.sun_family = AF_UNIX};
  snprintf(p.sun_path, sizeof p.sun_path, "%s/d.sock", dir);
  int d = socket(AF_UNIX, SOCK_DGRAM, 0);
  bind(d, (struct sockaddr *)&p, sizeof p);
  found = line_of(inode_of(d), &flags, &type, &st, path);
  printf("datagram with a path: %s\n", yes(found && flags == 0 && type == SOCK_DGRAM && st == 1 && strcmp(path, p.sun_path) == 0));

  int sv[2];
  socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv);
  path[0] = 'x';
  found = line_of(inode_of(sv[0]), &flags, &type, &st, path);
  printf("connected pair, no name: %s\n", yes(found && type == SOCK_SEQPACKET && st == 3 && path[0] == 0));
  unsigned long gone = inode_of(sv[1]);
  close(sv[1]);
  printf("closed socket's line is gone: %s\n", yes(!line_of(gone, &flags, &type, &st, path)));
  unlink(p.sun_path);
  rmdir(dir);
  return 0;
}
