//! One host as the lock-file schemes see it: its own filesystem (one path matters,
//! `/tmp/bot.lock`), its own process table (which pids are alive, as `kill(pid, 0)`
//! reports), and its kernel's `flock` on the lock file. Separate hosts (an old and a
//! new deploy side by side, two containers) share none of it.

use std::collections::BTreeSet;

/// A process id on one host.
pub type Pid = u32;

/// The write-up's lock file.
pub const LOCK_PATH: &str = "/tmp/bot.lock";

/// A host's filesystem, process table and kernel locks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Host {
    /// `h1`, `h2`, …
    pub name: String,
    /// The lock file, if it exists, with the pid written in it.
    lock_file: Option<Pid>,
    /// Pids of the processes alive on this host.
    alive: BTreeSet<Pid>,
    /// The process holding `flock(LOCK_EX)` on the lock file. The kernel-lock
    /// protocol never unlinks the file, so one inode is all there is to lock.
    flock: Option<Pid>,
}

impl Host {
    /// A host with these processes alive and no lock file.
    pub fn new(name: String, alive: impl IntoIterator<Item = Pid>) -> Self {
        Host {
            name,
            lock_file: None,
            alive: alive.into_iter().collect(),
            flock: None,
        }
    }

    /// `h1:/tmp/bot.lock`, for the timeline.
    pub fn path(&self) -> String {
        format!("{}:{LOCK_PATH}", self.name)
    }

    /// Leaves a lock file holding `pid` (of a process that is not alive).
    pub fn leave_lock_file(&mut self, pid: Pid) {
        self.lock_file = Some(pid);
    }

    /// `open(path, O_CREAT|O_EXCL|O_WRONLY)` and write the pid: `Err` with the pid in
    /// the existing file. Creating and writing are two system calls; taken as one
    /// step, a reader never sees the file empty, a race that only makes the pid
    /// takeover worse (an empty pid reads as stale).
    pub fn create_exclusive(&mut self, pid: Pid) -> Result<(), Pid> {
        match self.lock_file {
            Some(existing) => Err(existing),
            None => {
                self.lock_file = Some(pid);
                Ok(())
            }
        }
    }

    /// Reads the pid in the lock file (`None`: no such file).
    pub fn read_lock_file(&self) -> Option<Pid> {
        self.lock_file
    }

    /// `unlink(path)`: the pid in the file it removed (`None`: ENOENT).
    pub fn unlink(&mut self) -> Option<Pid> {
        self.lock_file.take()
    }

    /// `kill(pid, 0)`: whether a process with that pid is alive here.
    pub fn is_alive(&self, pid: Pid) -> bool {
        self.alive.contains(&pid)
    }

    /// `flock(fd, LOCK_EX|LOCK_NB)` on the lock file: `Err` with the holder's pid
    /// (EWOULDBLOCK).
    pub fn try_flock(&mut self, pid: Pid) -> Result<(), Pid> {
        match self.flock {
            Some(holder) if holder != pid => Err(holder),
            _ => {
                self.flock = Some(pid);
                Ok(())
            }
        }
    }

    /// The process exits or is killed: it leaves the process table and the kernel
    /// releases its `flock`. Files it created stay.
    pub fn process_ended(&mut self, pid: Pid) {
        self.alive.remove(&pid);
        if self.flock == Some(pid) {
            self.flock = None;
        }
    }

    /// How a pid reads to a person: `pid 101 (alive)`, `pid 100 (no such process)`.
    pub fn describe_pid(&self, pid: Pid) -> String {
        if self.is_alive(pid) {
            format!("pid {pid} (alive)")
        } else {
            format!("pid {pid} (no such process)")
        }
    }
}
