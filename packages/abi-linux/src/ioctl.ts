// Terminal ioctls and termios bits for i386: the ioctl number encoding (_IOC), the tty request numbers
// (TCGETS, TIOCGWINSZ, ...), and the kernel struct termios flag bits and c_cc indices. Layer: abi (data
// only, imports nothing). Written from the Linux UAPI headers (asm-generic/ioctl.h, asm-generic/ioctls.h,
// asm-generic/termbits.h and termbits-common.h as x86 uses them); ioctl.test.ts checks each value and the
// default termios against a pseudo-terminal of the running kernel. The struct layouts are in structs.ts.
import { termios2Layout } from './generated/structs.js';

// The ioctl request encoding: nr in bits 0-7, type in 8-15, size in 16-29, direction in 30-31.
export const _IOC_NRBITS = 8;
export const _IOC_TYPEBITS = 8;
export const _IOC_SIZEBITS = 14;
export const _IOC_DIRBITS = 2;
export const _IOC_NRSHIFT = 0;
export const _IOC_TYPESHIFT = _IOC_NRSHIFT + _IOC_NRBITS;
export const _IOC_SIZESHIFT = _IOC_TYPESHIFT + _IOC_TYPEBITS;
export const _IOC_DIRSHIFT = _IOC_SIZESHIFT + _IOC_SIZEBITS;
export const _IOC_NONE = 0;
export const _IOC_WRITE = 1;
export const _IOC_READ = 2;

/** Encode an ioctl request (unsigned 32-bit); `type` is the magic character's code, e.g. 0x54 for 'T'. */
export function _IOC(dir: number, type: number, nr: number, sizeBytes: number): number {
  return (
    ((dir << _IOC_DIRSHIFT) |
      (type << _IOC_TYPESHIFT) |
      (nr << _IOC_NRSHIFT) |
      (sizeBytes << _IOC_SIZESHIFT)) >>>
    0
  );
}
export const _IO = (type: number, nr: number): number => _IOC(_IOC_NONE, type, nr, 0);
export const _IOR = (type: number, nr: number, sizeBytes: number): number =>
  _IOC(_IOC_READ, type, nr, sizeBytes);
export const _IOW = (type: number, nr: number, sizeBytes: number): number =>
  _IOC(_IOC_WRITE, type, nr, sizeBytes);
export const _IOWR = (type: number, nr: number, sizeBytes: number): number =>
  _IOC(_IOC_READ | _IOC_WRITE, type, nr, sizeBytes);
export const _IOC_DIR = (req: number): number => (req >>> _IOC_DIRSHIFT) & ((1 << _IOC_DIRBITS) - 1);
export const _IOC_TYPE = (req: number): number => (req >>> _IOC_TYPESHIFT) & ((1 << _IOC_TYPEBITS) - 1);
export const _IOC_NR = (req: number): number => (req >>> _IOC_NRSHIFT) & ((1 << _IOC_NRBITS) - 1);
export const _IOC_SIZE = (req: number): number => (req >>> _IOC_SIZESHIFT) & ((1 << _IOC_SIZEBITS) - 1);

const T = 0x54; // 'T', the tty ioctl type
const SIZEOF_INT = 4;
const SIZEOF_TERMIOS2 = termios2Layout.sizeBytes;

// tty ioctls.
export const TCGETS = 0x5401;
export const TCSETS = 0x5402;
export const TCSETSW = 0x5403;
export const TCSETSF = 0x5404;
export const TCGETA = 0x5405;
export const TCSETA = 0x5406;
export const TCSETAW = 0x5407;
export const TCSETAF = 0x5408;
export const TCSBRK = 0x5409;
export const TCXONC = 0x540a;
export const TCFLSH = 0x540b;
export const TIOCEXCL = 0x540c;
export const TIOCNXCL = 0x540d;
export const TIOCSCTTY = 0x540e;
export const TIOCGPGRP = 0x540f;
export const TIOCSPGRP = 0x5410;
export const TIOCOUTQ = 0x5411;
export const TIOCSTI = 0x5412;
export const TIOCGWINSZ = 0x5413;
export const TIOCSWINSZ = 0x5414;
export const TIOCMGET = 0x5415;
export const TIOCMBIS = 0x5416;
export const TIOCMBIC = 0x5417;
export const TIOCMSET = 0x5418;
export const TIOCGSOFTCAR = 0x5419;
export const TIOCSSOFTCAR = 0x541a;
export const FIONREAD = 0x541b;
export const TIOCINQ = FIONREAD;
export const TIOCLINUX = 0x541c;
export const TIOCCONS = 0x541d;
export const TIOCGSERIAL = 0x541e;
export const TIOCSSERIAL = 0x541f;
export const TIOCPKT = 0x5420;
export const FIONBIO = 0x5421;
export const TIOCNOTTY = 0x5422;
export const TIOCSETD = 0x5423;
export const TIOCGETD = 0x5424;
export const TCSBRKP = 0x5425;
export const TIOCSBRK = 0x5427;
export const TIOCCBRK = 0x5428;
export const TIOCGSID = 0x5429;
export const TCGETS2 = _IOR(T, 0x2a, SIZEOF_TERMIOS2);
export const TCSETS2 = _IOW(T, 0x2b, SIZEOF_TERMIOS2);
export const TCSETSW2 = _IOW(T, 0x2c, SIZEOF_TERMIOS2);
export const TCSETSF2 = _IOW(T, 0x2d, SIZEOF_TERMIOS2);
export const TIOCGPTN = _IOR(T, 0x30, SIZEOF_INT);
export const TIOCSPTLCK = _IOW(T, 0x31, SIZEOF_INT);
export const TIOCGDEV = _IOR(T, 0x32, SIZEOF_INT);
export const TIOCSIG = _IOW(T, 0x36, SIZEOF_INT);
export const TIOCVHANGUP = 0x5437;
export const TIOCGPKT = _IOR(T, 0x38, SIZEOF_INT);
export const TIOCGPTLCK = _IOR(T, 0x39, SIZEOF_INT);
export const TIOCGEXCL = _IOR(T, 0x40, SIZEOF_INT);
export const TIOCGPTPEER = _IO(T, 0x41);
export const FIONCLEX = 0x5450;
export const FIOCLEX = 0x5451;
export const FIOASYNC = 0x5452;
export const TIOCMIWAIT = 0x545c;
export const TIOCGICOUNT = 0x545d;

// TIOCPKT packet-mode status bytes.
export const TIOCPKT_DATA = 0;
export const TIOCPKT_FLUSHREAD = 1;
export const TIOCPKT_FLUSHWRITE = 2;
export const TIOCPKT_STOP = 4;
export const TIOCPKT_START = 8;
export const TIOCPKT_NOSTOP = 16;
export const TIOCPKT_DOSTOP = 32;
export const TIOCPKT_IOCTL = 64;

/** The number of control characters in the kernel struct termios (glibc's own struct has 32). */
export const NCCS = 19;

// c_cc indices.
export const VINTR = 0;
export const VQUIT = 1;
export const VERASE = 2;
export const VKILL = 3;
export const VEOF = 4;
export const VTIME = 5;
export const VMIN = 6;
export const VSWTC = 7;
export const VSTART = 8;
export const VSTOP = 9;
export const VSUSP = 10;
export const VEOL = 11;
export const VREPRINT = 12;
export const VDISCARD = 13;
export const VWERASE = 14;
export const VLNEXT = 15;
export const VEOL2 = 16;

// c_iflag bits.
export const IGNBRK = 0o1;
export const BRKINT = 0o2;
export const IGNPAR = 0o4;
export const PARMRK = 0o10;
export const INPCK = 0o20;
export const ISTRIP = 0o40;
export const INLCR = 0o100;
export const IGNCR = 0o200;
export const ICRNL = 0o400;
export const IUCLC = 0o1000;
export const IXON = 0o2000;
export const IXANY = 0o4000;
export const IXOFF = 0o10000;
export const IMAXBEL = 0o20000;
export const IUTF8 = 0o40000;

// c_oflag bits.
export const OPOST = 0o1;
export const OLCUC = 0o2;
export const ONLCR = 0o4;
export const OCRNL = 0o10;
export const ONOCR = 0o20;
export const ONLRET = 0o40;
export const OFILL = 0o100;
export const OFDEL = 0o200;
export const NLDLY = 0o400;
export const NL0 = 0o0;
export const NL1 = 0o400;
export const CRDLY = 0o3000;
export const CR0 = 0o0;
export const CR1 = 0o1000;
export const CR2 = 0o2000;
export const CR3 = 0o3000;
export const TABDLY = 0o14000;
export const TAB0 = 0o0;
export const TAB1 = 0o4000;
export const TAB2 = 0o10000;
export const TAB3 = 0o14000;
export const XTABS = 0o14000;
export const BSDLY = 0o20000;
export const BS0 = 0o0;
export const BS1 = 0o20000;
export const VTDLY = 0o40000;
export const VT0 = 0o0;
export const VT1 = 0o40000;
export const FFDLY = 0o100000;
export const FF0 = 0o0;
export const FF1 = 0o100000;

// c_cflag bits and baud rates.
export const CBAUD = 0o10017;
export const B0 = 0o0;
export const B50 = 0o1;
export const B75 = 0o2;
export const B110 = 0o3;
export const B134 = 0o4;
export const B150 = 0o5;
export const B200 = 0o6;
export const B300 = 0o7;
export const B600 = 0o10;
export const B1200 = 0o11;
export const B1800 = 0o12;
export const B2400 = 0o13;
export const B4800 = 0o14;
export const B9600 = 0o15;
export const B19200 = 0o16;
export const B38400 = 0o17;
export const EXTA = B19200;
export const EXTB = B38400;
export const CSIZE = 0o60;
export const CS5 = 0o0;
export const CS6 = 0o20;
export const CS7 = 0o40;
export const CS8 = 0o60;
export const CSTOPB = 0o100;
export const CREAD = 0o200;
export const PARENB = 0o400;
export const PARODD = 0o1000;
export const HUPCL = 0o2000;
export const CLOCAL = 0o4000;
export const CBAUDEX = 0o10000;
export const BOTHER = 0o10000;
export const B57600 = 0o10001;
export const B115200 = 0o10002;
export const B230400 = 0o10003;
export const B460800 = 0o10004;
export const B500000 = 0o10005;
export const B576000 = 0o10006;
export const B921600 = 0o10007;
export const B1000000 = 0o10010;
export const B1152000 = 0o10011;
export const B1500000 = 0o10012;
export const B2000000 = 0o10013;
export const B2500000 = 0o10014;
export const B3000000 = 0o10015;
export const B3500000 = 0o10016;
export const B4000000 = 0o10017;
export const CIBAUD = 0o2003600000;
export const CMSPAR = 0o10000000000;
export const CRTSCTS = 0o20000000000;
export const IBSHIFT = 16;

// c_lflag bits.
export const ISIG = 0o1;
export const ICANON = 0o2;
export const XCASE = 0o4;
export const ECHO = 0o10;
export const ECHOE = 0o20;
export const ECHOK = 0o40;
export const ECHONL = 0o100;
export const NOFLSH = 0o200;
export const TOSTOP = 0o400;
export const ECHOCTL = 0o1000;
export const ECHOPRT = 0o2000;
export const ECHOKE = 0o4000;
export const FLUSHO = 0o10000;
export const PENDIN = 0o40000;
export const IEXTEN = 0o100000;
export const EXTPROC = 0o200000;

// tcflow, tcflush and tcsetattr arguments.
export const TCOOFF = 0;
export const TCOON = 1;
export const TCIOFF = 2;
export const TCION = 3;
export const TCIFLUSH = 0;
export const TCOFLUSH = 1;
export const TCIOFLUSH = 2;
export const TCSANOW = 0;
export const TCSADRAIN = 1;
export const TCSAFLUSH = 2;

/** Line discipline 0, the default (TIOCGETD). */
export const N_TTY = 0;

/**
 * The termios a new terminal starts with (the kernel's tty_std_termios): what `stty sane` restores and
 * what a kmOS console should present to programs before anyone changes it.
 */
export const TTY_STD_TERMIOS = {
  c_iflag: ICRNL | IXON,
  c_oflag: OPOST | ONLCR,
  c_cflag: B38400 | CS8 | CREAD | HUPCL,
  c_lflag: ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN,
  c_line: N_TTY,
  /** ^C ^\ DEL ^U ^D, VTIME 0, VMIN 1, VSWTC 0, ^Q ^S ^Z, VEOL 0, ^R ^O ^W ^V, VEOL2 0, and two unused. */
  c_cc: [0x03, 0x1c, 0x7f, 0x15, 0x04, 0, 1, 0, 0x11, 0x13, 0x1a, 0, 0x12, 0x0f, 0x17, 0x16, 0, 0, 0],
} as const;
