# A pseudo-terminal harness for tests/tty: runs a command on the slave side of a new pty (as a terminal
# emulator would: its own session, the pty as controlling terminal, a 100x30 window), writes the given inputs to the master
# one after another, each once the output since the previous input matches the regular expression it waits for
# ('<raw>': until the terminal is in raw mode) and an optional delay in seconds (since the previous input, or the start) has passed, and prints a JSON report:
# everything the program showed on the terminal, its exit status as a shell reports it, and the seconds
# from the last input to the exit; 'exit' is the exit code, or null with 'signal' when a signal killed it. Only python3's standard library.
# Usage: pty-run.py JSON where JSON is {"argv": [...], "steps": [[wait_for_regex, input, delay_s?], ...], "timeout": s}
import json, os, pty, re, select, sys, time, struct, fcntl, termios

spec = json.loads(sys.argv[1])
pid, master = pty.fork()
if pid == 0:
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack('HHHH', 30, 100, 0, 0))
    os.execvp(spec['argv'][0], spec['argv'])

out = b''
searched = 0
deadline = time.time() + spec.get('timeout', 60)
steps = [(s[0], s[1].encode(), s[2] if len(s) > 2 else 0) for s in spec['steps']]


def matches(wait_for):
    # '<raw>' waits for the terminal to leave the host's cooked mode (kmos put it in raw mode).
    if wait_for == '<raw>':
        return not (termios.tcgetattr(master)[3] & (termios.ICANON | termios.ECHO))
    return re.compile(wait_for.encode()).search(out, searched) is not None


step_start = time.time()
last_input = time.time()
status = None
while time.time() < deadline:
    while steps and matches(steps[0][0]) and time.time() >= step_start + steps[0][2]:
        searched = len(out)
        keys = steps.pop(0)[1]
        size = re.fullmatch(rb'<winsize (\d+) (\d+)>', keys)
        if size:
            # A terminal window resized: the host kernel sends SIGWINCH to the pty's foreground group.
            fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack('HHHH', int(size[1]), int(size[2]), 0, 0))
        else:
            os.write(master, keys)
        last_input = step_start = time.time()
    ready, _, _ = select.select([master], [], [], 0.05)
    if ready:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            chunk = b''
        if chunk:
            out += chunk
            continue
    done, st = os.waitpid(pid, os.WNOHANG)
    if done:
        status = st
        break
if status is None:
    os.kill(pid, 9)
    _, status = os.waitpid(pid, 0)
    code = 'timeout'
else:
    code = os.waitstatus_to_exitcode(status)
signal = -code if isinstance(code, int) and code < 0 else 0
print(json.dumps({'output': out.decode('latin-1'), 'exit': None if signal else code, 'signal': signal,
                  'secondsAfterInput': time.time() - last_input}))
