"""Runs a command as a child subreaper and prints the I/O of its whole process tree.

Every descendant, detached ones too (the background runner is started with setsid), is
reparented to us when its parent exits and reaped by us, and the kernel adds a reaped
child's I/O counters to its reaper's: /proc/self/io at the end counts the whole tree.
wchar: bytes passed to write(); write_bytes: bytes the tree caused to be sent to storage;
syscw: write calls. Usage: python3 tree_io.py COMMAND [ARG...]
"""
import ctypes, os, sys, time
libc = ctypes.CDLL(None, use_errno=True)
libc.prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
t0 = time.time()
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
rc = None
while True:
    try:
        p, st = os.wait()
        if p == pid: rc = os.waitstatus_to_exitcode(st)
    except ChildProcessError:
        break
io = dict(l.split(': ') for l in open('/proc/self/io').read().split('\n') if l)
print('rc=%s wall=%.1fs wchar=%s write_bytes=%s rchar=%s read_bytes=%s syscw=%s' % (rc, time.time()-t0, io['wchar'].strip(), io['write_bytes'].strip(), io['rchar'].strip(), io['read_bytes'].strip(), io['syscw'].strip()), file=sys.stderr)
