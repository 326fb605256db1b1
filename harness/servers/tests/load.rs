//! The real-server bench's load generator, briefly: the clients' counts add up, no
//! two clients ever win the hot device at once, pgbench runs the same statements, and
//! the schema is gone afterwards.

use std::time::Duration;

use locklab_servers::{require, Claim, LoadDb, PgConfig, PgProbe};

#[test]
fn the_load_counts_add_up_and_pgbench_runs_the_same_statements() {
    let Some(db) = require(
        "load",
        LoadDb::create(&PgConfig::default()).map_err(unavailable),
    ) else {
        return;
    };
    let schema = db.schema().to_owned();
    for claim in Claim::ALL {
        let m = db.run(claim, 3, Duration::from_millis(300)).unwrap();
        assert!(m.successes_per_s > 0.0, "{claim:?}: {m:?}");
        assert!(m.attempts_per_s >= m.successes_per_s, "{claim:?}: {m:?}");
        assert!(m.statements_per_s >= m.attempts_per_s, "{claim:?}: {m:?}");
        let pgbench = db.pgbench(claim, 2, Duration::from_secs(1)).unwrap();
        assert!(pgbench > 0.0, "{claim:?}");
    }
    drop(db);
    let probe = PgProbe::open(&PgConfig::default(), 1).unwrap();
    assert!(
        !probe.leftover_schemas().contains(&schema),
        "{schema} left behind"
    );
}

fn unavailable(reason: String) -> locklab_servers::ServerUnavailable {
    locklab_servers::ServerUnavailable {
        server: "PostgreSQL".into(),
        reason,
    }
}
