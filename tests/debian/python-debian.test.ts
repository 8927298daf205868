// Debian's Python 3.11 for i386, from an unpacked tree (the interpreter, its standard library, libc, zlib,
// expat): a script using threads, fork and pipes, a subprocess of the interpreter itself, a signal handler,
// temporary files and select must print under `kmos run --root` what it prints natively. Natively the host's
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

describe.skipIf(root === null)('Python 3.11 from Debian, in an unpacked tree', () => {
  it('runs a script with threads, fork, a subprocess, signals and files as it runs natively', () => {
    const script = join(root!, 'tmp', 'script.py');
    writeFileSync(script, SCRIPT);
    const libraries = ['lib/i386-linux-gnu', 'usr/lib/i386-linux-gnu'].map((d) => join(root!, d)).join(':');
    const native = spawnSync(join(root!, 'usr/bin/python3.11'), [script], {
      encoding: 'utf8',
      env: { LANG: 'C', LD_LIBRARY_PATH: libraries, PYTHONHOME: join(root!, 'usr') },
      timeout: 60_000,
    });
    expect(native.stderr).toBe('');
    expect(native.stdout).toContain('subprocess 42 0');
    const kmos = runInTree(root!, ['/usr/bin/python3.11', '/tmp/script.py']);
    expect({ stdout: kmos.stdout, stderr: kmos.stderr, status: kmos.status }).toEqual({
      stdout: native.stdout,
      stderr: native.stderr,
      status: native.status,
    });
  }, 600_000);
});
