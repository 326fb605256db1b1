//! Where and when the numbers were measured. Gathered by the CLI and passed to
//! [`super::generate`], so the generator itself reads no clock or environment and its
//! tests are deterministic.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

/// The measurement context printed at the top of the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meta {
    /// UTC date, `YYYY-MM-DD`.
    pub date: String,
    /// Cores and platform: `2 cores, x86_64-linux (AMD EPYC 7B13)`.
    pub machine: String,
    /// `rustc -V`.
    pub toolchain: String,
    /// Short commit hash of the checkout (`unknown` outside a git checkout).
    pub commit: String,
}

impl Meta {
    /// Reads the clock, the machine, `rustc -V` and the commit of the checkout
    /// containing `repo`.
    pub fn gather(repo: &Path) -> Meta {
        let days = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() / 86_400);
        Meta {
            date: civil_date(days),
            machine: machine(),
            toolchain: rustc_version(),
            commit: commit(repo).unwrap_or_else(|| "unknown".to_owned()),
        }
    }
}

/// `YYYY-MM-DD` of a day count since 1970-01-01 (Howard Hinnant's `civil_from_days`).
pub fn civil_date(days_since_epoch: u64) -> String {
    let z = days_since_epoch as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let platform = format!("{}-{}", std::env::consts::ARCH, std::env::consts::OS);
    let cpu = fs::read_to_string("/proc/cpuinfo").ok().and_then(|info| {
        info.lines()
            .find_map(|l| l.strip_prefix("model name"))
            .and_then(|l| l.split_once(':'))
            .map(|(_, name)| name.split_whitespace().collect::<Vec<_>>().join(" "))
    });
    match cpu {
        Some(cpu) => format!("{cores} cores, {platform} ({cpu})"),
        None => format!("{cores} cores, {platform}"),
    }
}

fn rustc_version() -> String {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    Command::new(rustc)
        .arg("-V")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map_or_else(|| "unknown".to_owned(), |v| v.trim().to_owned())
}

/// The short hash of HEAD, read from `.git` directly (loose ref, packed ref or a
/// detached head; worktrees follow their `gitdir` and `commondir`), so no `git`
/// binary is needed.
pub fn commit(repo: &Path) -> Option<String> {
    let git_dir = find_git_dir(repo)?;
    let common_dir = fs::read_to_string(git_dir.join("commondir"))
        .ok()
        .map_or_else(|| git_dir.clone(), |c| git_dir.join(c.trim()));
    let head = fs::read_to_string(git_dir.join("HEAD")).ok()?;
    let head = head.trim();
    let hash = match head.strip_prefix("ref: ") {
        None => head.to_owned(),
        Some(reference) => [&git_dir, &common_dir]
            .iter()
            .find_map(|dir| fs::read_to_string(dir.join(reference)).ok())
            .map(|h| h.trim().to_owned())
            .or_else(|| packed_ref(&common_dir, reference))?,
    };
    let short: String = hash.chars().take(7).collect();
    (short.len() == 7 && short.chars().all(|c| c.is_ascii_hexdigit())).then_some(short)
}

fn find_git_dir(start: &Path) -> Option<PathBuf> {
    let start = start.canonicalize().ok()?;
    for dir in start.ancestors() {
        let dot_git = dir.join(".git");
        if dot_git.is_dir() {
            return Some(dot_git);
        }
        if let Ok(text) = fs::read_to_string(&dot_git) {
            let target = text.trim().strip_prefix("gitdir: ")?;
            return Some(dir.join(target));
        }
    }
    None
}

fn packed_ref(common_dir: &Path, reference: &str) -> Option<String> {
    fs::read_to_string(common_dir.join("packed-refs"))
        .ok()?
        .lines()
        .find_map(|l| {
            let (hash, name) = l.split_once(' ')?;
            (name == reference).then(|| hash.to_owned())
        })
}

#[cfg(test)]
mod tests {
    use super::civil_date;

    #[test]
    fn civil_dates_match_the_calendar() {
        assert_eq!(civil_date(0), "1970-01-01");
        assert_eq!(civil_date(11_016), "2000-02-29");
        assert_eq!(civil_date(20_000), "2024-10-04");
    }
}
