//! One host as lock-file schemes see it: its own filesystem, its own process table
//! (which pids are alive, as `kill(pid, 0)` reports), and its kernel's `flock`s.
//! Separate hosts (an old and a new deploy side by side, two containers) share none
//! of it. Every method is one system call, so one step.

use std::collections::{BTreeMap, BTreeSet};

/// A process id on one host.
pub type Pid = u32;

/// A host's filesystem (files holding a pid, as lock files do), process table and
/// kernel locks.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Host {
    /// `h1`, `h2`, …
    pub name: String,
    /// Path to the pid written in the file.
    files: BTreeMap<String, Pid>,
    /// Pids of the processes alive on this host.
    alive: BTreeSet<Pid>,
    /// Path to the process holding `flock(LOCK_EX)` on it.
    flocks: BTreeMap<String, Pid>,
}

impl Host {
    /// A host with these processes alive and no files.
    pub fn new(name: impl Into<String>, alive: impl IntoIterator<Item = Pid>) -> Self {
        Host {
            name: name.into(),
            files: BTreeMap::new(),
            alive: alive.into_iter().collect(),
            flocks: BTreeMap::new(),
        }
    }

    /// `h1:/tmp/bot.lock`, for the timeline.
    pub fn display(&self, path: &str) -> String {
        format!("{}:{path}", self.name)
    }

    /// Leaves a file at `path` holding `pid` (of a process that need not be alive:
    /// a stale lock file from before the run).
    pub fn leave_file(&mut self, path: &str, pid: Pid) {
        self.files.insert(path.to_owned(), pid);
    }

    /// `open(path, O_CREAT|O_EXCL|O_WRONLY)` and write the pid: `Err` with the pid in
    /// the existing file (EEXIST). Creating and writing are two system calls; taken as
    /// one step, a reader never sees the file empty, a race that only makes pid
    /// takeovers worse (an empty pid reads as stale).
    pub fn create_exclusive(&mut self, path: &str, pid: Pid) -> Result<(), Pid> {
        match self.files.get(path) {
            Some(&existing) => Err(existing),
            None => {
                self.files.insert(path.to_owned(), pid);
                Ok(())
            }
        }
    }

    /// Reads the pid in the file (`None`: ENOENT).
    pub fn read_file(&self, path: &str) -> Option<Pid> {
        self.files.get(path).copied()
    }

    /// `unlink(path)`: the pid in the file it removed (`None`: ENOENT).
    pub fn unlink(&mut self, path: &str) -> Option<Pid> {
        self.files.remove(path)
    }

    /// `kill(pid, 0)`: whether a process with that pid is alive here.
    pub fn is_alive(&self, pid: Pid) -> bool {
        self.alive.contains(&pid)
    }

    /// A process starts on this host.
    pub fn process_started(&mut self, pid: Pid) {
        self.alive.insert(pid);
    }

    /// `flock(fd, LOCK_EX|LOCK_NB)` on `path`: `Err` with the holder's pid
    /// (EWOULDBLOCK). The lock belongs to the open file, not to the path's contents,
    /// so it survives nothing but its process.
    pub fn try_flock(&mut self, path: &str, pid: Pid) -> Result<(), Pid> {
        match self.flocks.get(path) {
            Some(&holder) if holder != pid => Err(holder),
            _ => {
                self.flocks.insert(path.to_owned(), pid);
                Ok(())
            }
        }
    }

    /// The process holding `flock` on `path`, if any.
    pub fn flock_holder(&self, path: &str) -> Option<Pid> {
        self.flocks.get(path).copied()
    }

    /// The process exits or is killed: it leaves the process table and the kernel
    /// releases every `flock` it held. Files it created stay.
    pub fn process_ended(&mut self, pid: Pid) {
        self.alive.remove(&pid);
        self.flocks.retain(|_, holder| *holder != pid);
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
