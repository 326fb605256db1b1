//! Numbers, times and text as the report prints them; Markdown tables; escaping.

/// Three significant digits: `999`, `12.3`, `1.23`, `0.0123`.
pub fn sig3(x: f64) -> String {
    // Round first, so 9.996 prints as "10.0", not "10.00".
    let x = round_sig3(x.abs()).copysign(x);
    let a = x.abs();
    if a >= 100.0 {
        format!("{x:.0}")
    } else if a >= 10.0 {
        format!("{x:.1}")
    } else if a >= 1.0 || a == 0.0 {
        format!("{x:.2}")
    } else {
        // Enough decimals for three significant digits of a small number.
        let decimals = (2 - a.log10().floor() as i32).clamp(2, 12) as usize;
        format!("{x:.decimals$}")
    }
}

/// A count or rate with an SI suffix: `850`, `12.3 k`, `1.23 M`, `4.56 G`.
pub fn si(x: f64) -> String {
    const UNITS: [(f64, &str); 3] = [(1e9, "G"), (1e6, "M"), (1e3, "k")];
    for (scale, unit) in UNITS {
        // Round first so 999 950 prints as "1.00 M", not "1000 k".
        if round_sig3(x.abs()) >= scale {
            return format!("{} {unit}", sig3(x / scale));
        }
    }
    sig3(x)
}

fn round_sig3(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let magnitude = 10f64.powi(x.log10().floor() as i32 - 2);
    (x / magnitude).round() * magnitude
}

/// A whole count with thousands separators: `1,234,567`.
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A count and its noun: `1 execution`, `1,234 executions`.
pub fn counted(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{} {noun}s", count(n))
    }
}

/// A duration given in nanoseconds: `812 ns`, `3.40 µs`, `12.5 ms`, `1.20 s`.
pub fn duration_ns(ns: f64) -> String {
    const UNITS: [(f64, &str); 3] = [(1e9, "s"), (1e6, "ms"), (1e3, "µs")];
    for (scale, unit) in UNITS {
        if round_sig3(ns.abs()) >= scale {
            return format!("{} {unit}", sig3(ns / scale));
        }
    }
    format!("{} ns", sig3(ns))
}

/// A duration in seconds, as [`duration_ns`] prints it.
pub fn duration_s(seconds: f64) -> String {
    duration_ns(seconds * 1e9)
}

/// A ratio: `0.420×`, `12.0×`; tiny ones in scientific notation (`5.0e-5×`).
pub fn ratio(x: f64) -> String {
    if x != 0.0 && x.abs() < 0.001 {
        format!("{x:.1e}×")
    } else {
        format!("{}×", sig3(x))
    }
}

/// Text made safe for a Markdown table cell: no pipes, no HTML, one line.
pub fn cell(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('|', "\\|")
        .replace(['\n', '\r'], " ")
}

/// Text as inline code in a table cell (backticks cannot be escaped inside code, so
/// they are dropped).
pub fn code(text: &str) -> String {
    format!("`{}`", text.replace('`', "").replace('|', "\\|"))
}

/// Column alignment in a Markdown table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Text columns.
    Left,
    /// Number columns.
    Right,
}

/// A GitHub Markdown table. Cells must already be escaped ([`cell`]).
pub fn table(headers: &[(&str, Align)], rows: &[Vec<String>]) -> String {
    let mut out = String::new();
    let line = |cells: &mut dyn Iterator<Item = String>| {
        let cells: Vec<String> = cells.collect();
        format!("| {} |\n", cells.join(" | "))
    };
    out.push_str(&line(&mut headers.iter().map(|(h, _)| (*h).to_owned())));
    out.push_str(&line(&mut headers.iter().map(|(_, a)| match a {
        Align::Left => ":---".to_owned(),
        Align::Right => "---:".to_owned(),
    })));
    for row in rows {
        out.push_str(&line(&mut row.iter().cloned()));
    }
    out
}

/// Text made safe inside SVG/XML text and attribute values.
pub fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 forbids most control characters, even escaped.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// An id (`device-claim/select-then-update`) as one file or directory name: anything
/// but letters, digits, `-`, `_` and `.` becomes `_`.
pub fn file_name(id: &str) -> String {
    let name: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if name.trim_matches('.').is_empty() {
        "_".to_owned()
    } else {
        name
    }
}

/// Splits `text` into lines of at most `width` characters, breaking at spaces where it
/// can and inside a word only when the word alone is too long.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let mut word: Vec<char> = word.chars().collect();
        let line_len = line.chars().count();
        if line_len > 0 && line_len + 1 + word.len() <= width {
            line.push(' ');
            line.extend(word.iter());
            continue;
        }
        if line_len > 0 {
            lines.push(std::mem::take(&mut line));
        }
        while word.len() > width {
            lines.push(word.drain(..width).collect());
        }
        line.extend(word.iter());
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// Each distinct item once, in order: the rows and columns of a table, the series of a
/// chart (a `BTreeSet` collect, so output never depends on input order).
pub trait DistinctSorted: Iterator + Sized
where
    Self::Item: Ord,
{
    /// The distinct items, sorted.
    fn distinct_sorted(self) -> Vec<Self::Item> {
        self.collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect()
    }
}

impl<I: Iterator> DistinctSorted for I where I::Item: Ord {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_keep_three_significant_digits() {
        assert_eq!(si(850.0), "850");
        assert_eq!(si(12_345.0), "12.3 k");
        assert_eq!(si(999_950.0), "1.00 M");
        assert_eq!(si(0.5), "0.500");
        assert_eq!(sig3(9.996), "10.0");
        assert_eq!(ratio(0.00005), "5.0e-5×");
        assert_eq!(duration_ns(812.0), "812 ns");
        assert_eq!(duration_ns(3_400.0), "3.40 µs");
        assert_eq!(duration_ns(12_500_000.0), "12.5 ms");
        assert_eq!(count(1_234_567), "1,234,567");
        assert_eq!(count(999), "999");
    }

    #[test]
    fn wrap_breaks_at_spaces_and_splits_long_words() {
        assert_eq!(wrap("aa bb cc", 5), ["aa bb", "cc"]);
        assert_eq!(wrap("abcdefgh", 3), ["abc", "def", "gh"]);
        assert_eq!(wrap("", 3), [""]);
    }

    #[test]
    fn escaping_keeps_tables_and_xml_intact() {
        assert_eq!(cell("a | b < c"), "a \\| b &lt; c");
        assert_eq!(xml("<a & 'b'>"), "&lt;a &amp; &apos;b&apos;&gt;");
        assert_eq!(file_name("device-claim/x y"), "device-claim_x_y");
    }
}
