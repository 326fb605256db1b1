//! A small XML well-formedness check for the report's SVGs (no XML crate is in the
//! lockfile).

fn not_well_formed(xml: &str, name: &str, why: &str, at: usize) -> ! {
    let context: String = xml[at..].chars().take(60).collect();
    panic!("{name}: not well-formed XML: {why} at byte {at}: {context:?}")
}

/// A small XML well-formedness check (no XML crate is in the lockfile): one root
/// `<svg>`, every tag closed in order, quoted attributes, and only the five named
/// entities or character references after `&`.
pub fn assert_well_formed(xml: &str, name: &str) {
    let check_entities = |text: &str, at: usize| {
        for (i, _) in text.match_indices('&') {
            let rest = &text[i + 1..];
            let end = rest
                .find(';')
                .unwrap_or_else(|| not_well_formed(xml, name, "unterminated entity", at + i));
            let entity = &rest[..end];
            let ok = ["amp", "lt", "gt", "quot", "apos"].contains(&entity)
                || entity.strip_prefix('#').is_some_and(|n| {
                    n.parse::<u32>().is_ok()
                        || n.strip_prefix('x')
                            .is_some_and(|h| u32::from_str_radix(h, 16).is_ok())
                });
            if !ok {
                not_well_formed(xml, name, "unknown entity", at + i);
            }
        }
    };
    let mut stack: Vec<&str> = Vec::new();
    let mut roots = 0;
    let mut i = 0;
    while let Some(open) = xml[i..].find('<').map(|o| i + o) {
        check_entities(&xml[i..open], i);
        if stack.is_empty() && !xml[i..open].trim().is_empty() {
            not_well_formed(xml, name, "text outside the root element", i);
        }
        let rest = &xml[open..];
        if rest.starts_with("<?") || rest.starts_with("<!--") {
            let close = if rest.starts_with("<?") { "?>" } else { "-->" };
            i = open
                + rest
                    .find(close)
                    .unwrap_or_else(|| not_well_formed(xml, name, "unterminated", open))
                + close.len();
            continue;
        }
        // Find the tag's end, skipping '>' inside quoted attribute values.
        let mut quote = None;
        let mut end = None;
        for (k, c) in rest.char_indices().skip(1) {
            match (quote, c) {
                (None, '"' | '\'') => quote = Some(c),
                (Some(q), c) if c == q => quote = None,
                (Some(_), '<') => not_well_formed(xml, name, "'<' in an attribute value", open + k),
                (None, '>') => {
                    end = Some(k);
                    break;
                }
                _ => {}
            }
        }
        let end = end.unwrap_or_else(|| not_well_formed(xml, name, "unterminated tag", open));
        let tag = &rest[1..end];
        check_entities(tag, open);
        if let Some(closing) = tag.strip_prefix('/') {
            if stack.pop() != Some(closing.trim()) {
                not_well_formed(xml, name, "mismatched closing tag", open);
            }
        } else {
            let tag_name = tag
                .split(|c: char| c.is_whitespace() || c == '/')
                .next()
                .unwrap_or("");
            if tag_name.is_empty() {
                not_well_formed(xml, name, "empty tag name", open);
            }
            if stack.is_empty() {
                roots += 1;
                if tag_name != "svg" {
                    not_well_formed(xml, name, "the root element is not <svg>", open);
                }
            }
            if !tag.ends_with('/') {
                stack.push(tag_name);
            }
        }
        i = open + end + 1;
    }
    if !stack.is_empty() {
        not_well_formed(
            xml,
            name,
            &format!("unclosed elements {stack:?}"),
            xml.len(),
        );
    }
    assert_eq!(roots, 1, "{name}: expected exactly one root element");
}

#[test]
fn the_well_formedness_check_rejects_broken_xml() {
    let good = r#"<?xml version="1.0"?><svg a="x > y"><g><text>a &amp; b</text></g><rect/></svg>"#;
    assert_well_formed(good, "good");
    for broken in [
        "<svg><g></svg>",
        "<svg><text>a & b</text></svg>",
        "<svg><text>&nbsp;</text></svg>",
        "<svg></svg><svg></svg>",
        "<svg a=\"<\"></svg>",
        "<html></html>",
        "<svg><g>",
    ] {
        let caught = std::panic::catch_unwind(|| assert_well_formed(broken, "broken"));
        assert!(caught.is_err(), "accepted {broken:?}");
    }
}
