//! The one diagnostic model, shared by `.pspec` checks, policy rules and
//! policy compile errors. Renderers (human, JSON, SARIF, GitHub, LSP) only
//! read it.

use serde::Serialize;

use crate::span::Span;

/// Index of a source text in [`crate::source::Sources`].
pub type SourceId = usize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// A secondary location: "first defined here", "required here", ...
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub source: SourceId,
    pub span: Span,
    pub message: String,
}

/// The variance that waived a diagnostic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaivedBy {
    /// The rule id the variance cites.
    pub rule: String,
    pub source: SourceId,
    pub span: Span,
    /// The variance has no `approved` line.
    pub pending: bool,
}

/// Where the rule that fired is defined (a policy file, for policy rules).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleOrigin {
    pub source: SourceId,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The rule id: `spec/syntax`, `PG.A4.2/module-size`, ...
    pub code: String,
    pub severity: Severity,
    /// Lowercase, no trailing period, user input in backticks.
    pub message: String,
    pub source: SourceId,
    /// The smallest span at fault.
    pub span: Span,
    /// The label shown under the primary span (defaults to the message).
    pub label: Option<String>,
    /// The regulation clause (`PG.A4.2`), `None` for `spec/` rules.
    pub clause: Option<String>,
    /// The programme the diagnostic is about, where there is one.
    pub programme: Option<String>,
    /// The module the diagnostic is about, where there is one: a variance's
    /// `applies-to` scope is matched against it.
    pub module: Option<String>,
    /// For pathway rules: the module codes of one failing pathway.
    pub pathway: Option<Vec<String>>,
    pub help: Option<String>,
    pub labels: Vec<Label>,
    pub waived_by: Option<WaivedBy>,
    pub origin: Option<RuleOrigin>,
}

impl Diagnostic {
    pub fn new(
        code: impl Into<String>,
        severity: Severity,
        source: SourceId,
        span: Span,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            code: code.into(),
            severity,
            message: message.into(),
            source,
            span,
            label: None,
            clause: None,
            programme: None,
            module: None,
            pathway: None,
            help: None,
            labels: Vec::new(),
            waived_by: None,
            origin: None,
        }
    }

    pub fn error(code: impl Into<String>, source: SourceId, span: Span, message: impl Into<String>) -> Self {
        Self::new(code, Severity::Error, source, span, message)
    }

    pub fn warning(code: impl Into<String>, source: SourceId, span: Span, message: impl Into<String>) -> Self {
        Self::new(code, Severity::Warning, source, span, message)
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn with_secondary(mut self, source: SourceId, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            source,
            span,
            message: message.into(),
        });
        self
    }

    pub fn with_programme(mut self, code: impl Into<String>) -> Self {
        self.programme = Some(code.into());
        self
    }

    pub fn with_module(mut self, code: impl Into<String>) -> Self {
        self.module = Some(code.into());
        self
    }

    pub fn with_pathway(mut self, pathway: Vec<String>) -> Self {
        self.pathway = Some(pathway);
        self
    }

    pub fn with_clause(mut self, clause: impl Into<String>) -> Self {
        self.clause = Some(clause.into());
        self
    }

    pub fn is_waived(&self) -> bool {
        self.waived_by.is_some()
    }
}

/// Totals for the summary line and the JSON `summary` object.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub files: usize,
    pub programmes: usize,
    pub modules: usize,
    pub errors: usize,
    pub warnings: usize,
    pub waived: usize,
}

impl Summary {
    /// Adds another check's counts (one run over several workspaces).
    pub fn add(&mut self, o: &Summary) {
        self.files += o.files;
        self.programmes += o.programmes;
        self.modules += o.modules;
        self.errors += o.errors;
        self.warnings += o.warnings;
        self.waived += o.waived;
    }
}
