//! What `spec check` reports for one programme, read from the one
//! [`Analysis`] (never a second evaluation, never a re-count of a subset):
//! the diagnostics located in the files that define the programme, its
//! modules and their prerequisites (transitively), syntax errors in those
//! files included, plus the diagnostics about the programme wherever they
//! are located; a diagnostic about another programme is that programme's.

use crate::analysis::Analysis;
use crate::diag::{Diagnostic, Severity};
use crate::model::Programme;

/// The files and modules a programme's result covers (the same closure
/// `spec check FILE` reports on: [`crate::analysis::depends_on`]).
pub type Scope = crate::analysis::Dependencies;

pub fn scope(a: &Analysis, p: &Programme) -> Scope {
    crate::analysis::depends_on(&a.workspace, p)
}

/// Whether `d` belongs to the result of programme `p` with scope `s`.
pub fn belongs(d: &Diagnostic, p: &Programme, s: &Scope) -> bool {
    match d.programme.as_deref() {
        Some(code) => code == p.code.value,
        None => s.files.contains(&d.source),
    }
}

/// The programme's result: its diagnostics (in the analysis' order) and
/// counts, as `spec check` counts them.
#[derive(Debug, Clone, Default)]
pub struct Result<'a> {
    pub diagnostics: Vec<&'a Diagnostic>,
    pub errors: usize,
    pub warnings: usize,
    pub waived: usize,
}

impl Result<'_> {
    /// The exit status `spec check` gives for these diagnostics.
    pub fn exit_status(&self, deny_warnings: bool) -> u8 {
        u8::from(self.errors > 0 || (deny_warnings && self.warnings > 0))
    }

    pub fn summary(&self) -> String {
        let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
        let mut s = format!("{}, {}", plural(self.errors, "error"), plural(self.warnings, "warning"));
        if self.waived > 0 {
            s.push_str(&format!(", {} waived by variances", self.waived));
        }
        s
    }
}

pub fn result<'a>(a: &'a Analysis, p: &Programme) -> Result<'a> {
    let s = scope(a, p);
    let mut r = Result::default();
    for d in a.diagnostics.iter().filter(|d| belongs(d, p, &s)) {
        if d.is_waived() {
            r.waived += 1;
        } else {
            match d.severity {
                Severity::Error => r.errors += 1,
                Severity::Warning => r.warnings += 1,
                Severity::Info => {}
            }
        }
        r.diagnostics.push(d);
    }
    r
}
