// Debian's Python 3.11 for i386, from an unpacked tree (the interpreter, its standard library, libc, zlib,
// expat): a script using threads, fork and pipes, a subprocess of the interpreter itself, a signal handler,
// temporary files and select, and one using AF_UNIX sockets (a socketpair, a server thread on an abstract
// name, descriptors passed to a child, datagrams, selectors, SO_PEERCRED) and multiprocessing (Pipe and
// Queue: socket pairs, POSIX semaphores in /dev/shm), and one using TCP and UDP over loopback (socketserver,
// http.server and urllib), must print under `kmos run --root` what they print natively. Natively the host's
// i386 loader runs it with the tree's libraries (LD_LIBRARY_PATH) and standard library (PYTHONHOME); the
// script prints no paths, which differ between the two runs. Skipped, saying why, on a host that cannot
// download i386 packages.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runInTree, unpackedTree } from './unpacked-tree.js';

const root = unpackedTree([
  'python3.11-minimal:i386',
  'libpython3.11-minimal:i386',
  'libpython3.11-stdlib:i386',
  'libc6:i386',
  'zlib1g:i386',
  'libexpat1:i386',
]);

const SCRIPT = `
import json, os, select, signal, subprocess, sys, tempfile, threading
sums = []
lock = threading.Lock()
def work(n):
    with lock:
        sums.append(sum(range(n)))
threads = [threading.Thread(target=work, args=(1000 * i,)) for i in range(4)]
for t in threads: t.start()
for t in threads: t.join()
print("threads", sorted(sums))
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    os.close(r)
    os.write(w, b"from the child")
    os._exit(7)
os.close(w)
print("pipe", os.read(r, 100), "status", os.waitpid(pid, 0)[1] >> 8)
sub = subprocess.run([sys.executable, "-c", "print(6 * 7)"], capture_output=True, text=True)
print("subprocess", sub.stdout.strip(), sub.returncode)
caught = []
signal.signal(signal.SIGUSR1, lambda signum, frame: caught.append(signum))
os.kill(os.getpid(), signal.SIGUSR1)
print("signal", caught)
with tempfile.TemporaryDirectory() as d:
    name = os.path.join(d, "data.json")
    with open(name, "w") as f:
        json.dump({"n": [1, 2.5, None], "s": "\\u00e9"}, f)
    with open(name) as f:
        print("file", os.stat(name).st_size, json.load(f), sorted(os.listdir(d)))
print("select", select.select([], [], [], 0.01))
sys.exit(3)
`;

const SOCKETS_SCRIPT = `
import multiprocessing as mp, os, selectors, socket, struct, threading
a, b = socket.socketpair()
a.sendall(b"ping")
print("pair", b.recv(10))
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind("\\0kmos-python-test")
srv.listen(2)
def serve():
    conn, _ = srv.accept()
    with conn:
        conn.sendall(conn.recv(100).upper())
t = threading.Thread(target=serve)
t.start()
c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
c.connect("\\0kmos-python-test")
c.sendall(b"hello server")
print("echo", c.recv(100))
t.join()
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    msg, fds, flags, addr = socket.recv_fds(b, 10, 1)
    os.write(fds[0], b"via child")
    os._exit(0)
socket.send_fds(a, [b"x"], [w])
os.waitpid(pid, 0)
print("fd passing", os.read(r, 100))
d1, d2 = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
d1.send(b"one"); d1.send(b"two")
print("dgram", d2.recv(10), d2.recv(10))
sel = selectors.DefaultSelector()
sel.register(d2, selectors.EVENT_READ)
print("selector idle", sel.select(0))
d1.send(b"three")
print("selector ready", [k.fileobj is d2 for k, e in sel.select(1)])
cred = a.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
print("peercred", cred[4:] == struct.pack("2i", os.getuid(), os.getgid()))
def child(conn):
    conn.send(sum(range(100)))
    conn.close()
mp.set_start_method("fork")
parent, kid = mp.Pipe()
p = mp.Process(target=child, args=(kid,))
p.start()
print("multiprocessing pipe", parent.recv())
p.join()
q = mp.Queue()
p = mp.Process(target=q.put, args=("queued",))
p.start()
print("multiprocessing queue", q.get(), p.join(), p.exitcode)
`;

const INET_SCRIPT = `
import http.server, os, socket, socketserver, tempfile, threading, urllib.request
class Echo(socketserver.StreamRequestHandler):
    def handle(self):
        for line in self.rfile:
            self.wfile.write(line.upper())
with socketserver.ThreadingTCPServer(("127.0.0.1", 0), Echo) as server:
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with socket.create_connection(server.server_address) as c:
        print("tcp peer is the server", c.getpeername() == server.server_address)
        c.sendall(b"hello\\nworld\\n")
        c.shutdown(socket.SHUT_WR)
        print("tcp echo", b"".join(iter(lambda: c.recv(3), b"")))
    server.shutdown()
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("127.0.0.1", 0))
v = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
v.sendto(b"datagram", u.getsockname())
data, sender = u.recvfrom(100)
print("udp", data, sender == v.getsockname())
try:
    socket.create_connection(("127.0.0.1", sender[1]), timeout=5)
except ConnectionRefusedError as e:
    print("refused", e.errno)
class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass
with tempfile.TemporaryDirectory() as d:
    with open(os.path.join(d, "page.txt"), "w") as f:
        f.write("served over http\\n")
    handler = lambda *a, **k: Quiet(*a, directory=d, **k)
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as web:
        threading.Thread(target=web.serve_forever, daemon=True).start()
        url = "http://127.0.0.1:%d/page.txt" % web.server_address[1]
        with urllib.request.urlopen(url) as r:
            print("http", r.status, r.headers["Content-Length"], r.read())
        try:
            urllib.request.urlopen(url + ".missing")
        except urllib.error.HTTPError as e:
            print("http error", e.code)
        web.shutdown()
`;

/** Runs `script` natively (the host's loader with the tree's libraries) and under kmOS; both must agree. */
function expectSameRun(name: string, script: string, mark: string) {
  const path = join(root!, 'tmp', name);
  writeFileSync(path, script);
  const libraries = ['lib/i386-linux-gnu', 'usr/lib/i386-linux-gnu'].map((d) => join(root!, d)).join(':');
  const native = spawnSync(join(root!, 'usr/bin/python3.11'), [path], {
    encoding: 'utf8',
    env: { LANG: 'C', LD_LIBRARY_PATH: libraries, PYTHONHOME: join(root!, 'usr') },
    timeout: 60_000,
  });
  expect(native.stderr).toBe('');
  expect(native.stdout).toContain(mark);
  const kmos = runInTree(root!, ['/usr/bin/python3.11', `/tmp/${name}`]);
  expect({ stdout: kmos.stdout, stderr: kmos.stderr, status: kmos.status }).toEqual({
    stdout: native.stdout,
    stderr: native.stderr,
    status: native.status,
  });
}

describe.skipIf(root === null)('Python 3.11 from Debian, in an unpacked tree', () => {
  it('runs a script with threads, fork, a subprocess, signals and files as it runs natively', () => {
    expectSameRun('script.py', SCRIPT, 'subprocess 42 0');
  }, 600_000);

  it('runs a script with AF_UNIX sockets and multiprocessing as it runs natively', () => {
    expectSameRun('sockets.py', SOCKETS_SCRIPT, 'multiprocessing queue queued None 0');
  }, 600_000);

  it('runs a TCP echo server, UDP and an HTTP server with urllib over loopback as it runs natively', () => {
    expectSameRun('inet.py', INET_SCRIPT, 'http error 404');
  }, 600_000);
});
