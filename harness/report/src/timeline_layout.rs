//! Where everything in a timeline picture goes: lanes (one per actor), rows (one per
//! step) and the header and footer bands, all in whole pixels from character counts.

use std::cmp::Ordering;

use locklab::sim::Event;

use super::format::wrap;
use super::timeline_svg::Timeline;

pub(super) const MARGIN: i32 = 16;
/// Width of one character of the 12 px monospace body text (0.6 em, rounded up).
pub(super) const CHAR_W: f64 = 7.3;
pub(super) const LINE_H: i32 = 15;
pub(super) const GUTTER_W: i32 = 52;
pub(super) const SEQ_W: i32 = 40;
pub(super) const HEADER_H: i32 = 30;
const LANE_GAP: i32 = 18;
/// Characters of a step label per line inside a lane (labels wrap beyond).
const LANE_CHARS: (usize, usize) = (10, 26);
const SAW_CHARS: usize = 56;
const MIN_WIDTH: i32 = 720;

/// (fill, stroke) per lane, cycling; none of them red, which marks the violation.
const LANE_COLORS: [(&str, &str); 5] = [
    ("#e3effa", "#3b7fc4"),
    ("#fdf0dc", "#c77c0e"),
    ("#e2f3e8", "#2f8a4f"),
    ("#efe7f7", "#7d56a8"),
    ("#def2f2", "#22878a"),
];
/// Lanes of the environment (actors with lower-case names: ticker, operator, check).
const ENV_COLORS: (&str, &str) = ("#f0f1f3", "#7d8590");

/// Pixels for `chars` characters of body text.
pub(super) fn px(chars: usize) -> i32 {
    (chars as f64 * CHAR_W).ceil() as i32
}

/// Characters of body text that fit in `pixels`.
fn chars_in(pixels: i32) -> usize {
    (pixels.max(0) as f64 / CHAR_W) as usize
}

/// One actor's column.
pub(super) struct Lane {
    pub actor: String,
    pub x: i32,
    pub width: i32,
    /// Step-label characters per line.
    pub chars: usize,
    /// (fill, stroke).
    pub colors: (&'static str, &'static str),
}

/// One step's row: where it goes and its wrapped text.
pub(super) struct Row<'e> {
    pub event: &'e Event,
    /// Index into [`Layout::lanes`].
    pub lane: usize,
    pub y: i32,
    pub height: i32,
    pub step: Vec<String>,
    pub saw: Vec<String>,
}

/// The whole picture's geometry.
pub(super) struct Layout<'e> {
    pub width: i32,
    pub height: i32,
    /// `violates <property> (<kind> property): <detail>`, wrapped.
    pub headline: Vec<String>,
    /// Top of the lane headings.
    pub columns_y: i32,
    pub lanes: Vec<Lane>,
    pub rows: Vec<Row<'e>>,
    pub rows_top: i32,
    pub rows_bottom: i32,
    /// Left edge of the "what it saw" column.
    pub saw_x: i32,
    /// The verdict's own red row, when no step is marked as the violating one (a
    /// deadlock, an end-of-run check), with its height.
    pub verdict: Option<(Vec<String>, i32)>,
    pub footer_y: i32,
    pub replay: Vec<String>,
}

/// Lays out `t`.
pub(super) fn layout<'e>(t: &Timeline<'e>) -> Layout<'e> {
    let events = &t.trace.events;
    let lanes_left = MARGIN + GUTTER_W + SEQ_W;
    let lanes = lanes(events, lanes_left);
    let lanes_right = lanes.last().map_or(lanes_left, |l| l.x + l.width);
    let saw_x = lanes_right + LANE_GAP;
    let width = (saw_x + px(SAW_CHARS) + MARGIN).max(MIN_WIDTH);
    let text_chars = chars_in(width - 2 * MARGIN);

    let v = t.violation;
    let headline = wrap(
        &format!(
            "violates {} ({} property): {}",
            v.property.name, v.property.kind, v.detail
        ),
        text_chars,
    );
    let columns_y = MARGIN + 28 + headline.len() as i32 * LINE_H + 12;
    let rows_top = columns_y + HEADER_H + 8;
    let mut y = rows_top;
    let rows: Vec<Row<'e>> = events
        .iter()
        .map(|event| {
            let lane = lanes
                .iter()
                .position(|l| l.actor == event.actor)
                .expect("every actor has a lane");
            let step = wrap(&event.step, lanes[lane].chars);
            let saw = wrap(&event.saw, SAW_CHARS);
            let height = step.len().max(saw.len()) as i32 * LINE_H + 12;
            let row = Row {
                event,
                lane,
                y,
                height,
                step,
                saw,
            };
            y += height;
            row
        })
        .collect();
    let rows_bottom = y;
    let verdict = (!events.iter().any(|e| e.violation)).then(|| {
        let lines = wrap(
            &format!("✗ at t={}: {}", v.at, v.detail),
            chars_in(width - 2 * MARGIN - 16),
        );
        let height = lines.len() as i32 * LINE_H + 14;
        (lines, height)
    });
    let verdict_h = verdict.as_ref().map_or(0, |(_, h)| *h);
    let footer_y = rows_bottom + verdict_h + 18;
    let replay = t
        .replay
        .map(|r| wrap(&format!("replay: {r}"), text_chars + 8))
        .unwrap_or_default();
    let height = footer_y + (2 + replay.len() as i32) * LINE_H + MARGIN;
    Layout {
        width,
        height,
        headline,
        columns_y,
        lanes,
        rows,
        rows_top,
        rows_bottom,
        saw_x,
        verdict,
        footer_y,
        replay,
    }
}

/// Whether `actor` belongs to the environment rather than the scheme: by locklab's
/// naming, scheme actors are capitalised (`A`, `S1`) and the environment is not
/// (`ticker`, `operator`, the end-of-execution `check`).
fn is_environment(actor: &str) -> bool {
    !actor.starts_with(|c: char| c.is_uppercase())
}

/// Scheme actors first in natural order (`S2` before `S10`), then the environment
/// in order of appearance.
fn lane_order(events: &[Event]) -> Vec<String> {
    let mut actors: Vec<&str> = Vec::new();
    for e in events {
        if !actors.contains(&e.actor.as_str()) {
            actors.push(&e.actor);
        }
    }
    let mut scheme: Vec<&str> = actors
        .iter()
        .copied()
        .filter(|a| !is_environment(a))
        .collect();
    scheme.sort_by(|a, b| natural(a, b));
    let environment = actors.iter().copied().filter(|a| is_environment(a));
    scheme
        .into_iter()
        .chain(environment)
        .map(str::to_owned)
        .collect()
}

fn natural(a: &str, b: &str) -> Ordering {
    let split = |s: &str| {
        let digits = s.len() - s.trim_end_matches(|c: char| c.is_ascii_digit()).len();
        let (head, tail) = s.split_at(s.len() - digits);
        (head.to_owned(), tail.parse::<u64>().unwrap_or(0))
    };
    split(a).cmp(&split(b)).then_with(|| a.cmp(b))
}

/// One lane per actor, as wide as its longest step label (within bounds).
fn lanes(events: &[Event], left: i32) -> Vec<Lane> {
    let mut x = left;
    let mut scheme_index = 0;
    lane_order(events)
        .into_iter()
        .map(|actor| {
            let longest_step = events
                .iter()
                .filter(|e| e.actor == actor)
                .map(|e| e.step.chars().count())
                .max()
                .unwrap_or(0);
            let chars = longest_step
                .max(actor.chars().count())
                .clamp(LANE_CHARS.0, LANE_CHARS.1);
            let colors = if is_environment(&actor) {
                ENV_COLORS
            } else {
                scheme_index += 1;
                LANE_COLORS[(scheme_index - 1) % LANE_COLORS.len()]
            };
            let width = px(chars) + 30;
            let lane = Lane {
                actor,
                x,
                width,
                chars,
                colors,
            };
            x += width;
            lane
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(seq: usize, actor: &str) -> Event {
        Event {
            seq,
            at: 0,
            actor: actor.to_owned(),
            step: "step".to_owned(),
            saw: String::new(),
            violation: false,
        }
    }

    #[test]
    fn scheme_actors_come_first_in_natural_order_then_the_environment() {
        let events: Vec<Event> = ["ticker", "S10", "S2", "check", "A"]
            .iter()
            .enumerate()
            .map(|(i, a)| event(i, a))
            .collect();
        assert_eq!(lane_order(&events), ["A", "S2", "S10", "ticker", "check"]);
    }
}
