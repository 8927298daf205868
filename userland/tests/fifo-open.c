/*
 * Opening a FIFO for one end waits for the other (fifo(7)): a reader's open returns once a writer opens,
 * and a writer's once a reader does, so the data goes through; a signal whose handler has no SA_RESTART
 * ends a waiting open with EINTR; O_RDWR and a non-blocking reader's open return at once, a non-blocking
 * writer's with no reader is ENXIO, and a reader that opened non-blocking reads EOF until a writer comes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *yes(int ok) { return ok ? "yes" : "no"; }

static void on_alarm(int sig) { (void)sig; }

int main(void) {
  char dir[] = "/tmp/kmos-fifo-XXXXXX";
  mkdtemp(dir);
  char path[64];
  snprintf(path, sizeof path, "%s/f", dir);
  mkfifo(path, 0600);

  /* The reader opens first; the child writes after a pause. */
  pid_t child = fork();
  if (child == 0) {
    usleep(100000);
    int w = open(path, O_WRONLY);
    write(w, "through", 7);
    _exit(0);
  }
  int r = open(path, O_RDONLY);
  char buf[16] = {0};
  printf("reader's open waits for the writer, then reads: %s\n", yes(r >= 0 && read(r, buf, sizeof buf) == 7 && strcmp(buf, "through") == 0));
  printf("then EOF: %s\n", yes(read(r, buf, sizeof buf) == 0));
  close(r);
  waitpid(child, NULL, 0);

  /* The writer opens first. */
  child = fork();
  if (child == 0) {
    usleep(100000);
    int rr = open(path, O_RDONLY);
    char b[16] = {0};
    _exit(read(rr, b, sizeof b) == 4 && memcmp(b, "back", 4) == 0 ? 0 : 1);
  }
  int w = open(path, O_WRONLY);
  printf("writer's open waits for the reader: %s\n", yes(w >= 0 && write(w, "back", 4) == 4));
  close(w);
  int status;
  waitpid(child, &status, 0);
  printf("the reader got it: %s\n", yes(WIFEXITED(status) && WEXITSTATUS(status) == 0));

  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_alarm;
  sigaction(SIGALRM, &sa, NULL);
  alarm(1);
  errno = 0;
  int lonely = open(path, O_RDONLY);
  printf("a signal ends a waiting open with EINTR: %s\n", yes(lonely == -1 && errno == EINTR));

  int both = open(path, O_RDWR);
  printf("O_RDWR opens at once: %s\n", yes(both >= 0));
  close(both);
  int nb = open(path, O_RDONLY | O_NONBLOCK);
  printf("a non-blocking reader opens at once: %s\n", yes(nb >= 0));
  printf("and reads EOF with no writer: %s\n", yes(read(nb, buf, sizeof buf) == 0));
  close(nb);
  printf("a non-blocking writer without a reader ENXIO: %s\n", yes(open(path, O_WRONLY | O_NONBLOCK) == -1 && errno == ENXIO));
  unlink(path);
  rmdir(dir);
  return 0;
}
