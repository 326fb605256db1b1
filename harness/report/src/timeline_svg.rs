//! A failing execution as a picture to paste into a bug report: one column (lane) per
//! actor, one box per atomic step in the order the steps took effect, the virtual
//! clock down the left side, what each step saw in a column on the right, the
//! violating step in red, and the command that replays it at the bottom.
//!
//! Text is monospace and wrapped by character count, so the layout does not depend on
//! font metrics an SVG writer cannot measure, and identical traces give identical
//! bytes.

use locklab::sim::{Trace, Violation};

use super::svg::{Svg, TextStyle};
use super::timeline_layout::{layout, Lane, Layout, Row, GUTTER_W, HEADER_H, LINE_H, MARGIN};

/// Everything the picture shows.
#[derive(Debug, Clone, Copy)]
pub struct Timeline<'a> {
    /// Scenario id, the picture's title.
    pub scenario: &'a str,
    /// The violated property.
    pub violation: &'a Violation,
    /// The failing execution.
    pub trace: &'a Trace,
    /// How it was found: `found by pct(d=3) after 167 executions`.
    pub found: &'a str,
    /// The command that replays it, if it can be replayed.
    pub replay: Option<&'a str>,
}

const BODY: i32 = 12;
const SMALL: i32 = 11;
const INK: &str = "#1f2328";
const MUTED: &str = "#656d76";
const RULE: &str = "#d0d7de";
const RED: &str = "#b3261e";
const RED_FILL: &str = "#fdecea";
const RED_BOX: &str = "#f9c9c4";
const LEGEND: &str = "t: virtual clock · one box per atomic step, in the order the steps took effect · red: where the property failed";

fn mono(size: i32, color: &str) -> TextStyle<'_> {
    TextStyle {
        size,
        color,
        bold: false,
        anchor: "start",
        family: "mono",
    }
}

fn bold(style: TextStyle<'_>) -> TextStyle<'_> {
    TextStyle {
        bold: true,
        ..style
    }
}

impl Timeline<'_> {
    /// The picture as an SVG document.
    pub fn to_svg(&self) -> String {
        let l = layout(self);
        let title = format!("{}: {}", self.scenario, l.headline.join(" "));
        let mut svg = Svg::new(l.width, l.height, &title);
        let sans_title = TextStyle {
            size: 18,
            color: INK,
            bold: true,
            anchor: "start",
            family: "sans",
        };
        svg.text(MARGIN, MARGIN + 16, self.scenario, sans_title);
        for (i, line) in l.headline.iter().enumerate() {
            let y = MARGIN + 38 + i as i32 * LINE_H;
            svg.text(MARGIN, y, line, bold(mono(BODY, RED)));
        }
        draw_columns(&mut svg, &l);
        // The violating row's band goes under everything else, the clock included.
        for row in l.rows.iter().filter(|r| r.event.violation) {
            let w = l.width - 2 * MARGIN;
            svg.rect(MARGIN, row.y + 1, w, row.height - 2, 3, RED_FILL, "none", 0);
        }
        draw_clock(&mut svg, &l);
        for row in &l.rows {
            draw_row(&mut svg, row, &l.lanes[row.lane], l.saw_x);
        }
        if let Some((lines, height)) = &l.verdict {
            let top = l.rows_bottom + 4;
            let w = l.width - 2 * MARGIN;
            svg.rect(MARGIN, top, w, height - 6, 4, RED_FILL, RED, 1);
            for (i, line) in lines.iter().enumerate() {
                let y = top + 16 + i as i32 * LINE_H;
                svg.text(MARGIN + 8, y, line, bold(mono(BODY, RED)));
            }
        }
        self.draw_footer(&mut svg, &l);
        svg.finish()
    }

    /// How it was found, how to replay it, how to read the picture.
    fn draw_footer(&self, svg: &mut Svg, l: &Layout<'_>) {
        let y = l.footer_y;
        svg.line((MARGIN, y - 8), (l.width - MARGIN, y - 8), RULE, 1, "");
        svg.text(MARGIN, y + 6, self.found, mono(SMALL, MUTED));
        for (i, line) in l.replay.iter().enumerate() {
            let line_y = y + 6 + (i as i32 + 1) * LINE_H;
            svg.text(MARGIN, line_y, line, mono(SMALL, INK));
        }
        let legend_y = y + 6 + (l.replay.len() as i32 + 1) * LINE_H;
        svg.text(MARGIN, legend_y, LEGEND, mono(SMALL - 1, MUTED));
    }
}

/// Column headings, one labelled pill per lane, and the lanes' lifelines.
fn draw_columns(svg: &mut Svg, l: &Layout<'_>) {
    let y = l.columns_y;
    let heading = bold(mono(BODY, MUTED));
    svg.text(MARGIN, y + 19, "time", heading);
    svg.text(MARGIN + GUTTER_W, y + 19, "step", heading);
    svg.text(l.saw_x, y + 19, "what it saw or did", heading);
    let lifeline_end = l.rows_bottom + l.verdict.as_ref().map_or(0, |(_, h)| *h);
    for lane in &l.lanes {
        let mid = lane.x + lane.width / 2;
        svg.line((mid, y + HEADER_H), (mid, lifeline_end), RULE, 1, "");
        let (fill, stroke) = lane.colors;
        svg.rect(
            lane.x + 4,
            y,
            lane.width - 8,
            HEADER_H - 4,
            13,
            fill,
            stroke,
            1,
        );
        let name = TextStyle {
            anchor: "middle",
            ..bold(mono(BODY + 1, INK))
        };
        svg.text(mid, y + 18, &lane.actor, name);
    }
}

/// The virtual clock: an axis down the gutter, and a tick, a label and a dashed rule
/// across the picture wherever `t` changes.
fn draw_clock(svg: &mut Svg, l: &Layout<'_>) {
    let axis_x = MARGIN + GUTTER_W - 10;
    if !l.rows.is_empty() {
        svg.line((axis_x, l.rows_top), (axis_x, l.rows_bottom), MUTED, 1, "");
    }
    let mut last_t = None;
    for row in &l.rows {
        if last_t == Some(row.event.at) {
            continue;
        }
        if last_t.is_some() {
            svg.line((axis_x, row.y), (l.width - MARGIN, row.y), RULE, 1, "4 3");
        }
        svg.line((axis_x - 4, row.y + 1), (axis_x, row.y + 1), MUTED, 2, "");
        let label = TextStyle {
            anchor: "end",
            ..bold(mono(BODY, INK))
        };
        svg.text(
            axis_x - 7,
            row.y + 16,
            &format!("t={}", row.event.at),
            label,
        );
        last_t = Some(row.event.at);
    }
}

/// One step: its number, its box in its actor's lane, and what it saw.
fn draw_row(svg: &mut Svg, row: &Row<'_>, lane: &Lane, saw_x: i32) {
    let violating = row.event.violation;
    let (fill, stroke, stroke_w) = if violating {
        (RED_BOX, RED, 2)
    } else {
        (lane.colors.0, lane.colors.1, 1)
    };
    let box_x = lane.x + 6;
    let box_w = lane.width - 12;
    let text_y = row.y + 6 + LINE_H - 3;
    // The box fits the step's own lines (the row may be taller for a long "saw").
    let box_h = row.step.len() as i32 * LINE_H + 8;
    // A dotted leader from the box to its text, level with the first line of both.
    let leader_y = row.y + 4 + (LINE_H + 8) / 2;
    let leader = if violating { RED } else { RULE };
    svg.line(
        (box_x + box_w, leader_y),
        (saw_x - 6, leader_y),
        leader,
        1,
        "1 3",
    );
    svg.rect(box_x, row.y + 4, box_w, box_h, 4, fill, stroke, stroke_w);
    let (seq, seq_color) = if violating {
        (format!("✗ #{}", row.event.seq), RED)
    } else {
        (format!("#{}", row.event.seq), MUTED)
    };
    let weight = |style| if violating { bold(style) } else { style };
    svg.text(
        MARGIN + GUTTER_W,
        text_y,
        &seq,
        weight(mono(SMALL, seq_color)),
    );
    for (i, line) in row.step.iter().enumerate() {
        let y = text_y + i as i32 * LINE_H;
        svg.text(box_x + 6, y, line, weight(mono(BODY, INK)));
    }
    let saw_color = if violating { RED } else { INK };
    for (i, line) in row.saw.iter().enumerate() {
        let y = text_y + i as i32 * LINE_H;
        svg.text(saw_x, y, line, weight(mono(BODY, saw_color)));
    }
}
