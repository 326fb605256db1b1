//! The baseline every scheme is compared with: a bare `std::sync::Mutex<u64>` per key
//! and the same increment as every workload's critical section. On one hot key all
//! threads share one mutex; on disjoint keys each thread has its own, so nothing is
//! shared and this is the best any scheme could scale.

use std::sync::{Mutex, PoisonError};

use locklab::sim::workload::{Padded, Workload};

/// One `Mutex<u64>` per key.
pub struct StdMutex {
    counters: Vec<Padded<Mutex<u64>>>,
}

impl StdMutex {
    /// `keys` mutexes at zero.
    pub fn new(keys: usize) -> Self {
        StdMutex {
            counters: (0..keys).map(|_| Padded(Mutex::new(0))).collect(),
        }
    }
}

impl Workload for StdMutex {
    fn operation(&self, _thread: usize, key: usize) -> bool {
        *self.counters[key]
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner) += 1;
        true
    }

    fn completed_at_resource(&self, key: usize) -> u64 {
        *self.counters[key]
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}
