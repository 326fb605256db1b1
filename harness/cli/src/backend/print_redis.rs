//! How a Redis run prints: each command at its virtual time with the model's and
//! the server's replies, the lapses applied before it, the keys at the end.

use locklab::sim::store::redis::script_name;
use locklab::sim::{describe_reply as reply, RedisArg, MS_PER_TICK};
use locklab_servers::{HeldKey, RedisLogRun};

/// The commands, what the model replied and what the server replied.
pub fn print_run(run: &RedisLogRun, header: bool) {
    if header {
        println!(
            "on Redis (keys under {}, deleted at exit; virtual time mapped a day ahead of the \
             server's clock, lapses applied explicitly), the model's commands in the model's order:",
            run.prefix
        );
    }
    let w = super::actor_width(run.steps.iter().map(|c| c.model.actor.as_str()));
    println!(
        "{:>3}  {:>4}  {:w$}  command  →  model | server",
        "#", "t", "actor"
    );
    for (i, c) in run.steps.iter().enumerate() {
        for k in &c.lapsed {
            println!("{:>3}  {:>4}  {:w$}  ({k} lapsed: deleted)", "", "", "");
        }
        let args: Vec<String> = c.model.args.iter().map(shown).collect();
        let mark = if c.agrees() { "" } else { "   <<< differs" };
        println!(
            "{i:>3}  {:>4}  {:w$}  {}  →  {} | {}{mark}",
            format!("t={}", c.model.at_ms / MS_PER_TICK),
            c.model.actor,
            args.join(" "),
            reply(&c.model.reply),
            reply(&c.server)
        );
    }
    for (key, held) in &run.server_keys {
        match held {
            Some(HeldKey {
                value,
                lapses_at: Some(tick),
            }) => println!("{key} on the server at the end: \"{value}\", lapses at t={tick}"),
            Some(HeldKey { value, .. }) => {
                println!("{key} on the server at the end: \"{value}\"")
            }
            None => println!("{key} on the server at the end: (none)"),
        }
    }
    for h in &run.witnessed {
        println!("in the server's replies, {}: {}", h.name, h.how);
    }
}

/// An argument as the model sent it, a known script by name, a deadline as `@ms`.
fn shown(arg: &RedisArg) -> String {
    match arg {
        RedisArg::Text(s) => script_name(s).map_or_else(|| s.clone(), str::to_owned),
        RedisArg::Key(k) => k.clone(),
        RedisArg::At(ms) => format!("{ms}"),
    }
}
