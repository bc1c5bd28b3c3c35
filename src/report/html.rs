//! The HTML backend of [`Document`]: one self-contained page (inline CSS,
//! inline SVG, no script, no network), built with `maud`, which escapes
//! every interpolated string by construction.

use maud::{html, Markup, PreEscaped, DOCTYPE};

use super::doc::{fmt_sixths, Block, Chart, Document, Graph, Inline, Row, Run, Table};

const CSS: &str = "\
body{font-family:system-ui,sans-serif;max-width:64rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b;line-height:1.45}\
h1{font-size:1.7rem}h2{margin-top:2rem;border-bottom:1px solid #ddd}\
.scroll{max-width:100%;overflow-x:auto}\
table{border-collapse:collapse;margin:0.5rem 0 1.2rem}\
td,th{border:1px solid #ccc;padding:0.25rem 0.5rem;text-align:left;vertical-align:top;overflow-wrap:anywhere}\
th{background:#f2f2f2}tr.group th{background:#e4ecf4;font-weight:600}\
code{background:#f4f4f4;padding:0 0.2rem;font-family:ui-monospace,Menlo,Consolas,\"DejaVu Sans Mono\",monospace;font-size:0.9em;overflow-wrap:anywhere}\
.ok{color:#176117}.bad{color:#a4161a}.note{color:#555}\
figure{margin:0.5rem 0 1.2rem}figcaption{font-weight:600;margin-bottom:0.3rem}\
svg{max-width:100%;height:auto}svg text{font-family:system-ui,sans-serif;font-size:12px;fill:#1b1b1b}\
svg .code{font-weight:700}svg .axis{stroke:#999}svg .grid{stroke:#e2e2e2}svg .edge{stroke:#555;fill:none}\
svg .box{fill:#eef4fa;stroke:#2b5c8a}svg .box.outside{fill:#f6f6f6;stroke:#888;stroke-dasharray:4 2}\
.seg-core{fill:#2b5c8a;background:#2b5c8a}.seg-always{fill:#5b8fc0;background:#5b8fc0}\
.seg-range{fill:#c9dcef;background:#c9dcef;stroke:#5b8fc0;stroke-dasharray:3 2}\
.legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:0.4rem 1.2rem;margin:0.3rem 0}\
.swatch{display:inline-block;width:0.9rem;height:0.9rem;margin-right:0.35rem;vertical-align:-0.1rem;border:1px solid #5b8fc0}";

pub fn render(doc: &Document) -> String {
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (doc.title) }
                style { (PreEscaped(CSS)) }
            }
            body {
                @for b in &doc.blocks { (block(b)) }
            }
        }
    };
    let mut s = page.into_string();
    s.push('\n');
    s
}

fn inline(i: &Inline) -> Markup {
    html! {
        @for r in &i.0 {
            @match r {
                Run::Text(s) => (s),
                Run::Code(s) => code { (s) },
                Run::Strong(s) => strong { (s) },
            }
        }
    }
}

fn block(b: &Block) -> Markup {
    match b {
        Block::Heading(level, text) => match level {
            1 => html! { h1 { (inline(text)) } },
            2 => html! { h2 { (inline(text)) } },
            3 => html! { h3 { (inline(text)) } },
            _ => html! { h4 { (inline(text)) } },
        },
        Block::Para(text) => html! { p { (inline(text)) } },
        Block::Note(text) => html! { p.note { (inline(text)) } },
        Block::Status { ok, text } => html! {
            p { strong class=(if *ok { "ok" } else { "bad" }) { (inline(text)) } }
        },
        Block::Facts(rows) => html! {
            div.scroll { table.facts {
                @for (k, v) in rows { tr { th scope="row" { (k) } td { (inline(v)) } } }
            } }
        },
        Block::Table(t) => table(t),
        Block::List(items) => html! { ul { @for i in items { li { (inline(i)) } } } },
        Block::Chart(c) => chart(c),
        Block::Graph(g) => graph(g),
        Block::Separator => html! { hr; },
    }
}

fn table(t: &Table) -> Markup {
    let n = t.head.len().max(1);
    html! {
        div.scroll { table {
            thead { tr { @for h in &t.head { th scope="col" { (h) } } } }
            tbody {
                @for r in &t.rows {
                    @match r {
                        Row::Cells(cells) => tr { @for c in cells { td { (inline(c)) } } },
                        Row::Group(title) => tr.group { th colspan=(n) scope="colgroup" { (inline(title)) } },
                    }
                }
            }
        } }
    }
}

fn f(v: f64) -> String {
    format!("{v:.1}")
}

/// Horizontal bars on one credit scale, with an axis every
/// [`Chart::TICK`] credits.
fn chart(c: &Chart) -> Markup {
    let label_w = 190.0;
    let (bar_h, gap, top) = (22.0, 8.0, 8.0);
    let scale_max = c.scale_max.max(Chart::TICK) as f64;
    // 5 px per credit, narrower for long periods so the chart fits.
    let px = (5.0f64).min(600.0 / scale_max);
    let plot_w = scale_max * px;
    let bars_h = c.bars.len() as f64 * (bar_h + gap);
    let h = top + bars_h + 34.0;
    let w = label_w + plot_w + 70.0;
    let x_of = |sixths: i64| label_w + (sixths.max(0) as f64 / 6.0) * px;
    let ticks: Vec<u64> = (0..=c.scale_max / Chart::TICK).map(|t| t * Chart::TICK).collect();
    html! {
        figure.chart {
            figcaption { (c.title) }
            svg xmlns="http://www.w3.org/2000/svg" width=(f(w)) height=(f(h)) viewBox={"0 0 " (f(w)) " " (f(h))} role="img" aria-label=(c.title) {
                @for t in &ticks {
                    line.grid x1=(f(label_w + *t as f64 * px)) x2=(f(label_w + *t as f64 * px)) y1=(f(top - 4.0)) y2=(f(top + bars_h)) {}
                    text x=(f(label_w + *t as f64 * px)) y=(f(top + bars_h + 16.0)) text-anchor="middle" { (t) }
                }
                line.axis x1=(f(label_w)) x2=(f(label_w + plot_w)) y1=(f(top + bars_h)) y2=(f(top + bars_h)) {}
                text x=(f(label_w + plot_w / 2.0)) y=(f(top + bars_h + 30.0)) text-anchor="middle" { "credits" }
                @for (i, b) in c.bars.iter().enumerate() {
                    @let y = top + i as f64 * (bar_h + gap);
                    text x="0" y=(f(y + bar_h * 0.7)) { (b.label) }
                    @for (seg, start, v) in stacked(&b.segments) {
                        @if v > 0 {
                            rect class=(seg.class()) x=(f(x_of(start))) y=(f(y)) width=(f(x_of(start + v) - x_of(start))) height=(f(bar_h)) {
                                title { (seg.legend()) ": " (fmt_sixths(v)) }
                            }
                        }
                    }
                    @let acc: i64 = b.segments.iter().map(|s| s.1).sum();
                    text x=(f(x_of(acc) + 6.0)) y=(f(y + bar_h * 0.7)) { (b.total) }
                }
            }
            ul.legend {
                @for s in &c.legend {
                    li { span class={"swatch " (s.class())} {} (s.legend()) }
                }
            }
        }
    }
}

/// Each segment with where it starts (the sum of those before it).
fn stacked(segs: &[(super::doc::Segment, i64)]) -> Vec<(super::doc::Segment, i64, i64)> {
    let mut acc = 0;
    segs.iter()
        .map(|&(s, v)| {
            let start = acc;
            acc += v;
            (s, start, v)
        })
        .collect()
}

const BOX_W: f64 = 210.0;
const BOX_H: f64 = 40.0;
const COL_GAP: f64 = 70.0;
const ROW_GAP: f64 = 16.0;

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}

/// The layered graph: columns are layers (prerequisites left), each box the
/// code and title; edges enter boxes from the left.
fn graph(g: &Graph) -> Markup {
    let l = &g.layout;
    let cell = |(layer, row): (usize, usize)| {
        (
            10.0 + layer as f64 * (BOX_W + COL_GAP),
            10.0 + row as f64 * (BOX_H + ROW_GAP),
        )
    };
    let w = 20.0 + l.layers.max(1) as f64 * (BOX_W + COL_GAP) - COL_GAP;
    let h = 20.0 + l.rows.max(1) as f64 * (BOX_H + ROW_GAP) - ROW_GAP;
    let path = |e: usize| -> Option<String> {
        let (a, b) = *g.edges.get(e)?;
        let (ax, ay) = cell(l.place.get(a).copied().flatten()?);
        let (bx, by) = cell(l.place.get(b).copied().flatten()?);
        let mut d = format!("M {} {}", f(ax + BOX_W), f(ay + BOX_H / 2.0));
        for &p in l.bends.get(e).map(Vec::as_slice).unwrap_or(&[]) {
            let (x, y) = cell(p);
            d.push_str(&format!(
                " L {} {} L {} {}",
                f(x),
                f(y + BOX_H / 2.0),
                f(x + BOX_W),
                f(y + BOX_H / 2.0)
            ));
        }
        d.push_str(&format!(" L {} {}", f(bx - 2.0), f(by + BOX_H / 2.0)));
        Some(d)
    };
    html! {
        figure.graph {
            figcaption { (g.title) }
            @if !g.edges.is_empty() {
                svg xmlns="http://www.w3.org/2000/svg" width=(f(w)) height=(f(h)) viewBox={"0 0 " (f(w)) " " (f(h))} role="img" aria-label=(g.title) {
                    defs {
                        marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse" {
                            path d="M 0 0 L 10 5 L 0 10 z" fill="#555" {}
                        }
                    }
                    @for e in 0..g.edges.len() {
                        @if let Some(d) = path(e) {
                            path.edge d=(d) marker-end="url(#arrow)" {}
                        }
                    }
                    @for (i, n) in g.nodes.iter().enumerate() {
                        @if let Some(p) = l.place.get(i).copied().flatten() {
                            @let (x, y) = cell(p);
                            g {
                                title { (n.id) " " (n.title) }
                                rect class=(if n.outside { "box outside" } else { "box" }) x=(f(x)) y=(f(y)) width=(f(BOX_W)) height=(f(BOX_H)) rx="4" {}
                                text.code x=(f(x + 8.0)) y=(f(y + 16.0)) { (n.id) }
                                text x=(f(x + 8.0)) y=(f(y + 32.0)) { (truncate(&n.title, 29)) }
                            }
                        }
                    }
                }
            }
        }
    }
}
