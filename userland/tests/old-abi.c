/*
 * Calls of i386's first ABI, made as old binaries make them (through syscall(2), with the kernel's old
 * structs): stat, lstat and fstat agree with stat64; statfs agrees
 * with statfs64; getdents lists a directory with each entry's inode and type; readdir gives one entry a
 * call and 0 at the end; select takes its arguments in a struct; setrlimit sets a 32-bit limit.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *yes(int ok) { return ok ? "yes" : "no"; }

/* The kernel's i386 struct stat (asm/stat.h). */
struct kstat {
  unsigned long st_dev, st_ino;
  unsigned short st_mode, st_nlink, st_uid, st_gid;
  unsigned long st_rdev, st_size, st_blksize, st_blocks;
  unsigned long st_atime_, st_atime_nsec, st_mtime_, st_mtime_nsec, st_ctime_, st_ctime_nsec;
  unsigned long unused4, unused5;
};

struct kstatfs {
  long f_type, f_bsize, f_blocks, f_bfree, f_bavail, f_files, f_ffree;
  int f_fsid[2];
  long f_namelen, f_frsize, f_flags, f_spare[4];
};

struct linux_dirent {
  unsigned long d_ino, d_off;
  unsigned short d_reclen;
  char d_name[];
};

struct old_linux_dirent {
  unsigned long d_ino, d_offset;
  unsigned short d_namlen;
  char d_name[256];
};

static int names_are(char found[][16], int n) {
  const char *want[] = {".", "..", "a", "bb", "ccc"};
  int hit = 0;
  for (int i = 0; i < 5; i++)
    for (int j = 0; j < n; j++)
      if (strcmp(found[j], want[i]) == 0) hit++;
  return n == 5 && hit == 5;
}

int main(void) {
  char dir[] = "/tmp/kmos-old-abi-XXXXXX";
  mkdtemp(dir);
  char path[128], link[128];
  snprintf(path, sizeof path, "%s/a", dir);
  int fd = open(path, O_CREAT | O_RDWR, 0640);
  write(fd, "12345", 5);
  struct stat st;
  stat(path, &st);
  struct kstat k;
  printf("stat: %s\n", yes(syscall(SYS_stat, path, &k) == 0 && k.st_ino == st.st_ino && k.st_mode == st.st_mode &&
                          k.st_nlink == st.st_nlink && k.st_size == 5 && k.st_mtime_ == (unsigned long)st.st_mtime));
  printf("fstat: %s\n", yes(syscall(SYS_fstat, fd, &k) == 0 && k.st_ino == st.st_ino && k.st_size == 5));
  snprintf(link, sizeof link, "%s/bb", dir);
  symlink("a", link);
  printf("lstat: %s\n", yes(syscall(SYS_lstat, link, &k) == 0 && S_ISLNK(k.st_mode) && k.st_size == 1));
  // (A file past 2 GiB is EOVERFLOW on an i386 kernel, as kmOS is; an x86-64 host's compat stat truncates
  // the size instead, so the two cannot be compared here.)
  snprintf(path, sizeof path, "%s/ccc", dir);
  close(open(path, O_CREAT | O_RDWR, 0600));

  struct kstatfs ks;
  struct statfs s64;
  statfs("/proc", &s64);
  printf("statfs: %s\n", yes(syscall(SYS_statfs, "/proc", &ks) == 0 && ks.f_type == (long)s64.f_type &&
                            ks.f_bsize == (long)s64.f_bsize && ks.f_namelen == (long)s64.f_namelen));

  int d = open(dir, O_RDONLY | O_DIRECTORY);
  char buf[4096];
  long n = syscall(SYS_getdents, d, buf, sizeof buf);
  char names[16][16];
  int count = 0, a_ok = 0;
  for (long at = 0; at < n && count < 16;) {
    struct linux_dirent *e = (struct linux_dirent *)(buf + at);
    snprintf(names[count++], 16, "%s", e->d_name);
    char type = buf[at + e->d_reclen - 1];
    if (strcmp(e->d_name, "a") == 0) a_ok = e->d_ino == st.st_ino && type == DT_REG;
    at += e->d_reclen;
  }
  printf("getdents: %s\n", yes(names_are(names, count) && a_ok));
  close(d);

  d = open(dir, O_RDONLY | O_DIRECTORY);
  struct old_linux_dirent od;
  count = 0;
  long r;
  while ((r = syscall(SYS_readdir, d, &od, 1)) == 1 && count < 16) snprintf(names[count++], 16, "%s", od.d_name);
  printf("readdir: %s\n", yes(r == 0 && names_are(names, count)));
  close(d);

  int p[2];
  pipe(p);
  write(p[1], "x", 1);
  fd_set rd;
  FD_ZERO(&rd);
  FD_SET(p[0], &rd);
  struct timeval tv = {0, 0};
  struct {
    unsigned long n;
    fd_set *inp, *outp, *exp;
    struct timeval *tvp;
  } args = {p[0] + 1, &rd, NULL, NULL, &tv};
  printf("select: %s\n", yes(syscall(SYS_select, &args) == 1 && FD_ISSET(p[0], &rd)));

  struct {
    unsigned long cur, max;
  } lim;
  struct rlimit now;
  getrlimit(RLIMIT_NOFILE, &now);
  lim.cur = 100;
  lim.max = now.rlim_max;
  printf("setrlimit: %s\n", yes(syscall(SYS_setrlimit, RLIMIT_NOFILE, &lim) == 0 && getrlimit(RLIMIT_NOFILE, &now) == 0 &&
                               now.rlim_cur == 100));

  unlink(path);
  unlink(link);
  snprintf(path, sizeof path, "%s/a", dir);
  unlink(path);
  rmdir(dir);
  return 0;
}
