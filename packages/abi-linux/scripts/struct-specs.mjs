// Which i386 structs gen-structs.mjs lays out: for each, the name it is exported under (camelCase +
// "Layout"), the C type, the headers that declare it (UAPI where one exists; glibc where its layout is the
// kernel's; kernel-structs.h for kernel-internal ones) and its fields in order, as the header names them.
// A field written `name[]` is a flexible array member (offset only, sizeBytes 0). Programs are compiled
// with _GNU_SOURCE, so glibc shows its Linux-specific structs (ucred, mmsghdr).
const K = 'kernel-structs.h';

export const STRUCT_SPECS = [
  // stat family
  [
    'stat64',
    'struct stat64',
    ['asm/stat.h'],
    'st_dev __pad0 __st_ino st_mode st_nlink st_uid st_gid st_rdev __pad3 st_size st_blksize st_blocks st_atime st_atime_nsec st_mtime st_mtime_nsec st_ctime st_ctime_nsec st_ino',
  ],
  [
    'stat',
    'struct stat',
    ['asm/stat.h'],
    'st_dev st_ino st_mode st_nlink st_uid st_gid st_rdev st_size st_blksize st_blocks st_atime st_atime_nsec st_mtime st_mtime_nsec st_ctime st_ctime_nsec __unused4 __unused5',
  ],
  [
    'oldKernelStat',
    'struct __old_kernel_stat',
    ['asm/stat.h'],
    'st_dev st_ino st_mode st_nlink st_uid st_gid st_rdev st_size st_atime st_mtime st_ctime',
  ],
  [
    'statx',
    'struct statx',
    ['linux/stat.h'],
    'stx_mask stx_blksize stx_attributes stx_nlink stx_uid stx_gid stx_mode stx_ino stx_size stx_blocks stx_attributes_mask stx_atime stx_btime stx_ctime stx_mtime stx_rdev_major stx_rdev_minor stx_dev_major stx_dev_minor stx_mnt_id stx_dio_mem_align stx_dio_offset_align',
  ],
  ['statxTimestamp', 'struct statx_timestamp', ['linux/stat.h'], 'tv_sec tv_nsec'],
  [
    'statfs',
    'struct statfs',
    ['asm/statfs.h'],
    'f_type f_bsize f_blocks f_bfree f_bavail f_files f_ffree f_fsid f_namelen f_frsize f_flags f_spare',
  ],
  [
    'statfs64',
    'struct statfs64',
    ['asm/statfs.h'],
    'f_type f_bsize f_blocks f_bfree f_bavail f_files f_ffree f_fsid f_namelen f_frsize f_flags f_spare',
  ],
  // time
  ['timespec', 'struct __kernel_old_timespec', ['linux/time_types.h'], 'tv_sec tv_nsec'],
  ['kernelTimespec', 'struct __kernel_timespec', ['linux/time_types.h'], 'tv_sec tv_nsec'],
  ['timeval', 'struct __kernel_old_timeval', ['linux/time_types.h'], 'tv_sec tv_usec'],
  ['itimerval', 'struct __kernel_old_itimerval', ['linux/time_types.h'], 'it_interval it_value'],
  ['itimerspec', 'struct itimerspec', ['linux/time.h'], 'it_interval it_value'],
  ['kernelItimerspec', 'struct __kernel_itimerspec', ['linux/time_types.h'], 'it_interval it_value'],
  ['timezone', 'struct timezone', ['linux/time.h'], 'tz_minuteswest tz_dsttime'],
  ['utimbuf', 'struct utimbuf', ['linux/types.h', 'linux/utime.h'], 'actime modtime'],
  ['tms', 'struct tms', ['linux/types.h', 'linux/times.h'], 'tms_utime tms_stime tms_cutime tms_cstime'],
  // resources and system information
  [
    'rusage',
    'struct rusage',
    ['linux/resource.h'],
    'ru_utime ru_stime ru_maxrss ru_ixrss ru_idrss ru_isrss ru_minflt ru_majflt ru_nswap ru_inblock ru_oublock ru_msgsnd ru_msgrcv ru_nsignals ru_nvcsw ru_nivcsw',
  ],
  ['rlimit', 'struct rlimit', ['linux/resource.h'], 'rlim_cur rlim_max'],
  ['rlimit64', 'struct rlimit64', ['linux/resource.h'], 'rlim_cur rlim_max'],
  [
    'newUtsname',
    'struct new_utsname',
    ['linux/utsname.h'],
    'sysname nodename release version machine domainname',
  ],
  ['oldUtsname', 'struct old_utsname', ['linux/utsname.h'], 'sysname nodename release version machine'],
  [
    'sysinfo',
    'struct sysinfo',
    ['linux/sysinfo.h'],
    'uptime loads totalram freeram sharedram bufferram totalswap freeswap procs pad totalhigh freehigh mem_unit _f',
  ],
  // I/O
  ['iovec', 'struct iovec', ['linux/uio.h'], 'iov_base iov_len'],
  ['pollfd', 'struct pollfd', ['linux/poll.h'], 'fd events revents'],
  ['epollEvent', 'struct epoll_event', ['linux/eventpoll.h'], 'events data'],
  ['linuxDirent', 'struct linux_dirent', [K], 'd_ino d_off d_reclen d_name[]'],
  ['linuxDirent64', 'struct linux_dirent64', [K], 'd_ino d_off d_reclen d_type d_name[]'],
  ['flock', 'struct flock', ['asm/fcntl.h'], 'l_type l_whence l_start l_len l_pid'],
  ['flock64', 'struct flock64', ['asm/fcntl.h'], 'l_type l_whence l_start l_len l_pid'],
  ['kernelFdSet', '__kernel_fd_set', ['linux/posix_types.h'], 'fds_bits'],
  ['openHow', 'struct open_how', ['linux/openat2.h'], 'flags mode resolve'],
  ['fOwnerEx', 'struct f_owner_ex', ['asm/fcntl.h'], 'type pid'],
  ['mmapArgStruct', 'struct mmap_arg_struct', [K], 'addr len prot flags fd offset'],
  ['selArgStruct', 'struct sel_arg_struct', [K], 'n inp outp exp tvp'],
  // signals
  [
    'sigevent',
    'sigevent_t',
    ['linux/signal.h'],
    'sigev_value sigev_signo sigev_notify sigev_notify_thread_id',
  ],
  ['kernelSigset', 'kernel_sigset_t', [K], 'sig'],
  ['sigaction', 'struct kernel_sigaction', [K], 'sa_handler sa_flags sa_restorer sa_mask'],
  ['oldSigaction', 'struct sigaction', ['asm/signal.h'], 'sa_handler sa_mask sa_flags sa_restorer'],
  ['stack', 'stack_t', ['asm/signal.h'], 'ss_sp ss_flags ss_size'],
  [
    'signalfdSiginfo',
    'struct signalfd_siginfo',
    ['linux/signalfd.h'],
    'ssi_signo ssi_errno ssi_code ssi_pid ssi_uid ssi_fd ssi_tid ssi_band ssi_overrun ssi_trapno ssi_status ssi_int ssi_ptr ssi_utime ssi_stime ssi_addr ssi_addr_lsb ssi_syscall ssi_call_addr ssi_arch',
  ],
  [
    'siginfo',
    'siginfo_t',
    ['linux/signal.h'],
    'si_signo si_errno si_code si_pid si_uid si_tid si_overrun si_status si_utime si_stime si_value si_int si_ptr si_addr si_trapno si_addr_lsb si_lower si_upper si_pkey si_band si_fd si_call_addr si_syscall si_arch',
  ],
  [
    'sigcontext',
    'struct sigcontext',
    ['asm/sigcontext.h'],
    'gs __gsh fs __fsh es __esh ds __dsh edi esi ebp esp ebx edx ecx eax trapno err eip cs __csh eflags esp_at_signal ss __ssh fpstate oldmask cr2',
  ],
  [
    'fpstate32',
    'struct _fpstate_32',
    ['asm/sigcontext.h'],
    'cw sw tag ipoff cssel dataoff datasel _st status magic _fxsr_env mxcsr reserved _fxsr_st _xmm padding1 sw_reserved',
  ],
  [
    'fpxSwBytes',
    'struct _fpx_sw_bytes',
    ['asm/sigcontext.h'],
    'magic1 extended_size xfeatures xstate_size padding',
  ],
  ['ucontext', 'struct kernel_ucontext', [K], 'uc_flags uc_link uc_stack uc_mcontext uc_sigmask'],
  ['rtSigframe', 'struct rt_sigframe', [K], 'pretcode sig pinfo puc info uc retcode'],
  ['sigframe', 'struct sigframe', [K], 'pretcode sig sc fpstate_unused extramask retcode'],
  // threads, futexes, processes
  ['userDesc', 'struct user_desc', ['asm/ldt.h'], 'entry_number base_addr limit'],
  ['robustList', 'struct robust_list', ['linux/futex.h'], 'next'],
  ['robustListHead', 'struct robust_list_head', ['linux/futex.h'], 'list futex_offset list_op_pending'],
  [
    'cloneArgs',
    'struct clone_args',
    ['linux/sched.h'],
    'flags pidfd child_tid parent_tid exit_signal stack stack_size tls set_tid set_tid_size cgroup',
  ],
  // terminals
  ['termios', 'struct termios', ['asm/termbits.h'], 'c_iflag c_oflag c_cflag c_lflag c_line c_cc'],
  [
    'termios2',
    'struct termios2',
    ['asm/termbits.h'],
    'c_iflag c_oflag c_cflag c_lflag c_line c_cc c_ispeed c_ospeed',
  ],
  ['winsize', 'struct winsize', ['asm/termios.h'], 'ws_row ws_col ws_xpixel ws_ypixel'],
  // sockets
  ['sockaddrUn', 'struct sockaddr_un', ['linux/un.h'], 'sun_family sun_path'],
  ['sockaddrIn', 'struct sockaddr_in', ['linux/in.h'], 'sin_family sin_port sin_addr __pad'],
  ['sockaddr', 'struct sockaddr', ['sys/socket.h'], 'sa_family sa_data'],
  [
    'msghdr',
    'struct msghdr',
    ['sys/socket.h'],
    'msg_name msg_namelen msg_iov msg_iovlen msg_control msg_controllen msg_flags',
  ],
  ['mmsghdr', 'struct mmsghdr', ['sys/socket.h'], 'msg_hdr msg_len'],
  ['ucred', 'struct ucred', ['sys/socket.h'], 'pid uid gid'],
  ['inotifyEvent', 'struct inotify_event', ['linux/inotify.h'], 'wd mask cookie len'],
  // System V IPC, the IPC_64 forms glibc asks for.
  ['ipc64Perm', 'struct ipc64_perm', ['asm/ipcbuf.h'], 'key uid gid cuid cgid mode seq'],
  [
    'shmid64Ds',
    'struct shmid64_ds',
    ['asm/shmbuf.h'],
    'shm_perm shm_segsz shm_atime shm_atime_high shm_dtime shm_dtime_high shm_ctime shm_ctime_high shm_cpid shm_lpid shm_nattch',
  ],
  [
    'semid64Ds',
    'struct semid64_ds',
    ['asm/sembuf.h'],
    'sem_perm sem_otime sem_otime_high sem_ctime sem_ctime_high sem_nsems',
  ],
  ['sembuf', 'struct sembuf', ['linux/sem.h'], 'sem_num sem_op sem_flg'],
  [
    'msqid64Ds',
    'struct msqid64_ds',
    ['asm/msgbuf.h'],
    'msg_perm msg_stime msg_stime_high msg_rtime msg_rtime_high msg_ctime msg_ctime_high msg_cbytes msg_qnum msg_qbytes msg_lspid msg_lrpid',
  ],
  ['cmsghdr', 'struct cmsghdr', ['sys/socket.h'], 'cmsg_len cmsg_level cmsg_type'],
  // ELF (glibc's <elf.h> is the System V ABI's definition)
  [
    'elf32Ehdr',
    'Elf32_Ehdr',
    ['elf.h'],
    'e_ident e_type e_machine e_version e_entry e_phoff e_shoff e_flags e_ehsize e_phentsize e_phnum e_shentsize e_shnum e_shstrndx',
  ],
  ['elf32Phdr', 'Elf32_Phdr', ['elf.h'], 'p_type p_offset p_vaddr p_paddr p_filesz p_memsz p_flags p_align'],
  [
    'elf32Shdr',
    'Elf32_Shdr',
    ['elf.h'],
    'sh_name sh_type sh_flags sh_addr sh_offset sh_size sh_link sh_info sh_addralign sh_entsize',
  ],
  ['elf32Sym', 'Elf32_Sym', ['elf.h'], 'st_name st_value st_size st_info st_other st_shndx'],
  ['elf32Dyn', 'Elf32_Dyn', ['elf.h'], 'd_tag d_un'],
  ['elf32Nhdr', 'Elf32_Nhdr', ['elf.h'], 'n_namesz n_descsz n_type'],
  ['elf32AuxvT', 'Elf32_auxv_t', ['elf.h'], 'a_type a_un'],
];
