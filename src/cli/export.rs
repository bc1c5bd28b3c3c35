//! `spec export [PATH...] --format json|csv [--out DIR]`: the resolved model
//! of the files given (as `spec check` reads them). JSON goes to stdout, or
//! to `DIR/export.json`; CSV writes `DIR/modules.csv` and `DIR/structure.csv`
//! (default `.`), which `spec import csv` reads back. Exit 0 when written, 2
//! when it cannot run (nothing is written then).

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::analysis::analyze;
use crate::interchange::{export, write_set};
use crate::workspace::display;
use crate::write::Expect;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Json,
    Csv,
}

#[derive(Args, Debug, Clone)]
pub struct ExportArgs {
    /// Files or directories (default `.`).
    pub paths: Vec<PathBuf>,
    /// `json`: the versioned document (docs/export.schema.json); `csv`: the two import tables.
    #[arg(long, value_enum)]
    pub format: Format,
    /// Directory to write into (JSON: `export.json`; CSV: `modules.csv`, `structure.csv`).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

pub fn run(args: ExportArgs) -> u8 {
    let loaded = match super::check::load(&args.paths, &[]) {
        Ok(l) => l,
        Err(e) => return super::fatal(&e.0),
    };
    let primary: Vec<bool> = loaded.inputs.iter().map(|i| i.primary).collect();
    if !primary.iter().any(|&p| p) {
        return super::fatal("no `.pspec` files found: nothing to export");
    }
    let mapping = loaded.config.import.columns.clone();
    let analysis = analyze(loaded.inputs, &loaded.options);
    if analysis.policy_failed {
        return super::fatal("a policy pack did not compile: run `spec check` to see why; nothing was exported");
    }
    match args.format {
        Format::Json => {
            let doc = export::to_json(&analysis, &primary);
            let text = match serde_json::to_string_pretty(&doc) {
                Ok(t) => t + "\n",
                Err(e) => return super::fatal(&format!("internal error: {e}")),
            };
            match &args.out {
                None => {
                    let mut out = std::io::stdout().lock();
                    if out.write_all(text.as_bytes()).and_then(|_| out.flush()).is_err() {
                        return 2;
                    }
                }
                Some(dir) => {
                    if let Err(e) = write_set(dir, &[(PathBuf::from("export.json"), text, Expect::Any)]) {
                        return super::fatal(&e);
                    }
                    eprintln!(
                        "wrote `{}` ({} programmes, {} modules)",
                        display(&dir.join("export.json")),
                        doc.programmes.len(),
                        doc.modules.len()
                    );
                }
            }
        }
        Format::Csv => {
            let dir = args.out.clone().unwrap_or_else(|| PathBuf::from("."));
            let (modules, structure) = export::to_csv(&analysis, &primary, &mapping);
            let files = vec![
                (PathBuf::from("modules.csv"), modules, Expect::Any),
                (PathBuf::from("structure.csv"), structure, Expect::Any),
            ];
            if let Err(e) = write_set(&dir, &files) {
                return super::fatal(&e);
            }
            eprintln!(
                "wrote `{}` and `{}`",
                display(&dir.join("modules.csv")),
                display(&dir.join("structure.csv"))
            );
        }
    }
    0
}
