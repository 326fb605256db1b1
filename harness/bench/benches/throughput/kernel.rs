//! The pieces the remaining hand-written kernels are built from, now the kit's
//! (`locklab::sim::workload`), under the names the kernels use.

pub use locklab::sim::workload::{
    back_off, Padded, Resource, Store, Tokens, Workload as LockKernel, LEASE_TTL,
};
