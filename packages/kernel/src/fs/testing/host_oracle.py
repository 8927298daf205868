# The host kernel as the oracle for VFS tests: reads one JSON request per line and runs it in a forked
# child with its own mount namespace: tmpfs mounted over the requested directories, then chrooted into the
# host directory (so `..` at the root and absolute symlinks behave as in a guest's namespace). Each phase of
# file operations runs in a grandchild, as root or under the given uid/gid/groups. Prints the results as one
# JSON line. Results are values or errno names, in the shape
# vfs-oracle.test.ts produces from the VFS. Test support only; it calls the host kernel through os and libc.
import ctypes, errno, json, os, stat, sys

libc = ctypes.CDLL(None, use_errno=True)
AT_FDCWD = -100


def view(st):
    kind = stat.S_IFMT(st.st_mode)
    return {'type': kind, 'perm': st.st_mode & 0o7777, 'size': None if kind == stat.S_IFDIR else st.st_size,
            'nlink': st.st_nlink, 'uid': st.st_uid, 'gid': st.st_gid}


def renameat2(a, b, flags):
    if libc.renameat2(AT_FDCWD, a.encode('latin1'), AT_FDCWD, b.encode('latin1'), flags) != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))


def linkat(a, b, flags):
    if libc.linkat(AT_FDCWD, a.encode('latin1'), AT_FDCWD, b.encode('latin1'), flags) != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))
    return 'ok'


def try_exec(path):
    # The real execve in a child: EACCES and friends come from the permission checks; ENOEXEC means they
    # passed and only the (random) contents were refused.
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            os.execv(path, [path])
        except OSError as e:
            os.write(w, errno.errorcode[e.errno].encode())
        os._exit(0)
    os.close(w)
    err = os.read(r, 100).decode()
    os.close(r)
    os.waitpid(pid, 0)
    return 'ok' if err in ('', 'ENOEXEC') else err_raise(err)


def err_raise(name):
    raise OSError(getattr(errno, name), name)


def faccessat(path, mode, flags):
    if libc.faccessat(AT_FDCWD, path.encode('latin1'), mode, flags) != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))
    return 'ok'


def io(path, names, mode, actions):
    flags = 0
    for name in names:
        flags |= getattr(os, name)
    fd = os.open(path, flags, mode)
    out = []
    try:
        for a in actions:
            try:
                k = a['k']
                if k == 'write': out.append(os.write(fd, a['data'].encode('latin1')))
                elif k == 'read': out.append(os.read(fd, a['n']).hex())
                elif k == 'pread': out.append(os.pread(fd, a['n'], a['off']).hex())
                elif k == 'pwrite': out.append(os.pwrite(fd, a['data'].encode('latin1'), a['off']))
                elif k == 'lseek' and a['whence'] == os.SEEK_END and stat.S_ISDIR(os.fstat(fd).st_mode):
                    out.append('fs-specific')  # ext4 answers LLONG_MAX, tmpfs EINVAL
                elif k == 'lseek': out.append(os.lseek(fd, a['off'], a['whence']))
                elif k == 'ftruncate': os.ftruncate(fd, a['n']); out.append('ok')
                elif k == 'fstat': out.append(view(os.fstat(fd)))
            except OSError as e:
                out.append(errno.errorcode[e.errno])
    finally:
        os.close(fd)
    return out


def one(op, root):
    k = op['k']
    p = op.get('p')
    if k == 'mkdir': os.mkdir(p, op['mode']); return 'ok'
    if k == 'io':
        try:
            if stat.S_ISFIFO(os.stat(p).st_mode): return 'fifo'  # opening one would block the oracle
        except OSError:
            pass
        return io(p, op['flags'], op.get('mode', 0o644), op['actions'])
    if k == 'unlink': os.unlink(p); return 'ok'
    if k == 'rmdir': os.rmdir(p); return 'ok'
    if k == 'rename': renameat2(op['a'], op['b'], op['flags']); return 'ok'
    if k == 'link': return linkat(op['a'], op['b'], op['flags'])
    if k == 'symlink': os.symlink(op['target'], p); return 'ok'
    if k == 'readlink': return os.readlink(p)
    if k == 'stat': return view(os.stat(p, follow_symlinks=op['follow']))
    if k == 'chmod': os.chmod(p, op['mode']); return 'ok'
    if k == 'chown': os.chown(p, op['uid'], op['gid']); return 'ok'
    if k == 'truncate': os.truncate(p, op['n']); return 'ok'
    if k == 'access': return faccessat(p, op['mode'], op['flags'])
    if k == 'chdir': os.chdir(p); return 'ok'
    if k == 'getcwd': return os.getcwd()
    if k == 'mkfifo': os.mkfifo(p, op['mode']); return 'ok'
    if k == 'readdir': return sorted(os.listdir(p))
    if k == 'exec': return try_exec(p)
    if k == 'utime': os.utime(p, None if op['now'] else (5, 7)); return 'ok'
    raise ValueError(k)


def phase(ops, root):
    out = []
    for op in ops:
        try:
            out.append(one(op, root))
        except OSError as e:
            out.append(errno.errorcode[e.errno])
    return out


CLONE_NEWNS = 0x00020000
MS_REC = 0x4000
MS_PRIVATE = 1 << 18


def check(rc):
    if rc != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))


def in_child(body):
    """Runs body() in a forked child; returns what it returned (JSON over a pipe)."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            data = json.dumps(body()).encode()
        except BaseException as e:
            data = json.dumps({'crash': repr(e)}).encode()
        os.write(w, data)
        os._exit(0)
    os.close(w)
    chunks = []
    while True:
        chunk = os.read(r, 65536)
        if not chunk: break
        chunks.append(chunk)
    os.close(r)
    os.waitpid(pid, 0)
    return json.loads(b''.join(chunks))


def run_phase(cred, ops):
    if cred:
        os.setgroups(cred['groups'])
        os.setresgid(cred['gid'], cred['gid'], cred['gid'])
        os.setresuid(cred['uid'], cred['uid'], cred['uid'])
    return phase(ops, '/')


def run_request(req):
    root = req['root']
    check(libc.unshare(CLONE_NEWNS))
    check(libc.mount(b'none', b'/', None, MS_REC | MS_PRIVATE, None))
    for name in req.get('mounts', []):
        path = os.path.join(root, name)
        os.mkdir(path, 0o755)
        check(libc.mount(b'tmpfs', path.encode(), b'tmpfs', 0, b'mode=755'))
    os.chroot(root)
    results = []
    for ph in req['phases']:
        os.chdir('/')
        results.append(in_child(lambda: run_phase(ph.get('cred'), ph['ops'])))
    return results


os.umask(0o022)
for line in sys.stdin:
    req = json.loads(line)
    print(json.dumps(in_child(lambda: run_request(req))), flush=True)
