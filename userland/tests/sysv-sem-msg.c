/*
 * System V semaphores and message queues. Semaphores: a new set is zeroed; SETVAL/GETVAL/SETALL/GETALL and
 * GETPID; semop applies several operations at once or none (IPC_NOWAIT: EAGAIN, leaving every value);
 * a waiter for a value is woken by a child's increment and counted by GETNCNT meanwhile; wait-for-zero;
 * semtimedop times out with EAGAIN; SEM_UNDO is undone when the process exits; ERANGE past SEMVMX, EFBIG
 * for a semaphore past the set, E2BIG for too many operations; IPC_RMID wakes a waiter with EIDRM.
 * Message queues: typed messages come back in order, by type, by MSG_EXCEPT, by the lowest type up to a
 * bound; E2BIG for a short buffer unless MSG_NOERROR truncates; ENOMSG with IPC_NOWAIT; MSG_COPY copies
 * by index; IPC_STAT counts messages and bytes; a full queue makes a non-blocking sender EAGAIN; a blocked
 * receiver gets a child's message; IPC_RMID wakes a blocked receiver with EIDRM.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *yes(int ok) { return ok ? "yes" : "no"; }

union semun {
  int val;
  struct semid_ds *buf;
  unsigned short *array;
};

struct msg {
  long type;
  char text[64];
};

int main(void) {
  int s = semget(IPC_PRIVATE, 3, IPC_CREAT | 0600);
  printf("semget: %s\n", yes(s >= 0));
  unsigned short all[3] = {9, 9, 9};
  semctl(s, 0, GETALL, (union semun){.array = all});
  printf("new set is zeroed: %s\n", yes(all[0] == 0 && all[1] == 0 && all[2] == 0));
  semctl(s, 1, SETVAL, (union semun){.val = 5});
  printf("SETVAL/GETVAL: %s\n", yes(semctl(s, 1, GETVAL) == 5 && semctl(s, 1, GETPID) == getpid()));
  unsigned short set3[3] = {1, 2, 3};
  semctl(s, 0, SETALL, (union semun){.array = set3});
  printf("SETALL: %s\n", yes(semctl(s, 0, GETVAL) == 1 && semctl(s, 2, GETVAL) == 3));

  struct sembuf two[2] = {{0, -1, 0}, {2, -5, IPC_NOWAIT}};
  printf("all or nothing (EAGAIN): %s\n", yes(semop(s, two, 2) < 0 && errno == EAGAIN && semctl(s, 0, GETVAL) == 1));
  struct sembuf same[2] = {{1, +3, 0}, {1, -4, 0}};
  printf("operations see each other: %s\n", yes(semop(s, same, 2) == 0 && semctl(s, 1, GETVAL) == 1));
  struct sembuf big = {0, 32767, 0};
  printf("past SEMVMX is ERANGE: %s\n", yes(semop(s, &big, 1) < 0 && errno == ERANGE));
  struct sembuf far = {7, 1, 0};
  printf("a semaphore past the set is EFBIG: %s\n", yes(semop(s, &far, 1) < 0 && errno == EFBIG));

  // A waiter woken by a child.
  semctl(s, 0, SETVAL, (union semun){.val = 0});
  pid_t child = fork();
  if (child == 0) {
    while (semctl(s, 0, GETNCNT) != 1) usleep(1000);
    struct sembuf up = {0, 2, 0};
    semop(s, &up, 1);
    _exit(0);
  }
  struct sembuf down = {0, -2, 0};
  printf("a waiter is woken by an increment: %s\n", yes(semop(s, &down, 1) == 0 && semctl(s, 0, GETVAL) == 0));
  waitpid(child, NULL, 0);
  semctl(s, 2, SETVAL, (union semun){.val = 1});
  child = fork();
  if (child == 0) {
    while (semctl(s, 2, GETZCNT) != 1) usleep(1000);
    struct sembuf take = {2, -1, 0};
    semop(s, &take, 1);
    _exit(0);
  }
  struct sembuf zero = {2, 0, 0};
  printf("wait-for-zero: %s\n", yes(semop(s, &zero, 1) == 0));
  waitpid(child, NULL, 0);
  struct timespec short_wait = {0, 20 * 1000 * 1000};
  struct sembuf never = {0, -1, 0};
  printf("semtimedop times out: %s\n", yes(semtimedop(s, &never, 1, &short_wait) < 0 && errno == EAGAIN));

  // SEM_UNDO.
  child = fork();
  if (child == 0) {
    struct sembuf undo = {1, +4, SEM_UNDO};
    semop(s, &undo, 1);
    _exit(semctl(s, 1, GETVAL) == 5 ? 0 : 1);
  }
  int status;
  waitpid(child, &status, 0);
  printf("SEM_UNDO is undone at exit: %s\n", yes(WEXITSTATUS(status) == 0 && semctl(s, 1, GETVAL) == 1));
  struct semid_ds ds;
  semctl(s, 0, IPC_STAT, (union semun){.buf = &ds});
  printf("IPC_STAT: %s\n", yes(ds.sem_nsems == 3 && (ds.sem_perm.mode & 0777) == 0600 && ds.sem_otime != 0));

  child = fork();
  if (child == 0) {
    struct sembuf wait1 = {0, -1, 0};
    int r = semop(s, &wait1, 1);
    _exit(r < 0 && errno == EIDRM ? 0 : 1);
  }
  while (semctl(s, 0, GETNCNT) != 1) usleep(1000);
  semctl(s, 0, IPC_RMID);
  waitpid(child, &status, 0);
  printf("IPC_RMID wakes a waiter with EIDRM: %s\n", yes(WIFEXITED(status) && WEXITSTATUS(status) == 0));
  printf("gone: %s\n", yes(semctl(s, 0, GETVAL) < 0 && errno == EINVAL));

  // Message queues.
  int q = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
  printf("msgget: %s\n", yes(q >= 0));
  struct msg m;
  const char *texts[] = {"one", "two", "three", "four"};
  long types[] = {3, 1, 2, 1};
  for (int i = 0; i < 4; i++) {
    m.type = types[i];
    strcpy(m.text, texts[i]);
    msgsnd(q, &m, strlen(texts[i]) + 1, 0);
  }
  struct msqid_ds qs;
  msgctl(q, IPC_STAT, &qs);
  printf("IPC_STAT counts: %s\n", yes(qs.msg_qnum == 4 && qs.msg_cbytes == 4 + 4 + 6 + 5 && qs.msg_lspid == getpid()));
  ssize_t n = msgrcv(q, &m, sizeof m.text, 1, 0);
  printf("by type: %s\n", yes(n == 4 && m.type == 1 && strcmp(m.text, "two") == 0));
  n = msgrcv(q, &m, sizeof m.text, 1, MSG_EXCEPT);
  printf("MSG_EXCEPT: %s\n", yes(n == 4 && m.type == 3 && strcmp(m.text, "one") == 0));
  n = msgrcv(q, &m, sizeof m.text, 2, MSG_COPY | IPC_NOWAIT);
  printf("MSG_COPY missing index is ENOMSG: %s\n", yes(n < 0 && errno == ENOMSG));
  n = msgrcv(q, &m, sizeof m.text, 1, MSG_COPY | IPC_NOWAIT);
  printf("MSG_COPY by index: %s\n", yes(n == 5 && strcmp(m.text, "four") == 0));
  n = msgrcv(q, &m, 2, -2, 0);
  printf("too long is E2BIG: %s\n", yes(n < 0 && errno == E2BIG));
  n = msgrcv(q, &m, 2, -2, MSG_NOERROR);
  printf("lowest type, truncated: %s\n", yes(n == 2 && m.type == 1 && memcmp(m.text, "fo", 2) == 0));
  n = msgrcv(q, &m, sizeof m.text, 0, 0);
  printf("first: %s\n", yes(n == 6 && m.type == 2 && strcmp(m.text, "three") == 0));
  printf("empty with IPC_NOWAIT is ENOMSG: %s\n", yes(msgrcv(q, &m, sizeof m.text, 0, IPC_NOWAIT) < 0 && errno == ENOMSG));
  m.type = 0;
  printf("mtype 0 is EINVAL: %s\n", yes(msgsnd(q, &m, 1, 0) < 0 && errno == EINVAL));

  // A full queue.
  static struct {
    long type;
    char text[8192];
  } bigm = {1, {0}};
  msgsnd(q, &bigm, 8192, 0);
  msgsnd(q, &bigm, 8192, 0);
  printf("full queue: EAGAIN: %s\n", yes(msgsnd(q, &bigm, 1, IPC_NOWAIT) < 0 && errno == EAGAIN));
  msgrcv(q, &bigm, 8192, 0, 0);
  msgrcv(q, &bigm, 8192, 0, 0);

  child = fork();
  if (child == 0) {
    usleep(5000);
    struct msg c = {7, "from child"};
    msgsnd(q, &c, 11, 0);
    _exit(0);
  }
  n = msgrcv(q, &m, sizeof m.text, 7, 0);
  printf("a blocked receiver gets a child's message: %s\n", yes(n == 11 && strcmp(m.text, "from child") == 0));
  waitpid(child, NULL, 0);
  child = fork();
  if (child == 0) {
    struct msg c;
    ssize_t r = msgrcv(q, &c, sizeof c.text, 0, 0);
    _exit(r < 0 && errno == EIDRM ? 0 : 1);
  }
  usleep(20000);
  msgctl(q, IPC_RMID, NULL);
  waitpid(child, &status, 0);
  printf("IPC_RMID wakes a receiver with EIDRM: %s\n", yes(WIFEXITED(status) && WEXITSTATUS(status) == 0));
  printf("gone: %s\n", yes(msgctl(q, IPC_STAT, &qs) < 0 && errno == EINVAL));
  return 0;
}
