//! Markdown as the knowledge pages show it: rendered by `pulldown-cmark`, then sanitised by
//! `ammonia`, so what reaches a browser (the web app's or an integration's) cannot run script.
//! Raw HTML in the Markdown is shown as the text it is, never as markup.

use ammonia::Builder;
use pulldown_cmark::{Event, Options, Parser, TagEnd, html};
use std::sync::LazyLock;

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS
}

/// What survives sanitising: ammonia's safe tags and URL schemes (no `javascript:`), links opened
/// with `rel="noopener noreferrer"`.
static CLEANER: LazyLock<Builder<'static>> = LazyLock::new(|| {
    let mut b = Builder::default();
    b.link_rel(Some("noopener noreferrer"));
    b
});

/// The safe HTML of a Markdown text.
pub fn to_html(markdown: &str) -> String {
    let events = Parser::new_ext(markdown, options()).map(|e| match e {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        other => other,
    });
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, events);
    CLEANER.clean(&out).to_string()
}

/// The text of a Markdown text without its marks, blocks separated by a space.
pub fn to_text(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    for e in Parser::new_ext(markdown, options()) {
        match e {
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => {
                out.push_str(&t)
            }
            // Blocks and line breaks part words; inline marks (**bold**) do not.
            Event::SoftBreak
            | Event::HardBreak
            | Event::Rule
            | Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::TableCell
                | TagEnd::BlockQuote(_)
                | TagEnd::CodeBlock,
            ) => out.push(' '),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// At most `n` characters of a text, with `…` when it was cut.
pub fn cut(text: &str, n: usize) -> String {
    match text.char_indices().nth(n) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

/// About `width` characters of `text` around the first occurrence of `query` (compared in lower
/// case), with `…` where it was cut; the start of the text when the query is not in it.
pub fn snippet(text: &str, query: &str, width: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    let lower: Vec<char> = chars.iter().map(|c| c.to_ascii_lowercase()).collect();
    let q: Vec<char> = query
        .trim()
        .chars()
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let at = (!q.is_empty())
        .then(|| lower.windows(q.len()).position(|w| w == q.as_slice()))
        .flatten();
    let Some(at) = at else {
        return cut(text, width);
    };
    let start = at.saturating_sub(width / 3);
    let end = (start + width).min(chars.len());
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    out.extend(&chars[start..end]);
    if end < chars.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_and_raw_html_are_inert() {
        let html = to_html("hi <script>alert(1)</script> <b onclick=\"x()\">b</b>");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<b"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        let html = to_html("[x](javascript:alert(1)) [y](https://example.com)");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(
            html.contains(r#"<a href="https://example.com" rel="noopener noreferrer">y</a>"#),
            "{html}"
        );
        let html = to_html("![i](javascript:alert(1))\n\n<img src=x onerror=alert(1)>");
        assert!(
            !html.contains("onerror=alert") || html.contains("&lt;img"),
            "{html}"
        );
        assert!(!html.contains("javascript:"), "{html}");
    }

    #[test]
    fn markdown_renders() {
        let html = to_html("# 标题\n\n**粗体** and `code`\n\n| a | b |\n|---|---|\n| 1 | 2 |");
        assert!(html.contains("<h1>标题</h1>"), "{html}");
        assert!(html.contains("<strong>粗体</strong>"), "{html}");
        assert!(html.contains("<table>"), "{html}");
        assert_eq!(to_text("# 标题\n\n**粗体** 文字"), "标题 粗体 文字");
        // An inline mark does not part a word: its bigrams stay whole for the search.
        assert_eq!(to_text("**粗体**文字"), "粗体文字");
    }

    #[test]
    fn snippets_centre_on_the_match() {
        let text = "一二三四五六七八九十".repeat(10);
        let s = snippet(&format!("{text}百度推广{text}"), "百度", 20);
        assert!(
            s.starts_with('…') && s.ends_with('…') && s.contains("百度推广"),
            "{s}"
        );
        assert_eq!(snippet("short", "zz", 20), "short");
        assert_eq!(cut("一二三", 2), "一二…");
    }
}
