//! `instance-coordinator/fenced-lease` under faults: the atomic lease on `locks`
//! with its fence.

use super::*;

/// Lease of the fenced-lease run, in ms of the run's clock: the model's 3 ticks, so
/// leases do lapse under live holders and the shop's fence has work to do.
const SHOP_LEASE_MS: u64 = 3;
/// Every this many ms the "buy" command changes: all clients handle the same one.
const COMMAND_MS: u64 = 4;

/// `instance-coordinator/fenced-lease`'s purchases under `fault`. Every
/// `COMMAND_MS` (4) ms of the run's clock a new "buy pet p for user u" command arrives,
/// and every client handles it (as each bot instance does), as the model's instance
/// does: `ACQUIRE_LEASE` of `pet_buy_{u}_{p}` at `$now` (ms of the run) with a token
/// from a sequence, busy if refused; show the shop the fence and read the profile as
/// one snapshot (`BEGIN ISOLATION LEVEL REPEATABLE READ`, balance, pets, `COMMIT`);
/// buy only if the pet is not owned and the balance covers it: the shop refuses a
/// fence older than one it has seen, else `BEGIN`, guarded debit (`ROLLBACK` if it
/// paid nothing), insert the pet, `COMMIT`; release by token. The model's price; user
/// 1 with a large balance, user 2 with 5½ prices, so its purchases run out.
///
/// The server's rows must show no pet owned twice (`user_pets` has no unique key in
/// this rung: only the lease and fence stop a second one), every balance ≥ 0, and
/// every balance plus the prices of its user's pets equal to the starting balance;
/// and the pets between the purchases the clients saw commit and those in doubt. No
/// client may be granted a lease while another's is live and unreleased.
pub fn fenced_purchases(
    cfg: &PgConfig,
    clients: usize,
    time: Duration,
    fault: &Fault,
) -> Result<FaultReport, String> {
    let mut model = ShopConfig::new(Protocol::FencedLease, clients);
    let price = model.price as i64;
    let users = rich_and_poor(price);
    let setup = shop_setup(&mut model, &users);
    let state = Arc::new(ShopState {
        next_token: AtomicU64::new(1),
        ..ShopState::default()
    });
    let st = Arc::clone(&state);
    let op = move |client: Arc<Client>, me: usize, _: u64, start: Instant| {
        let s = Arc::clone(&st);
        async move {
            let now = start.elapsed().as_millis() as u64;
            let command = now / COMMAND_MS;
            s.commands.fetch_max(command + 1, Ordering::SeqCst);
            let user = users[command as usize % users.len()].0;
            let pet = command as i64 + 1;
            let key = format!("pet_buy_{user}_{pet}");
            let token = s.next_token.fetch_add(1, Ordering::SeqCst);
            let won = query_call(
                &client,
                &locks::acquire_lease(&key, me, token, now, SHOP_LEASE_MS),
            )
            .await?;
            let Some(fence) = won.first().map(|r| r.get::<_, i64>(0)) else {
                bump(&s.busy);
                return Ok(false);
            };
            s.granted(
                &key,
                Grant {
                    token: fence,
                    sent_ms: now,
                    from_us: start.elapsed().as_micros() as u64,
                    until_ms: now + SHOP_LEASE_MS,
                    released: false,
                },
            );
            let register = s.register(&key);
            let buy = {
                let mut shop_fence = register.lock().await;
                shop::note_fence(&mut shop_fence, fence as u64);
                let profile = snapshot(&client, user, pet).await?;
                s.should_buy(profile, price)
            };
            let mut bought = false;
            if buy {
                let mut shop_fence = register.lock().await;
                match shop::fenced_write(&mut shop_fence, fence as u64) {
                    Err(_) => bump(&s.fence_refused),
                    Ok(last) => {
                        if last.is_some_and(|l| l > fence as u64) {
                            bump(&s.fence_backwards);
                        }
                        bought = s.pay(&client, user, pet, price).await?;
                    }
                }
            }
            s.released(&key, fence);
            run_call(
                &client,
                &locks::release_lock(&key, ReleaseBy::Token(fence as u64)),
            )
            .await?;
            Ok(bought)
        }
    };
    let (counters, rows) = with_faults(cfg, setup, clients, time, fault, op, read_shop)?;
    let invariant = fenced_held(&state, &users, &rows);
    Ok(counters.report("instance-coordinator/fenced-lease", invariant))
}

fn fenced_held(s: &ShopState, users: &[(i64, i64)], rows: &ShopRows) -> Result<String, String> {
    no_overlap(s)?;
    let backwards = get(&s.fence_backwards);
    if backwards > 0 {
        return Err(format!(
            "the shop accepted {backwards} writes with a fence older than one it had accepted"
        ));
    }
    let held = rows_held(&s.purchases, users, rows)?;
    Ok(format!(
        "{held}, over {} commands; no lease granted while another's was live ({} grants \
         sent a $now before an earlier lease ended but ran after it had); the shop \
         refused {} writes with an old fence; {} acquires found the lease busy, {} \
         handlings found the pet owned, {} the balance short; {} lock rows left by \
         holders that died before their release",
        get(&s.commands),
        get(&s.stale_now),
        get(&s.fence_refused),
        get(&s.busy),
        get(&s.owned),
        get(&s.short),
        rows.locks_left,
    ))
}
