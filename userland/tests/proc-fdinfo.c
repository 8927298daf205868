/*
 * proc-fdinfo: /proc/self/mountinfo and /proc/self/fdinfo/N, checked against what the process can learn
 * otherwise. mountinfo: every line parses (ID, parent, major:minor, root, mount point, options, "-", type,
 * source, options), IDs are unique, one mount is the root (its parent itself or not listed), the list has
 * /proc/self/mounts' mount points and types in its order, and /proc's and /'s st_dev match their lines.
 * fdinfo: pos is lseek's, flags are F_GETFL's plus O_CLOEXEC for a close-on-exec descriptor (octal), ino is
 * fstat's, and mnt_id names the mount whose st_dev the file has; a pipe's mnt_id is no listed mount; the
 * directory lists the open descriptors; a closed descriptor's entry is gone. Numbers differ between systems,
 * so lines say whether they agree rather than print them.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define MAX_MOUNTS 256

struct mount_line {
  int id, parent;
  unsigned major, minor;
  char point[256], type[64];
};

static struct mount_line mounts[MAX_MOUNTS];
static int mount_count;

static const char *yes(int ok) { return ok ? "yes" : "no"; }

/* Reads mountinfo into `mounts`; 0 when a line does not parse. */
static int read_mountinfo(void) {
  FILE *f = fopen("/proc/self/mountinfo", "r");
  if (!f) return 0;
  char line[1024];
  int ok = 1;
  while (fgets(line, sizeof line, f) && mount_count < MAX_MOUNTS) {
    struct mount_line *m = &mounts[mount_count++];
    char root[256], options[256];
    int used = 0;
    if (sscanf(line, "%d %d %u:%u %255s %255s %255s %n", &m->id, &m->parent, &m->major, &m->minor, root,
               m->point, options, &used) != 7) {
      ok = 0;
      continue;
    }
    // Optional fields (shared:N, master:N, ...) up to the lone "-", then type, source and options.
    char *rest = line + used;
    char *dash = strstr(rest, "- ");
    while (dash && dash != rest && dash[-1] != ' ') dash = strstr(dash + 1, "- ");
    char source[256], super_options[256];
    if (!dash || sscanf(dash + 2, "%63s %255s %255s", m->type, source, super_options) != 3) ok = 0;
    if (strncmp(options, "rw", 2) != 0 && strncmp(options, "ro", 2) != 0) ok = 0;
    if (strncmp(super_options, "rw", 2) != 0 && strncmp(super_options, "ro", 2) != 0) ok = 0;
  }
  fclose(f);
  return ok && mount_count > 0;
}

static const struct mount_line *mount_by_id(int id) {
  for (int i = 0; i < mount_count; i++)
    if (mounts[i].id == id) return &mounts[i];
  return NULL;
}

static const struct mount_line *mount_at(const char *point) {
  const struct mount_line *found = NULL;
  for (int i = 0; i < mount_count; i++)  // the last one mounted there is the one seen
    if (strcmp(mounts[i].point, point) == 0) found = &mounts[i];
  return found;
}

static void check_mountinfo(void) {
  printf("mountinfo lines parse: %s\n", yes(read_mountinfo()));
  int unique = 1, roots = 0;
  for (int i = 0; i < mount_count; i++) {
    for (int j = i + 1; j < mount_count; j++)
      if (mounts[i].id == mounts[j].id) unique = 0;
    if (mounts[i].parent == mounts[i].id || !mount_by_id(mounts[i].parent)) roots++;
  }
  printf("mount IDs unique: %s\n", yes(unique));
  printf("one root mount: %s\n", yes(roots == 1));

  // /proc/self/mounts lists the same mounts in the same order.
  FILE *f = fopen("/proc/self/mounts", "r");
  int same = f != NULL, n = 0;
  char line[1024];
  while (f && fgets(line, sizeof line, f)) {
    char source[256], point[256], type[64];
    if (sscanf(line, "%255s %255s %63s", source, point, type) != 3 || n >= mount_count ||
        strcmp(point, mounts[n].point) != 0 || strcmp(type, mounts[n].type) != 0)
      same = 0;
    n++;
  }
  if (f) fclose(f);
  printf("mounts lists the same mounts in order: %s\n", yes(same && n == mount_count));

  const char *points[] = {"/", "/proc"};
  for (int i = 0; i < 2; i++) {
    const struct mount_line *m = mount_at(points[i]);
    struct stat st;
    int match = m && stat(points[i], &st) == 0 && major(st.st_dev) == m->major && minor(st.st_dev) == m->minor;
    printf("%s: listed, st_dev matches: %s\n", points[i], yes(match));
  }
  const struct mount_line *proc = mount_at("/proc");
  printf("/proc's type is proc: %s\n", yes(proc && strcmp(proc->type, "proc") == 0));
}

struct fdinfo {
  long long pos;
  unsigned flags;
  int mnt_id;
  unsigned long long ino;
};

/* Reads /proc/self/fdinfo/<fd>; 0 when it is missing or lacks a field. */
static int read_fdinfo(int fd, struct fdinfo *info) {
  char path[64], line[256];
  snprintf(path, sizeof path, "/proc/self/fdinfo/%d", fd);
  FILE *f = fopen(path, "r");
  if (!f) return 0;
  int fields = 0;
  while (fgets(line, sizeof line, f)) {
    if (sscanf(line, "pos: %lld", &info->pos) == 1) fields |= 1;
    if (sscanf(line, "flags: %o", &info->flags) == 1) fields |= 2;
    if (sscanf(line, "mnt_id: %d", &info->mnt_id) == 1) fields |= 4;
    if (sscanf(line, "ino: %llu", &info->ino) == 1) fields |= 8;
  }
  fclose(f);
  return fields == 15;
}

/* One descriptor's fdinfo against lseek, fcntl and fstat; `seekable` files also check pos. */
static void check_fd(const char *what, int fd, int seekable) {
  struct fdinfo info;
  struct stat st;
  if (!read_fdinfo(fd, &info) || fstat(fd, &st) != 0) {
    printf("%s: fdinfo read: no\n", what);
    return;
  }
  int cloexec = (fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0;
  unsigned expected = (unsigned)fcntl(fd, F_GETFL) | (cloexec ? O_CLOEXEC : 0);
  off_t pos = seekable ? lseek(fd, 0, SEEK_CUR) : 0;
  const struct mount_line *m = mount_by_id(info.mnt_id);
  printf("%s: pos %s, flags %s, ino %s, ", what, yes(info.pos == pos), yes(info.flags == expected),
         yes(info.ino == (unsigned long long)st.st_ino));
  if (seekable)
    printf("mnt_id names its mount: %s\n",
           yes(m && major(st.st_dev) == m->major && minor(st.st_dev) == m->minor));
  else
    printf("mnt_id is no listed mount: %s\n", yes(m == NULL));
}

/* The listing names exactly the open descriptors (probed with F_GETFD while the directory is open). */
static void check_listing(void) {
  DIR *d = opendir("/proc/self/fdinfo");
  int listed = 0, all_open = 1, open_fds = 0;
  for (int fd = 0; fd < 1024; fd++)
    if (fcntl(fd, F_GETFD) >= 0) open_fds++;
  struct dirent *e;
  while (d && (e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.') continue;
    listed++;
    if (fcntl(atoi(e->d_name), F_GETFD) < 0) all_open = 0;
  }
  if (d) closedir(d);
  printf("fdinfo lists the open descriptors: %s\n", yes(d && all_open && listed == open_fds));
}

int main(int argc, char **argv) {
  (void)argc;
  check_mountinfo();

  int file = open(argv[0], O_RDONLY);
  lseek(file, 100, SEEK_SET);
  check_fd("program, at 100", file, 1);
  int cloexec = open(argv[0], O_RDONLY | O_CLOEXEC);
  check_fd("close-on-exec", cloexec, 1);
  fcntl(cloexec, F_SETFD, 0);
  check_fd("close-on-exec cleared", cloexec, 1);
  int status = open("/proc/self/status", O_RDONLY);
  char buf[16];
  if (read(status, buf, sizeof buf) != sizeof buf) return 1;
  check_fd("/proc/self/status after a read", status, 1);
  int flags = fcntl(status, F_GETFL);
  fcntl(status, F_SETFL, flags | O_NONBLOCK);
  check_fd("O_NONBLOCK set by F_SETFL", status, 1);
  int p[2];
  if (pipe(p) != 0) return 1;
  check_fd("pipe read end", p[0], 0);
  check_fd("pipe write end", p[1], 0);
  check_listing();

  close(p[1]);
  struct fdinfo gone;
  errno = 0;
  int missing = !read_fdinfo(p[1], &gone) && errno == ENOENT;
  printf("a closed descriptor's fdinfo is gone (ENOENT): %s\n", yes(missing));
  return 0;
}
