//! Every kernel the throughput bench runs: the baseline, then each scheme's write-up
//! fix and correct fix, named `scheme/variant` exactly as their scenarios are, so the
//! report can link a throughput row to the rung and its verdict.

mod baseline;
mod cart_reservation;

use locklab::models::device_claim::{self, DeviceClaimWorkload};
use locklab::models::instance_coordinator::{self, CoordinatorWorkload};
use locklab::models::jackpot::{self, JackpotWorkload};
use locklab::models::singleton_poller::{self, PollerWorkload};

use crate::kernel::LockKernel;

/// The id of the baseline every scheme is reported as a ratio to.
pub const BASELINE: &str = "baseline/std-mutex";

/// A kernel and how to build a fresh one.
pub struct KernelSpec {
    /// `scheme/variant`: the scenario id of the rung (or [`BASELINE`]).
    pub id: &'static str,
    /// A fresh kernel with this many keys (and threads at most).
    pub build: fn(usize) -> Box<dyn LockKernel>,
}

/// A model's workload for `$protocol` (which every listed rung has).
macro_rules! workload {
    ($id:literal, $ty:ident, $protocol:expr) => {
        KernelSpec {
            id: $id,
            build: |keys| Box::new($ty::new($protocol, keys).expect($id)),
        }
    };
}

macro_rules! kernel {
    ($id:literal, $ty:path) => {
        KernelSpec {
            id: $id,
            build: |keys| Box::new(<$ty>::new(keys)),
        }
    };
}

/// The baseline first, then two rungs per scheme: the write-up's fix, the correct fix.
pub fn all() -> Vec<KernelSpec> {
    vec![
        kernel!("baseline/std-mutex", baseline::StdMutex),
        workload!(
            "device-claim/conditional-update",
            DeviceClaimWorkload,
            device_claim::Protocol::ConditionalUpdate
        ),
        workload!(
            "device-claim/epoch-lease",
            DeviceClaimWorkload,
            device_claim::Protocol::EpochLease
        ),
        workload!(
            "instance-coordinator/expiring-lock-table",
            CoordinatorWorkload,
            instance_coordinator::Protocol::ExpiringLockTable
        ),
        workload!(
            "instance-coordinator/fenced-lease",
            CoordinatorWorkload,
            instance_coordinator::Protocol::FencedLease
        ),
        workload!(
            "jackpot/version-cas",
            JackpotWorkload,
            jackpot::Variant::VersionCas
        ),
        workload!(
            "jackpot/guarded-decrement",
            JackpotWorkload,
            jackpot::Variant::GuardedDecrement
        ),
        workload!(
            "singleton-poller/exclusive-lock-file",
            PollerWorkload,
            singleton_poller::Protocol::ExclusiveLockFile
        ),
        workload!(
            "singleton-poller/renewed-lease",
            PollerWorkload,
            singleton_poller::Protocol::RenewedLease
        ),
        kernel!(
            "cart-reservation/ttl-reservation-cache",
            cart_reservation::TtlReservationCache
        ),
        kernel!(
            "cart-reservation/shared-atomic-reservation",
            cart_reservation::SharedAtomicReservation
        ),
    ]
}
