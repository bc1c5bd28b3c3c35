//! The Markdown backend of [`Document`]: GitHub-flavoured tables, a text
//! bar chart on the chart's credit scale, and a mermaid graph.

use std::fmt::Write as _;

use super::doc::{fmt_sixths, Block, Chart, Document, Graph, Inline, Row, Run, Table};

/// Text in a table cell or a paragraph: pipes, backslashes and line breaks
/// would break the table.
fn esc(s: &str) -> String {
    s.replace('\\', "\\\\").replace('|', "\\|").replace(['\n', '\r'], " ")
}

fn inline(i: &Inline) -> String {
    let mut o = String::new();
    for r in &i.0 {
        match r {
            Run::Text(s) => o.push_str(&esc(s)),
            Run::Code(s) => {
                // A code span holding backticks needs a longer fence.
                let s = s.replace(['\n', '\r'], " ").replace('|', "\\|");
                if s.contains('`') {
                    let _ = write!(o, "`` {s} ``");
                } else {
                    let _ = write!(o, "`{s}`");
                }
            }
            Run::Strong(s) => {
                let _ = write!(o, "**{}**", esc(s));
            }
        }
    }
    o
}

pub fn render(doc: &Document) -> String {
    let mut o = String::new();
    for b in &doc.blocks {
        match b {
            Block::Heading(level, text) => {
                let _ = writeln!(o, "{} {}\n", "#".repeat((*level).clamp(1, 6) as usize), inline(text));
            }
            Block::Para(text) | Block::Status { text, .. } => {
                let _ = writeln!(o, "{}\n", inline(text));
            }
            Block::Note(text) => {
                let _ = writeln!(o, "_{}_\n", inline(text).trim());
            }
            Block::Facts(rows) => {
                o.push_str("| | |\n|---|---|\n");
                for (k, v) in rows {
                    let _ = writeln!(o, "| {} | {} |", esc(k), inline(v));
                }
                o.push('\n');
            }
            Block::Table(t) => table(&mut o, t),
            Block::List(items) => {
                for i in items {
                    let _ = writeln!(o, "- {}", inline(i));
                }
                o.push('\n');
            }
            Block::Chart(c) => chart(&mut o, c),
            Block::Graph(g) => graph(&mut o, g),
            Block::Separator => o.push_str("---\n\n"),
        }
    }
    o
}

fn table(o: &mut String, t: &Table) {
    let n = t.head.len().max(1);
    let _ = writeln!(
        o,
        "| {} |",
        t.head.iter().map(|h| esc(h)).collect::<Vec<_>>().join(" | ")
    );
    let _ = writeln!(o, "|{}", "---|".repeat(n));
    for r in &t.rows {
        match r {
            Row::Cells(cells) => {
                let _ = writeln!(o, "| {} |", cells.iter().map(inline).collect::<Vec<_>>().join(" | "));
            }
            Row::Group(title) => {
                let _ = writeln!(o, "| {} |{}", inline(title), " |".repeat(n - 1));
            }
        }
    }
    o.push('\n');
}

/// One glyph per [`Chart::GLYPH_CREDITS`] credits, rounded; the same scale
/// for every bar.
fn chart(o: &mut String, c: &Chart) {
    let per = Chart::GLYPH_CREDITS as i64 * 6;
    let _ = writeln!(
        o,
        "**{}** (one character = {} credits)\n",
        esc(&c.title),
        Chart::GLYPH_CREDITS
    );
    let width = c.bars.iter().map(|b| b.label.chars().count()).max().unwrap_or(0);
    o.push_str("```text\n");
    for b in &c.bars {
        let mut bar = String::new();
        let mut done = 0i64;
        let mut acc = 0i64;
        for (seg, v) in &b.segments {
            acc += v;
            // Round the running total so that the segments add up.
            let upto = (acc + per / 2) / per;
            for _ in done..upto {
                bar.push(seg.glyph());
            }
            done = done.max(upto);
        }
        let _ = writeln!(o, "{:<width$}  {bar} {}", b.label, b.total);
    }
    let ticks = c.scale_max / Chart::TICK;
    let step = (Chart::TICK / Chart::GLYPH_CREDITS) as usize;
    // Label every k-th tick, k the least that leaves a space between labels.
    let widest = c.scale_max.to_string().len();
    let k = (1..).find(|k| k * step > widest).unwrap_or(1);
    let mut axis = String::new();
    let mut labels = String::new();
    for t in 0..=ticks {
        if t > 0 {
            axis.push_str(&"-".repeat(step - 1));
        }
        axis.push('+');
        if (t as usize).is_multiple_of(k) {
            let at = t as usize * step;
            labels.push_str(&" ".repeat(at.saturating_sub(labels.chars().count())));
            labels.push_str(&(t * Chart::TICK).to_string());
        }
    }
    let _ = writeln!(o, "{:<width$}  {axis}", "");
    let _ = writeln!(o, "{:<width$}  {labels} credits", "");
    o.push_str("```\n\n");
    let legend: Vec<String> = c
        .legend
        .iter()
        .map(|s| format!("{} {}", s.glyph(), s.legend()))
        .collect();
    let _ = writeln!(o, "{}\n", legend.join(" · "));
    let _ = fmt_sixths;
}

fn node_id(i: usize) -> String {
    format!("n{i}")
}

fn graph(o: &mut String, g: &Graph) {
    let _ = writeln!(o, "**{}**\n", esc(&g.title));
    o.push_str("```mermaid\ngraph LR\n");
    for (i, n) in g.nodes.iter().enumerate() {
        if g.apart.contains(&i) {
            continue;
        }
        let label = format!("{} {}", n.id, n.title).replace(['"', '`'], "'");
        let _ = writeln!(o, "  {}[\"{}\"]", node_id(i), label.trim());
    }
    for &(a, b) in &g.edges {
        let _ = writeln!(o, "  {} --> {}", node_id(a), node_id(b));
    }
    // Modules outside the structure are dashed, as in the HTML graph (the
    // legend is the same in both formats).
    let outside: Vec<String> = g
        .nodes
        .iter()
        .enumerate()
        .filter(|(i, n)| n.outside && !g.apart.contains(i))
        .map(|(i, _)| node_id(i))
        .collect();
    if !outside.is_empty() {
        o.push_str("  classDef outside stroke-dasharray: 5 5\n");
        let _ = writeln!(o, "  class {} outside", outside.join(","));
    }
    o.push_str("```\n\n");
    for &(a, b) in &g.edges {
        if let (Some(a), Some(b)) = (g.nodes.get(a), g.nodes.get(b)) {
            let _ = writeln!(
                o,
                "- `{}` {} requires `{}` {}",
                b.id,
                esc(&b.title),
                a.id,
                esc(&a.title)
            );
        }
    }
    o.push('\n');
}
