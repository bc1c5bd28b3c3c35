//! The `spec` command line (cli.md). `main.rs` only calls [`main`].

pub mod check;
pub mod diff;
pub mod documents;
pub mod explain;
pub mod export;
pub mod fmt;
pub mod impact;
pub mod import;
pub mod init;
pub mod lsp;
pub mod report;
pub mod rules;
pub mod variances;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "spec",
    version,
    about = "Compiler, linter and language server for university programme specifications"
)]
pub struct Cli {
    /// Plain text output (also when NO_COLOR is set).
    #[arg(long, global = true)]
    pub no_color: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check specifications: files, directories (default `.`), or `-` for stdin.
    Check(check::CheckArgs),
    /// Explain a rule: its clause, what fires it, what can waive it, examples.
    Explain(explain::ExplainArgs),
    /// The catalogue of active rules.
    Rules(rules::RulesArgs),
    /// Format specifications canonically (comments kept); `--check` changes nothing.
    Fmt(fmt::FmtArgs),
    /// Create a starter workspace: `spec.toml`, an example programme and its modules.
    Init(init::InitArgs),
    /// The language server on stdio.
    Lsp(lsp::LspArgs),
    /// The programme specification as a readable document (markdown or HTML).
    Report(report::ReportArgs),
    /// Write or update a workspace from a student-records export (`spec import csv`).
    Import(import::ImportArgs),
    /// The resolved model as versioned JSON or as the CSV tables `spec import csv` reads.
    Export(export::ExportArgs),
    /// The variance register: every variance of a catalogue, one row each.
    Variances(variances::VariancesArgs),
    /// What a change does: `spec diff OLD NEW`, or `spec diff --git REV [NEW]`.
    Diff(diff::DiffArgs),
    /// The findings a framework edition adds and removes, per programme.
    Impact(impact::ImpactArgs),
}

/// Exit status: 0 clean, 1 errors found, 2 the check could not run.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => 0,
                _ => 2,
            };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let color = !cli.no_color
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && std::io::IsTerminal::is_terminal(&std::io::stdout());
    let code = match cli.command {
        Command::Check(args) => check::run(args, color),
        Command::Explain(args) => explain::run(args),
        Command::Rules(args) => rules::run(args),
        Command::Fmt(args) => fmt::run(args, color),
        Command::Init(args) => init::run(args),
        Command::Lsp(args) => lsp::run(args),
        Command::Report(args) => report::run(args),
        Command::Import(args) => import::run(args),
        Command::Export(args) => export::run(args),
        Command::Variances(args) => variances::run(args),
        Command::Diff(args) => diff::run(args),
        Command::Impact(args) => impact::run(args),
    };
    ExitCode::from(code)
}

/// Prints a "could not run" message to stderr; the caller exits 2.
pub fn fatal(message: &str) -> u8 {
    eprintln!("error: {message}");
    2
}
