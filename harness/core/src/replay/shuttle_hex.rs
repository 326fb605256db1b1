//! shuttle's schedule encoding, read without panicking.
//!
//! shuttle writes a schedule as hex of `[0x91] [task-id bit width] [step count]
//! [seed] [steps…]`: three LEB128 varints, then the steps densely packed, least
//! significant bit first — a 0 bit followed by a task id of the given width, or a 1
//! bit for a random draw. Its own decoder indexes and unwraps freely (a truncated
//! string panics inside `bitvec`), so locklab reads the format itself, with every
//! length checked, and writes it with shuttle's encoder.

use shuttle::scheduler::{Schedule, TaskId};

/// shuttle's format version byte.
const MAGIC: u8 = 0x91;

/// Task ids wider than this cannot come from a locklab run (a cast has a handful of
/// actors); a wider field is corruption.
const MAX_TASK_ID_BITS: u64 = 16;

/// The longest schedule accepted, in steps: generous beside the kit's step bound,
/// small enough that a corrupt count cannot allocate without end.
pub const MAX_STEPS: u64 = 10_000_000;

/// `schedule` as one hex word (shuttle's encoding without its line breaks).
pub(crate) fn encode(schedule: &Schedule) -> String {
    shuttle_engine::scheduler::serialization::serialize_schedule(schedule)
        .split_whitespace()
        .collect()
}

/// The schedule `hex` encodes, or what is wrong with it. Accepts exactly what
/// [`encode`] writes: a string that decodes but would be written differently
/// (trailing bytes, stray padding bits) is refused too.
pub(crate) fn decode(hex: &str) -> Result<Schedule, String> {
    let bytes = hex_bytes(hex)?;
    let (&magic, mut rest) = bytes.split_first().ok_or("it is empty")?;
    if magic != MAGIC {
        return Err(format!(
            "it starts with {magic:02x}, not shuttle's version byte {MAGIC:02x}"
        ));
    }
    let width = varint(&mut rest).ok_or("its task-id width is cut short")?;
    let len = varint(&mut rest).ok_or("its step count is cut short")?;
    let seed = varint(&mut rest).ok_or("its seed is cut short")?;
    if width == 0 || width > MAX_TASK_ID_BITS {
        return Err(format!("its task-id width {width} is out of range"));
    }
    if len > MAX_STEPS {
        return Err(format!("its step count {len} is beyond {MAX_STEPS}"));
    }
    let bits = Bits { bytes: rest, at: 0 };
    let schedule = steps(bits, width as usize, len as usize, seed)?;
    if encode(&schedule) != hex {
        return Err("it is not written as shuttle writes it (stray bits or bytes)".into());
    }
    Ok(schedule)
}

fn steps(mut bits: Bits<'_>, width: usize, len: usize, seed: u64) -> Result<Schedule, String> {
    let mut schedule = Schedule::new(seed);
    for _ in 0..len {
        let short = || format!("it ends before its {len} steps do");
        if bits.next().ok_or_else(short)? {
            schedule.push_random();
        } else {
            let mut id = 0usize;
            for i in 0..width {
                id |= usize::from(bits.next().ok_or_else(short)?) << i;
            }
            schedule.push_task(TaskId::from(id));
        }
    }
    Ok(schedule)
}

/// The bits of a byte string, least significant first (bitvec's `Lsb0` over `u8`).
struct Bits<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Iterator for Bits<'_> {
    type Item = bool;
    fn next(&mut self) -> Option<bool> {
        let byte = self.bytes.get(self.at / 8)?;
        let bit = (byte >> (self.at % 8)) & 1 == 1;
        self.at += 1;
        Some(bit)
    }
}

fn hex_bytes(hex: &str) -> Result<Vec<u8>, String> {
    if hex.len() % 2 != 0 {
        return Err("it has an odd number of hex digits".into());
    }
    hex.as_bytes()
        .chunks(2)
        .map(|pair| {
            std::str::from_utf8(pair)
                .ok()
                .and_then(|p| u8::from_str_radix(p, 16).ok())
                .filter(|_| pair.iter().all(u8::is_ascii_hexdigit))
                .ok_or_else(|| "it is not hex".to_owned())
        })
        .collect()
}

/// A LEB128 varint of at most 64 bits, consumed from the front of `bytes`.
fn varint(bytes: &mut &[u8]) -> Option<u64> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let (&byte, rest) = bytes.split_first()?;
        *bytes = rest;
        let part = u64::from(byte & 0x7f);
        if shift == 63 && part > 1 {
            return None;
        }
        value |= part << shift;
        if byte & 0x80 == 0 {
            return Some(value);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn schedule() -> impl Strategy<Value = Schedule> {
        let step = prop::option::of(0usize..300);
        (any::<u64>(), prop::collection::vec(step, 0..200)).prop_map(|(seed, steps)| {
            let mut s = Schedule::new(seed);
            for step in steps {
                match step {
                    Some(t) => s.push_task(TaskId::from(t)),
                    None => s.push_random(),
                }
            }
            s
        })
    }

    proptest! {
        #[test]
        fn what_shuttle_writes_reads_back(s in schedule()) {
            prop_assert_eq!(decode(&encode(&s)), Ok(s));
        }

        #[test]
        fn any_text_is_refused_or_read_without_panicking(hex in "[0-9a-f]{0,64}") {
            if let Ok(s) = decode(&hex) {
                prop_assert_eq!(encode(&s), hex);
            }
        }

        #[test]
        fn a_cut_schedule_is_refused(s in schedule(), cut in 1usize..8) {
            let hex = encode(&s);
            let cut = (cut * 2).min(hex.len());
            prop_assert!(decode(&hex[..hex.len() - cut]).is_err());
        }
    }
}
