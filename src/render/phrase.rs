//! How a diagnostic is worded around its message, once for every output
//! (issue 10 point 5, D120): the waiver, the failing pathway, the help, the
//! files of related locations and the pointer to `spec explain`.
//!
//! `render::human`, `render::sarif`, `render::github`, the editor
//! (`ide::to_diag`) and `spec explain`'s example reports all call these;
//! none words a waiver, a pathway or a help line itself.
//!
//! ```text
//! module `7001DS` is 15 credits; ... (an error, waived by the pending variance at f.pspec:20)
//! help: make it 10, 20 or 30 credits, or cite a variance
//! failing pathway: 7001DS, 7002DS
//! clause PG.A4.2: see `spec explain PG.A4.2/module-size`
//! ```

use crate::diag::{Diagnostic, Severity, WaivedBy};
use crate::source::Sources;

/// The severity as a noun with its article: `an error`, `a warning`,
/// `an info`.
pub fn severity_noun(s: Severity) -> &'static str {
    match s {
        Severity::Error => "an error",
        Severity::Warning => "a warning",
        Severity::Info => "an info",
    }
}

/// `the pending variance at FILE:LINE` / `the approved variance at FILE:LINE`.
pub fn variance(w: &WaivedBy, sources: &Sources) -> String {
    let line = sources.get(w.source).map(|s| s.line_col(w.span.start()).0).unwrap_or(0);
    format!(
        "the {} variance at {}:{line}",
        if w.pending { "pending" } else { "approved" },
        sources.name(w.source)
    )
}

/// How a waiver is worded: `an error, waived by the pending variance at
/// FILE:LINE` (the severity the finding keeps, then the variance). `None`
/// when the diagnostic is not waived.
pub fn waiver(d: &Diagnostic, sources: &Sources) -> Option<String> {
    let w = d.waived_by.as_ref()?;
    Some(format!(
        "{}, waived by {}",
        severity_noun(d.severity),
        variance(w, sources)
    ))
}

/// The message as every output's first line: the diagnostic's message, and
/// when it is waived the [`waiver`] in parentheses after it.
pub fn headline(d: &Diagnostic, sources: &Sources) -> String {
    match waiver(d, sources) {
        Some(w) => format!("{} ({w})", d.message),
        None => d.message.clone(),
    }
}

/// How a failing pathway is worded: `failing pathway: A, B, C` (its module
/// codes in the order the diagnostic gives them).
pub fn pathway(d: &Diagnostic) -> Option<String> {
    d.pathway.as_ref().map(|p| format!("failing pathway: {}", p.join(", ")))
}

/// The last line of every finding: `clause C: see `spec explain ID`` for a
/// rule with a clause, else `see `spec explain ID``.
pub fn explain(d: &Diagnostic) -> String {
    match &d.clause {
        Some(c) => format!("clause {c}: see `spec explain {}`", d.code),
        None => format!("see `spec explain {}`", d.code),
    }
}

/// Whether related locations are listed in the text (outputs that cannot
/// link them: human, GitHub) or linked by the format (SARIF, the editor).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Related {
    /// Secondary labels in other files than the finding's are listed as
    /// `MESSAGE: FILE:LINE:COL` lines.
    ListOtherFiles,
    /// The format links every secondary label itself.
    Linked,
}

/// The lines after the message, in order: the help (as written), the
/// secondary labels in other files (with [`Related::ListOtherFiles`]), the
/// [`pathway`] and the [`explain`] line. Never empty.
pub fn help_lines(d: &Diagnostic, sources: &Sources, related: Related) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(h) = &d.help {
        lines.push(h.clone());
    }
    if related == Related::ListOtherFiles {
        for l in &d.labels {
            if l.source != d.source {
                let (line, col) = sources
                    .get(l.source)
                    .map(|s| s.line_col(l.span.start()))
                    .unwrap_or((0, 0));
                lines.push(format!("{}: {}:{line}:{col}", l.message, sources.name(l.source)));
            }
        }
    }
    lines.extend(pathway(d));
    lines.push(explain(d));
    lines
}

/// A finding as plain text, for outputs without miette's layout (GitHub,
/// SARIF, the editor): the [`headline`] (or the bare message when
/// `with_waiver` is false: SARIF says it in a suppression), then the
/// [`help_lines`], the help itself prefixed `help: `.
pub fn plain(d: &Diagnostic, sources: &Sources, related: Related, with_waiver: bool) -> String {
    let mut text = if with_waiver {
        headline(d, sources)
    } else {
        d.message.clone()
    };
    for (i, line) in help_lines(d, sources, related).into_iter().enumerate() {
        text.push('\n');
        if i == 0 && d.help.is_some() {
            text.push_str("help: ");
        }
        text.push_str(&line);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::span::Span;

    fn sources() -> Sources {
        let mut s = Sources::new();
        s.add(crate::source::Source::new(
            "f.pspec",
            None,
            "a\nb\nvariance X {\n",
            crate::source::SourceKind::Spec,
        ));
        s
    }

    #[test]
    fn one_wording() {
        let src = sources();
        let mut d = Diagnostic::new("PG.A4.2/module-size", Severity::Error, 0, Span::new(0, 1), "too big")
            .with_help("make it smaller")
            .with_pathway(vec!["A".into(), "B".into()]);
        d.clause = Some("PG.A4.2".into());
        d.waived_by = Some(WaivedBy {
            rule: "PG.A4.2/module-size".into(),
            source: 0,
            span: Span::new(4, 12),
            pending: true,
        });
        assert_eq!(
            plain(&d, &src, Related::Linked, true),
            "too big (an error, waived by the pending variance at f.pspec:3)\nhelp: make it smaller\nfailing pathway: A, B\nclause PG.A4.2: see `spec explain PG.A4.2/module-size`"
        );
        d.help = None;
        d.pathway = None;
        d.clause = None;
        assert_eq!(
            plain(&d, &src, Related::Linked, false),
            "too big\nsee `spec explain PG.A4.2/module-size`"
        );
    }
}
