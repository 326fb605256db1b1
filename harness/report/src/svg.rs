//! A minimal SVG writer for the hand-laid-out timeline: integer coordinates, escaped
//! text, attributes in a fixed order, so identical input gives identical bytes.

use std::fmt::Write as _;

use super::format::xml;

/// The document being written.
pub struct Svg {
    body: String,
    width: i32,
    height: i32,
}

/// How a text run is drawn.
#[derive(Debug, Clone, Copy)]
pub struct TextStyle<'a> {
    /// CSS font size in px.
    pub size: i32,
    /// Fill colour.
    pub color: &'a str,
    /// Bold.
    pub bold: bool,
    /// `start`, `middle` or `end`.
    pub anchor: &'a str,
    /// `mono` or `sans` (classes defined in the document's style sheet).
    pub family: &'a str,
}

impl Svg {
    /// An empty document of the given size, with a white background (so it reads on
    /// dark pages too).
    pub fn new(width: i32, height: i32, title: &str) -> Svg {
        let mut svg = Svg {
            body: String::new(),
            width,
            height,
        };
        let _ = writeln!(svg.body, "<title>{}</title>", xml(title));
        svg.rect(0, 0, width, height, 0, "#ffffff", "none", 0);
        svg
    }

    /// A rectangle; `stroke_width` 0 draws no outline.
    #[allow(clippy::too_many_arguments)]
    pub fn rect(
        &mut self,
        x: i32,
        y: i32,
        w: i32,
        h: i32,
        rx: i32,
        fill: &str,
        stroke: &str,
        stroke_width: i32,
    ) {
        let _ = write!(
            self.body,
            r#"<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="{rx}" fill="{fill}""#
        );
        if stroke_width > 0 {
            let _ = write!(
                self.body,
                r#" stroke="{stroke}" stroke-width="{stroke_width}""#
            );
        }
        self.body.push_str("/>\n");
    }

    /// A straight line; `dash` is an SVG dash array (`"4 3"`) or empty for solid.
    pub fn line(
        &mut self,
        (x1, y1): (i32, i32),
        (x2, y2): (i32, i32),
        color: &str,
        width: i32,
        dash: &str,
    ) {
        let _ = write!(
            self.body,
            r#"<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="{color}" stroke-width="{width}""#
        );
        if !dash.is_empty() {
            let _ = write!(self.body, r#" stroke-dasharray="{dash}""#);
        }
        self.body.push_str("/>\n");
    }

    /// One line of text with its baseline at `y`.
    pub fn text(&mut self, x: i32, y: i32, text: &str, style: TextStyle<'_>) {
        let weight = if style.bold {
            r#" font-weight="bold""#
        } else {
            ""
        };
        let _ = writeln!(
            self.body,
            r#"<text x="{x}" y="{y}" class="{}" font-size="{}" fill="{}" text-anchor="{}"{weight}>{}</text>"#,
            style.family,
            style.size,
            style.color,
            style.anchor,
            xml(text)
        );
    }

    /// The finished document.
    pub fn finish(self) -> String {
        format!(
            concat!(
                r#"<?xml version="1.0" encoding="UTF-8"?>"#,
                "\n",
                r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}">"#,
                "\n<style>",
                ".mono{{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,'DejaVu Sans Mono','Liberation Mono',monospace}}",
                ".sans{{font-family:system-ui,-apple-system,'Segoe UI',Helvetica,Arial,'DejaVu Sans',sans-serif}}",
                "</style>\n{body}</svg>\n"
            ),
            w = self.width,
            h = self.height,
            body = self.body
        )
    }
}
