//! `instance-coordinator/expiring-lock-table` under faults: the write-up's expiring
//! lock rows, punctual instances and a late contender.

use super::*;

/// The expiring-lock-table run's lease, in ms of the run's clock: several times a
/// handling (a few ms here), so instances are punctual, as the rung requires.
const EXPIRING_LEASE_MS: u64 = 20;
/// The early instances handle a command only within this many ms of its arrival.
const EARLY_MS: u64 = 4;
/// A new command every this many ms: the early instances at its arrival, the late
/// one after any early lease has ended, before the next command.
const EXPIRING_COMMAND_MS: u64 = 32;

/// `instance-coordinator/expiring-lock-table`'s purchases under `fault`, in the
/// rung's own arrangement: every `EXPIRING_COMMAND_MS` (32) ms a command "buy pet p
/// for user u" arrives (users 1 and 2 as in [`fenced_purchases`]); every client but
/// the last handles it once, on arrival (within 4 ms, or not at all), and the last
/// client handles it once, alone, when any lease an early one took has ended (4 +
/// 20 ms on): the model's late instance, which sweeps what a crashed holder left. A
/// handling is the write-up's: `SELECT_LOCK` of `pet_buy_{u}_{p}`, busy if the row is
/// live at `$now` (ms of the run), `DELETE_LOCK` if it has expired (the sweep);
/// `INSERT_LOCK` with holder = the client, a token from a sequence and a 20 ms lease,
/// busy on a duplicate key; the profile as one snapshot; the guarded purchase (as in
/// [`fenced_purchases`], with no fence); the release `… AND holder = $me`.
///
/// `user_pets` has no unique key here: the server's rows must show no pet owned
/// twice, balances never negative and conserved, the pets within the purchases seen
/// commit and in doubt; and no lease may be granted while another client's is live
/// and unreleased. The rung holds with punctual instances and a contender that
/// arrives alone after a crashed holder's lease: a holder whose release came after
/// its lease ended is counted (the assumption failing, not the protocol).
pub fn expiring_lock_purchases(
    cfg: &PgConfig,
    clients: usize,
    time: Duration,
    fault: &Fault,
) -> Result<FaultReport, String> {
    let mut model = ShopConfig::new(Protocol::ExpiringLockTable, clients);
    let price = model.price as i64;
    let users = rich_and_poor(price);
    let setup = shop_setup(&mut model, &users);
    let state = Arc::new(ShopState {
        next_token: AtomicU64::new(1),
        ..ShopState::default()
    });
    // The next command each client handles.
    let next: Arc<Vec<AtomicU64>> = Arc::new((0..clients).map(|_| AtomicU64::new(0)).collect());
    let st = Arc::clone(&state);
    let op = move |client: Arc<Client>, me: usize, _: u64, start: Instant| {
        let (s, next) = (Arc::clone(&st), Arc::clone(&next));
        async move {
            let ms = || start.elapsed().as_millis() as u64;
            let late = clients > 1 && me + 1 == clients;
            let offset = if late {
                EARLY_MS + EXPIRING_LEASE_MS
            } else {
                0
            };
            let now = ms();
            let command = next_command(next[me].load(Ordering::SeqCst), now, offset);
            next[me].store(command + 1, Ordering::SeqCst);
            let due = command * EXPIRING_COMMAND_MS + offset;
            if now < due {
                tokio::time::sleep(Duration::from_millis(due - now)).await;
            }
            if start.elapsed() >= time {
                return Ok(false);
            }
            s.commands.fetch_max(command + 1, Ordering::SeqCst);
            let user = users[command as usize % users.len()].0;
            let pet = command as i64 + 1;
            let key = format!("pet_buy_{user}_{pet}");
            let found = query_call(&client, &locks::select_lock(&key)).await?;
            let row = found.first().and_then(|r| {
                let values: Vec<Value> = (0..3).map(|i| Value::Int(r.get(i))).collect();
                locks::decode(&values)
            });
            // The instance compares the row's expiry with its own clock.
            if row.as_ref().is_some_and(|r| r.live_at(ms())) {
                bump(&s.busy);
                return Ok(false);
            }
            if row.is_some() {
                run_call(&client, &locks::delete_lock(&key)).await?;
                bump(&s.swept);
            }
            let token = s.next_token.fetch_add(1, Ordering::SeqCst);
            let now = ms();
            let until = now + EXPIRING_LEASE_MS;
            match run_call(&client, &locks::insert_lock(&key, me, token, until)).await {
                Ok(_) => {}
                Err(e) if e.code() == Some(&SqlState::UNIQUE_VIOLATION) => {
                    bump(&s.busy);
                    return Ok(false);
                }
                Err(e) => return Err(e),
            }
            s.granted(
                &key,
                Grant {
                    token: token as i64,
                    sent_ms: now,
                    from_us: start.elapsed().as_micros() as u64,
                    until_ms: until,
                    released: false,
                },
            );
            let profile = snapshot(&client, user, pet).await?;
            let bought = if s.should_buy(profile, price) {
                s.pay(&client, user, pet, price).await?
            } else {
                false
            };
            if ms() >= until {
                bump(&s.overran);
            }
            s.released(&key, token as i64);
            run_call(&client, &locks::release_lock(&key, ReleaseBy::Holder(me))).await?;
            Ok(bought)
        }
    };
    let (counters, rows) = with_faults(cfg, setup, clients, time, fault, op, read_shop)?;
    let overran = get(&state.overran);
    let unpunctual = |e: String| {
        if overran > 0 {
            format!("{e} ({overran} holders released after their lease had ended: not punctual)")
        } else {
            e
        }
    };
    let invariant = no_overlap(&state)
        .and_then(|()| rows_held(&state.purchases, &users, &rows))
        .map_err(unpunctual)
        .map(|held| {
            format!(
                "{held}, over {} commands; no lease granted while another's was live; {} \
                 expired rows swept (left by holders whose connection died), {} acquires \
                 found the lock busy, {} handlings found the pet owned, {} the balance \
                 short; {overran} holders released after their lease had ended; {} lock \
                 rows left by holders that died before their release",
                get(&state.commands),
                get(&state.swept),
                get(&state.busy),
                get(&state.owned),
                get(&state.short),
                rows.locks_left,
            )
        });
    Ok(counters.report("instance-coordinator/expiring-lock-table", invariant))
}

/// The command a client handles next in the expiring-lock-table run: the first at
/// or after `unhandled` whose window (`EARLY_MS` from its arrival + `offset`) has not
/// closed at `now`.
fn next_command(unhandled: u64, now: u64, offset: u64) -> u64 {
    let open = (now + 1).saturating_sub(offset + EARLY_MS);
    unhandled.max(open.div_ceil(EXPIRING_COMMAND_MS))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_handles_each_command_once_within_its_window() {
        let (p, late) = (EXPIRING_COMMAND_MS, EARLY_MS + EXPIRING_LEASE_MS);
        // Early: command 0 until 4 ms after its arrival, then the next one.
        assert_eq!(next_command(0, 0, 0), 0);
        assert_eq!(next_command(0, EARLY_MS - 1, 0), 0);
        assert_eq!(next_command(0, EARLY_MS, 0), 1);
        assert_eq!(next_command(1, 1, 0), 1);
        assert_eq!(next_command(0, 3 * p + EARLY_MS, 0), 4);
        // Late: command 0 from 24 ms on, until 28 ms.
        assert_eq!(next_command(0, 0, late), 0);
        assert_eq!(next_command(0, late + EARLY_MS - 1, late), 0);
        assert_eq!(next_command(0, late + EARLY_MS, late), 1);
        // After any early lease, before the next command's early handlers.
        assert!(late + EARLY_MS <= p);
    }
}
