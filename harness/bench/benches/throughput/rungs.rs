//! Every rung the throughput bench runs: the baseline, then each scheme's write-up
//! fix and correct fix, named `scheme/variant` exactly as their scenarios are, so the
//! report can link a throughput row to the rung and its verdict. Each rung is its
//! model's workload (`locklab::models::<scheme>::*Workload`): the statements the
//! model's steps call, run on OS threads.

use locklab::models::cart_reservation::{self, CartWorkload};
use locklab::models::device_claim::{self, DeviceClaimWorkload};
use locklab::models::instance_coordinator::{self, CoordinatorWorkload};
use locklab::models::jackpot::{self, JackpotWorkload};
use locklab::models::singleton_poller::{self, PollerWorkload};
use locklab::sim::workload::Workload;

use crate::baseline::StdMutex;

/// The id of the baseline every scheme is reported as a ratio to.
pub const BASELINE: &str = "baseline/std-mutex";

/// A rung and how to build a fresh workload of it.
pub struct Rung {
    /// `scheme/variant`: the scenario id of the rung (or [`BASELINE`]).
    pub id: &'static str,
    /// A fresh workload with this many keys (and threads at most).
    pub build: fn(usize) -> Box<dyn Workload>,
}

/// The model's workload of `$protocol`, which every rung listed here has.
macro_rules! rung {
    ($id:literal, $ty:ident, $protocol:expr) => {
        Rung {
            id: $id,
            build: |keys| Box::new($ty::new($protocol, keys).expect($id)),
        }
    };
}

/// The baseline first, then two rungs per scheme: the write-up's fix, the correct fix.
pub fn all() -> Vec<Rung> {
    use cart_reservation::Protocol as Cart;
    use device_claim::Protocol as Device;
    use instance_coordinator::Protocol as Coordinator;
    use jackpot::Variant as Pool;
    use singleton_poller::Protocol as Poller;
    vec![
        Rung {
            id: BASELINE,
            build: |keys| Box::new(StdMutex::new(keys)),
        },
        rung!(
            "device-claim/conditional-update",
            DeviceClaimWorkload,
            Device::ConditionalUpdate
        ),
        rung!(
            "device-claim/epoch-lease",
            DeviceClaimWorkload,
            Device::EpochLease
        ),
        rung!(
            "instance-coordinator/expiring-lock-table",
            CoordinatorWorkload,
            Coordinator::ExpiringLockTable
        ),
        rung!(
            "instance-coordinator/fenced-lease",
            CoordinatorWorkload,
            Coordinator::FencedLease
        ),
        rung!("jackpot/version-cas", JackpotWorkload, Pool::VersionCas),
        rung!(
            "jackpot/guarded-decrement",
            JackpotWorkload,
            Pool::GuardedDecrement
        ),
        rung!(
            "singleton-poller/exclusive-lock-file",
            PollerWorkload,
            Poller::ExclusiveLockFile
        ),
        rung!(
            "singleton-poller/renewed-lease",
            PollerWorkload,
            Poller::RenewedLease
        ),
        rung!(
            "cart-reservation/ttl-reservation-cache",
            CartWorkload,
            Cart::TtlReservationCache
        ),
        rung!(
            "cart-reservation/shared-atomic-reservation",
            CartWorkload,
            Cart::SharedAtomicReservation
        ),
    ]
}
