package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// pidfile is a created pidfile whose POSIX write lock this process holds
// for its whole life. The open file must stay open: closing any descriptor
// of a locked file releases the process's lock (which is also why the
// daemon never opens its own pidfile again).
type pidfile struct {
	path string
	f    *os.File
	dev  uint64
	ino  uint64
}

func lockFile(f *os.File, cmd int) (unix.Flock_t, error) {
	lk := unix.Flock_t{Type: unix.F_WRLCK, Whence: io.SeekStart}
	for {
		err := unix.FcntlFlock(f.Fd(), cmd, &lk)
		if !errors.Is(err, unix.EINTR) {
			return lk, err
		}
	}
}

// readPidfile returns the pid of the live process holding path's lock, 0
// if the file does not exist or is stale (deleting a stale file when
// deleteStale), or an error.
func readPidfile(path string, deleteStale bool) (int, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	defer f.Close()
	lk, err := lockFile(f, unix.F_GETLK)
	if err != nil {
		return 0, fmt.Errorf("fcntl: %w", err)
	}
	if lk.Type == unix.F_UNLCK {
		if !deleteStale {
			return 0, nil
		}
		// Only the process that holds the stale file's lock may delete it,
		// so two starting daemons cannot delete each other's fresh pidfile.
		if _, err := lockFile(f, unix.F_SETLK); err != nil {
			return 0, fmt.Errorf("lost race to lock pidfile: %w", err)
		}
		var s1, s2 unix.Stat_t
		if unix.Stat(path, &s1) != nil || unix.Fstat(int(f.Fd()), &s2) != nil ||
			s1.Ino != s2.Ino || s1.Dev != s2.Dev {
			return 0, errors.New("lost race to delete pidfile")
		}
		if err := os.Remove(path); err != nil {
			return 0, fmt.Errorf("failed to delete stale pidfile: %w", err)
		}
		return 0, nil
	}
	line, err := bufio.NewReader(f).ReadString('\n')
	if err != nil && line == "" {
		return 0, fmt.Errorf("read: %w", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil || pid != int(lk.Pid) {
		// Locked by a process that did not write it: it is being replaced.
		return int(lk.Pid), nil
	}
	return pid, nil
}

// createPidfile creates path holding this process's pid, as OVS does:
// write and lock path.tmp, refuse if a live process holds path (unless
// overwrite), then rename it into place so readers never see a partial
// file.
func createPidfile(path string, overwrite bool) (*pidfile, error) {
	pid := os.Getpid()
	tmp := path + ".tmp"
	if overwrite {
		tmp = fmt.Sprintf("%s.tmp%d", path, pid)
	}
	f, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("%s: create failed (%s)", tmp, strerror(err))
	}
	fail := func(e error) (*pidfile, error) {
		f.Close()
		return nil, e
	}
	if _, err := lockFile(f, unix.F_SETLK); err != nil {
		return fail(fmt.Errorf("%s: fcntl(F_SETLK) failed (%s)", tmp, strerror(err)))
	}
	if !overwrite {
		other, err := readPidfile(path, true)
		if err != nil {
			os.Remove(tmp)
			return fail(fmt.Errorf("%s: pidfile check failed (%v), aborting", path, err))
		}
		if other != 0 && other != pid {
			os.Remove(tmp)
			return fail(fmt.Errorf("%s: already running as pid %d, aborting", path, other))
		}
	}
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		return fail(fmt.Errorf("%s: fstat failed (%s)", tmp, strerror(err)))
	}
	if err := f.Truncate(0); err != nil {
		return fail(fmt.Errorf("%s: truncate failed (%s)", tmp, strerror(err)))
	}
	if _, err := fmt.Fprintf(f, "%d\n", pid); err != nil {
		return fail(fmt.Errorf("%s: write failed (%s)", tmp, strerror(err)))
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fail(fmt.Errorf("failed to rename \"%s\" to \"%s\" (%s)", tmp, path, strerror(err)))
	}
	return &pidfile{path: path, f: f, dev: st.Dev, ino: st.Ino}, nil
}

// remove deletes the pidfile if it is still ours, then releases the lock.
func (p *pidfile) remove() {
	if p == nil {
		return
	}
	var st unix.Stat_t
	if unix.Stat(p.path, &st) == nil && st.Dev == p.dev && st.Ino == p.ino {
		os.Remove(p.path)
	}
	p.f.Close()
}

// strerror renders err's errno like C's strerror ("No such file or
// directory").
func strerror(err error) string {
	var errno unix.Errno
	if errors.As(err, &errno) {
		s := errno.Error()
		if s != "" {
			return strings.ToUpper(s[:1]) + s[1:]
		}
	}
	return err.Error()
}
