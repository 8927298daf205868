/*
 * /proc/sysvipc/shm, sem and msg, as ipcs reads them: each has its header, and a line for an object this
 * program made giving its key, identifier, permissions and the kind's counts (a segment's size, creator
 * and attaches; a set's semaphores; a queue's bytes, messages and last sender) and owner.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <unistd.h>
#include "read-file.h"

static const char *yes(int ok) { return ok ? "yes" : "no"; }
static char text[1 << 16];

/* The line of /proc/sysvipc/<kind> for identifier `id`, into `line`; 0 when there is none. */
static int line_of(const char *kind, int id, char *line, size_t size) {
  char path[64];
  snprintf(path, sizeof path, "/proc/sysvipc/%s", kind);
  size_t n = read_file(path, text, sizeof text - 1);
  text[n] = 0;
  for (char *l = strtok(text, "\n"); l; l = strtok(NULL, "\n")) {
    int key, got;
    if (sscanf(l, "%d %d", &key, &got) == 2 && got == id) {
      snprintf(line, size, "%s", l);
      return 1;
    }
  }
  return 0;
}

static int header_is(const char *kind, const char *start) {
  char path[64];
  snprintf(path, sizeof path, "/proc/sysvipc/%s", kind);
  size_t n = read_file(path, text, sizeof text - 1);
  text[n] = 0;
  return strncmp(text, start, strlen(start)) == 0;
}

int main(void) {
  key_t base = 0x4c000000 | ((getpid() & 0xfff) << 4);
  printf("shm header: %s\n", yes(header_is("shm", "       key      shmid perms ")));
  printf("sem header: %s\n", yes(header_is("sem", "       key      semid perms      nsems   uid   gid  cuid  cgid      otime      ctime\n")));
  printf("msg header: %s\n", yes(header_is("msg", "       key      msqid perms      cbytes       qnum lspid lrpid   uid   gid  cuid  cgid      stime      rtime      ctime\n")));

  int shm = shmget(base + 1, 12345, IPC_CREAT | 0640);
  void *p = shmat(shm, NULL, 0);
  char line[512];
  int key, id, cpid, lpid, uid;
  unsigned perms, nattch;
  unsigned long size;
  int ok = line_of("shm", shm, line, sizeof line) &&
           sscanf(line, "%d %d %o %lu %d %d %u %d", &key, &id, &perms, &size, &cpid, &lpid, &nattch, &uid) == 8;
  printf("shm line: %s\n", yes(ok && key == base + 1 && perms == 0640 && size == 12345 && cpid == getpid() &&
                                lpid == getpid() && nattch == 1 && uid == (int)geteuid()));
  shmdt(p);
  shmctl(shm, IPC_RMID, NULL);
  printf("removed segment's line is gone: %s\n", yes(!line_of("shm", shm, line, sizeof line)));

  int sem = semget(base + 2, 4, IPC_CREAT | 0600);
  unsigned nsems;
  ok = line_of("sem", sem, line, sizeof line) && sscanf(line, "%d %d %o %u %d", &key, &id, &perms, &nsems, &uid) == 5;
  printf("sem line: %s\n", yes(ok && key == base + 2 && perms == 0600 && nsems == 4 && uid == (int)geteuid()));
  semctl(sem, 0, IPC_RMID);

  int msg = msgget(base + 3, IPC_CREAT | 0620);
  struct {
    long type;
    char text[8];
  } m = {5, "seven!"};
  msgsnd(msg, &m, 7, 0);
  unsigned long cbytes, qnum;
  int lspid;
  ok = line_of("msg", msg, line, sizeof line) &&
       sscanf(line, "%d %d %o %lu %lu %d", &key, &id, &perms, &cbytes, &qnum, &lspid) == 6;
  printf("msg line: %s\n", yes(ok && key == base + 3 && perms == 0620 && cbytes == 7 && qnum == 1 && lspid == getpid()));
  msgctl(msg, IPC_RMID, NULL);
  return 0;
}
