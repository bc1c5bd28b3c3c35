//! `spec impact --framework ID [PATH...] [--format markdown|json|html]`:
//! each programme checked under its own framework and under ID, and the
//! findings ID adds and removes (`report::impact`).
//!
//! Exit status: 0 the impact was computed (whatever it is), 2 the check
//! could not run (D64).

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::analysis::analyze;
use crate::report::{self, impact};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ImpactFormat {
    Markdown,
    Json,
    Html,
}

#[derive(Args, Debug, Clone)]
pub struct ImpactArgs {
    /// The framework edition to assess (as `spec check --framework ID`).
    #[arg(long, value_name = "ID")]
    pub framework: String,
    /// Files or directories (default `.`).
    pub paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value = "markdown")]
    pub format: ImpactFormat,
    /// Write to this file instead of stdout (never one of the inputs).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

pub fn run(args: ImpactArgs) -> u8 {
    let own = match super::documents::load(&args.paths, true, None) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let mut options = own.options.clone();
    options.framework = Some(args.framework.clone());
    let under = analyze(own.inputs.clone(), &options);
    if under.policy_failed {
        return super::documents::policy_failure(&under);
    }
    let i = impact::impact(&own.analysis, &under, &args.framework, &own.primary_programmes);
    let text = match args.format {
        ImpactFormat::Markdown => report::markdown::render(&impact::document(&i)),
        ImpactFormat::Html => report::html::render(&impact::document(&i)),
        ImpactFormat::Json => {
            let mut t = serde_json::to_string_pretty(&i).unwrap_or_default();
            t.push('\n');
            t
        }
    };
    match super::documents::emit(&text, args.output.as_deref(), &own.input_paths) {
        Ok(()) => 0,
        Err(code) => code,
    }
}
