//! The one analysis entry point, used by the CLI, the language server and the
//! tests: sources in, model and sorted diagnostics out. Deterministic.

use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;

use crate::check::{self, CheckCtx};
use crate::diag::{Diagnostic, Severity, SourceId, Summary};
use crate::model::{build_workspace_with, BuildOptions, Workspace};
use crate::source::{Source, SourceKind, Sources};
use crate::syntax::ast::SourceFile;

/// How to check.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `--framework`: check every programme against this framework.
    pub framework: Option<String>,
    /// The framework of programmes that name none (`spec.toml`).
    pub default_framework: Option<String>,
    /// `--require-approved-variances`.
    pub require_approved_variances: bool,
    /// `--policy` and `spec.toml` policy paths: files or directories.
    pub policy_paths: Vec<PathBuf>,
}

/// One `.pspec` text to analyse.
#[derive(Debug, Clone)]
pub struct Input {
    /// The name shown in output.
    pub name: String,
    pub path: Option<PathBuf>,
    pub text: Arc<str>,
    /// Diagnostics are reported for primary inputs (the files given); the
    /// others only provide definitions.
    pub primary: bool,
}

/// A parsed input, reusable across analyses (the editor re-parses only the
/// file that changed).
#[derive(Debug, Clone)]
pub struct Parsed {
    pub input: Input,
    pub tree: Arc<SourceFile>,
}

pub fn parse_input(input: Input) -> Parsed {
    let tree = Arc::new(crate::syntax::parse(&input.text));
    Parsed { input, tree }
}

/// Parses inputs in parallel, keeping their order.
pub fn parse_inputs(inputs: Vec<Input>) -> Vec<Parsed> {
    inputs.into_par_iter().map(parse_input).collect()
}

#[derive(Debug, Clone, Default)]
pub struct Analysis {
    pub sources: Sources,
    /// The parsed `.pspec` files, by source id.
    pub files: Vec<(SourceId, Arc<SourceFile>)>,
    pub workspace: Workspace,
    /// Sorted by file, line, column, code.
    pub diagnostics: Vec<Diagnostic>,
    pub summary: Summary,
    /// A policy file did not compile: the check could not run (exit 2).
    pub policy_failed: bool,
}

impl Analysis {
    pub fn errors(&self) -> usize {
        self.summary.errors
    }
    pub fn warnings(&self) -> usize {
        self.summary.warnings
    }
}

/// Parses and analyses.
pub fn analyze(inputs: Vec<Input>, options: &Options) -> Analysis {
    analyze_parsed(parse_inputs(inputs), options)
}

/// Analyses already-parsed inputs.
pub fn analyze_parsed(parsed: Vec<Parsed>, options: &Options) -> Analysis {
    let mut sources = Sources::new();
    let mut files = Vec::with_capacity(parsed.len());
    let mut primary = Vec::with_capacity(parsed.len());
    for p in parsed {
        let id = sources.add(Source::new(
            p.input.name.clone(),
            p.input.path.clone(),
            p.input.text.clone(),
            SourceKind::Spec,
        ));
        primary.push(p.input.primary);
        files.push((id, p.tree));
    }
    let mut diags = Vec::new();
    let refs: Vec<(SourceId, &SourceFile)> = files.iter().map(|(id, f)| (*id, f.as_ref())).collect();
    let build_options = BuildOptions {
        default_framework: options.default_framework.is_some(),
    };
    let workspace = build_workspace_with(&refs, &mut diags, &build_options);
    check::run_all(&CheckCtx { ws: &workspace }, &mut diags);
    let policy = crate::policy::check(&mut sources, &workspace, options, &mut diags);

    // Keep diagnostics located in a primary file, or about a programme
    // defined in one.
    let primary_programmes: std::collections::HashSet<&str> = workspace
        .programmes
        .iter()
        .filter(|p| primary.get(p.source).copied().unwrap_or(false))
        .map(|p| p.code.value.as_str())
        .collect();
    diags.retain(|d| {
        primary.get(d.source).copied().unwrap_or(true)
            || d.programme.as_deref().is_some_and(|p| primary_programmes.contains(p))
    });
    sort_diagnostics(&sources, &mut diags);
    diags.dedup();

    let primary_ids: Vec<SourceId> = files
        .iter()
        .filter(|(id, _)| primary.get(*id).copied().unwrap_or(false))
        .map(|(id, _)| *id)
        .collect();
    let mut summary = Summary {
        files: primary_ids.len(),
        programmes: workspace
            .programmes
            .iter()
            .filter(|p| primary.get(p.source).copied().unwrap_or(false))
            .count(),
        modules: workspace
            .modules
            .iter()
            .filter(|m| primary.get(m.source).copied().unwrap_or(false))
            .count(),
        ..Summary::default()
    };
    for d in &diags {
        if d.is_waived() {
            summary.waived += 1;
        } else {
            match d.severity {
                Severity::Error => summary.errors += 1,
                Severity::Warning => summary.warnings += 1,
                Severity::Info => {}
            }
        }
    }
    Analysis {
        sources,
        files,
        workspace,
        diagnostics: diags,
        summary,
        policy_failed: policy.failed,
    }
}

/// The stable output order: file name, position, rule id, message.
pub fn sort_diagnostics(sources: &Sources, diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| {
        sources
            .name(a.source)
            .cmp(sources.name(b.source))
            .then(a.span.start.cmp(&b.span.start))
            .then(a.span.end.cmp(&b.span.end))
            .then(a.code.cmp(&b.code))
            .then(a.message.cmp(&b.message))
    });
}
