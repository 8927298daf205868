/*
 * xattrs: what a program asking for extended attributes sees where none are set (ls -l asks for
 * security.selinux of every file): a file and a symlink the program makes, /proc, a missing path, a bad
 * descriptor, names of no namespace or of bad length. Prints each call's result or errno name. Files are
 * asked for security.* names only: every Linux filesystem a /tmp may be on supports those (tmpfs before 6.6
 * had no user.* attributes).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

static void report(const char *what, long r) {
  if (r >= 0) printf("%s = %ld\n", what, r);
  else printf("%s = -1 %s\n", what, errno == ENODATA ? "ENODATA" : errno == EOPNOTSUPP ? "EOPNOTSUPP"
                                     : errno == ENOENT ? "ENOENT" : errno == EBADF ? "EBADF"
                                     : errno == ERANGE ? "ERANGE" : errno == ENOTDIR ? "ENOTDIR" : strerror(errno));
}

int main(void) {
  char dir[] = "/tmp/kmos-xattrs-XXXXXX";
  if (!mkdtemp(dir)) return 1;
  char file[64], link[64], missing[64], notdir[80];
  snprintf(file, sizeof file, "%s/file", dir);
  snprintf(link, sizeof link, "%s/link", dir);
  snprintf(missing, sizeof missing, "%s/missing", dir);
  snprintf(notdir, sizeof notdir, "%s/file/below", dir);
  int fd = open(file, O_CREAT | O_RDWR, 0644);
  if (fd < 0 || symlink("file", link) != 0) return 1;
  char buf[256];
  char longname[300];
  memset(longname, 'a', sizeof longname - 1);
  memcpy(longname, "user.", 5);
  longname[sizeof longname - 1] = '\0';
  report("getxattr file security.selinux", getxattr(file, "security.selinux", buf, sizeof buf));
  report("lgetxattr link security.selinux", lgetxattr(link, "security.selinux", buf, sizeof buf));
  report("getxattr link security.selinux", getxattr(link, "security.selinux", buf, sizeof buf));
  report("fgetxattr fd security.selinux", fgetxattr(fd, "security.selinux", buf, sizeof buf));
  report("listxattr file", listxattr(file, buf, sizeof buf));
  report("llistxattr link", llistxattr(link, buf, sizeof buf));
  report("flistxattr fd", flistxattr(fd, buf, sizeof buf));
  report("getxattr missing", getxattr(missing, "user.x", buf, sizeof buf));
  report("getxattr not a directory", getxattr(notdir, "user.x", buf, sizeof buf));
  report("fgetxattr bad fd", fgetxattr(999, "user.x", buf, sizeof buf));
  report("getxattr no namespace", getxattr(file, "nonsense", buf, sizeof buf));
  report("getxattr empty name", getxattr(file, "", buf, sizeof buf));
  report("getxattr long name", getxattr(file, longname, buf, sizeof buf));
  report("getxattr /proc/self/status", getxattr("/proc/self/status", "security.selinux", buf, sizeof buf));
  report("listxattr /proc/self/status", listxattr("/proc/self/status", buf, sizeof buf));
  report("setxattr /proc/self/status", setxattr("/proc/self/status", "user.x", "v", 1, 0));
  report("removexattr missing", removexattr(missing, "user.x"));
  close(fd);
  unlink(link);
  unlink(file);
  rmdir(dir);
  return 0;
}
