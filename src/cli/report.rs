//! `spec report PROGRAMME-FILE [--format html|markdown] [-o FILE]`: the
//! programme specification as a readable document (`crate::report`).
//!
//! The workspace is analysed as `spec check` of the workspace analyses it;
//! each programme's result is exactly what that check reports for the
//! programme, its modules and their prerequisites (`report::scope`), and
//! the exit status is the one `spec check` gives for them: 0 no error, 1
//! errors (the document is still written), 2 the report could not be made.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::report::{self, programme::Provenance, scope};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Html,
    Markdown,
}

#[derive(Args, Debug, Clone)]
pub struct ReportArgs {
    /// A `.pspec` file defining one or more programmes (`-`: stdin).
    pub file: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "markdown")]
    pub format: ReportFormat,
    /// Write to this file instead of stdout (never one of the inputs).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

pub fn run(args: ReportArgs) -> u8 {
    let ws = match super::documents::load_workspace(std::slice::from_ref(&args.file)) {
        Ok(w) => w,
        Err(code) => return code,
    };
    let a = &ws.analysis;
    let primary_name = super::documents::shown_name(&args.file);
    let programmes: Vec<_> = a
        .workspace
        .programmes
        .iter()
        .filter(|p| a.sources.get(p.source).is_some_and(|s| s.name == primary_name))
        .collect();
    if programmes.is_empty() {
        return super::fatal(&format!("`{}` defines no programme", args.file.display()));
    }
    let doc = report::programme::document(a, &programmes, &Provenance::now());
    let text = match args.format {
        ReportFormat::Markdown => report::markdown::render(&doc),
        ReportFormat::Html => report::html::render(&doc),
    };
    if let Err(code) = super::documents::emit(&text, args.output.as_deref(), &ws.input_paths) {
        return code;
    }
    programmes
        .iter()
        .map(|p| scope::result(a, p).exit_status(ws.deny_warnings))
        .max()
        .unwrap_or(0)
}
