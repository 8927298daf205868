/*
 * System V shared memory: a private segment is zeroed, attached, shared with a forked child (whose writes
 * the parent sees) and counted in shm_nattch as attaches come and go; a keyed segment is found again by
 * its key (EEXIST with IPC_EXCL, EINVAL asking for more than its size, ENOENT without IPC_CREAT); SHM_RDONLY
 * attaches fault on writes; SHM_RND rounds an address down and an unaligned one without it is EINVAL;
 * shmdt of an address no attach starts at is EINVAL; /proc/self/maps names an attach /SYSV<key>
 * (deleted); IPC_SET changes the mode, SHM_LOCK sets SHM_LOCKED; IPC_RMID of an attached segment marks it
 * SHM_DEST with a private key, and it goes with its last detach.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <unistd.h>
#include "read-file.h"

static const char *yes(int ok) { return ok ? "yes" : "no"; }

static unsigned long attaches(int id) {
  struct shmid_ds ds;
  return shmctl(id, IPC_STAT, &ds) == 0 ? (unsigned long)ds.shm_nattch : 999;
}

int main(void) {
  int id = shmget(IPC_PRIVATE, 10000, IPC_CREAT | 0600);
  printf("shmget: %s\n", yes(id >= 0));
  struct shmid_ds ds;
  shmctl(id, IPC_STAT, &ds);
  printf("IPC_STAT: size, mode, creator: %s\n",
         yes(ds.shm_segsz == 10000 && (ds.shm_perm.mode & 0777) == 0600 && ds.shm_cpid == getpid() &&
             ds.shm_nattch == 0 && ds.shm_perm.uid == geteuid() && ds.shm_perm.__key == IPC_PRIVATE));
  char *p = shmat(id, NULL, 0);
  printf("shmat: %s\n", yes(p != (void *)-1));
  int zero = 1;
  for (int i = 0; i < 10000; i++) zero &= p[i] == 0;
  printf("zeroed: %s\n", yes(zero));
  printf("one attach: %s\n", yes(attaches(id) == 1));
  strcpy(p, "parent");
  char maps[65536];
  size_t n = read_file("/proc/self/maps", maps, sizeof maps - 1);
  maps[n] = 0;
  printf("maps names it: %s\n", yes(strstr(maps, "rw-s 00000000 00:01") && strstr(maps, "/SYSV00000000 (deleted)")));

  int ready[2];
  pipe(ready);
  pid_t child = fork();
  if (child == 0) {
    strcpy(p + 100, "child wrote");
    char c = 1;
    write(ready[1], &c, 1);
    pause();
    _exit(0);
  }
  char c;
  read(ready[0], &c, 1);
  printf("fork shares it: %s\n", yes(strcmp(p + 100, "child wrote") == 0));
  printf("fork counts an attach: %s\n", yes(attaches(id) == 2));
  kill(child, SIGKILL);
  waitpid(child, NULL, 0);
  printf("exit drops it: %s\n", yes(attaches(id) == 1));

  // A second attach of the same segment elsewhere.
  char *q = shmat(id, NULL, SHM_RDONLY);
  printf("second attach sees the first: %s\n", yes(q != (void *)-1 && strcmp(q, "parent") == 0 && attaches(id) == 2));
  child = fork();
  if (child == 0) {
    q[0] = 'x';
    _exit(0);
  }
  int status;
  waitpid(child, &status, 0);
  printf("writing a read-only attach is SIGSEGV: %s\n", yes(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV));
  printf("shmdt of a non-attach is EINVAL: %s\n", yes(shmdt(q + 4096) < 0 && errno == EINVAL));
  printf("shmdt: %s\n", yes(shmdt(q) == 0 && attaches(id) == 1));

  // Addresses.
  char *fixed = (char *)0x50000000;
  printf("unaligned without SHM_RND is EINVAL: %s\n", yes(shmat(id, fixed + 100, 0) == (void *)-1 && errno == EINVAL));
  char *rounded = shmat(id, fixed + 100, SHM_RND);
  printf("SHM_RND rounds down: %s\n", yes(rounded == fixed && strcmp(rounded, "parent") == 0));
  printf("over an attach without SHM_REMAP is EINVAL: %s\n", yes(shmat(id, fixed, 0) == (void *)-1 && errno == EINVAL));
  shmdt(rounded);

  // Keys.
  key_t key = 0x4b000000 | (getpid() & 0xffff);
  int k1 = shmget(key, 4096, IPC_CREAT | IPC_EXCL | 0640);
  printf("keyed create: %s\n", yes(k1 >= 0));
  printf("found by its key: %s\n", yes(shmget(key, 100, 0) == k1));
  printf("IPC_EXCL is EEXIST: %s\n", yes(shmget(key, 4096, IPC_CREAT | IPC_EXCL | 0640) < 0 && errno == EEXIST));
  printf("larger is EINVAL: %s\n", yes(shmget(key, 8192, 0) < 0 && errno == EINVAL));
  printf("missing key is ENOENT: %s\n", yes(shmget(key + 1, 4096, 0) < 0 && errno == ENOENT));
  printf("size 0 is EINVAL: %s\n", yes(shmget(IPC_PRIVATE, 0, IPC_CREAT | 0600) < 0 && errno == EINVAL));
  shmctl(k1, IPC_STAT, &ds);
  ds.shm_perm.mode = 0604;
  printf("IPC_SET: %s\n", yes(shmctl(k1, IPC_SET, &ds) == 0 && shmctl(k1, IPC_STAT, &ds) == 0 && (ds.shm_perm.mode & 0777) == 0604));
  printf("SHM_LOCK: %s\n", yes(shmctl(k1, SHM_LOCK, NULL) == 0 && shmctl(k1, IPC_STAT, &ds) == 0 && (ds.shm_perm.mode & SHM_LOCKED)));
  shmctl(k1, IPC_RMID, NULL);
  printf("unattached RMID is immediate: %s\n", yes(shmctl(k1, IPC_STAT, &ds) < 0 && errno == EINVAL));
  struct shminfo info;
  printf("IPC_INFO: %s\n", yes(shmctl(0, IPC_INFO, (struct shmid_ds *)&info) >= 0 && info.shmmin == 1));

  // RMID while attached.
  printf("RMID while attached: %s\n", yes(shmctl(id, IPC_RMID, NULL) == 0));
  shmctl(id, IPC_STAT, &ds);
  printf("SHM_DEST and a private key: %s\n", yes((ds.shm_perm.mode & SHM_DEST) && ds.shm_perm.__key == IPC_PRIVATE && ds.shm_nattch == 1));
  printf("still usable: %s\n", yes(strcmp(p, "parent") == 0));
  shmdt(p);
  printf("gone with the last detach: %s\n", yes(shmctl(id, IPC_STAT, &ds) < 0 && errno == EINVAL));
  return 0;
}
