//! `spec import csv MODULES.csv [STRUCTURE.csv] [--out DIR] [--dry-run]`
//! (docs/import.md). Reads the tables and the workspace, plans with
//! [`crate::interchange::import::plan`], prints the summary and writes all
//! files or none. Exit 0 on success, 2 when the import cannot run (a bad
//! value, an unreadable file, a broken `spec.toml`): nothing is written then.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};

use crate::interchange::import::{plan, Existing, Output};
use crate::interchange::table::{self, Catalogue};
use crate::workspace::{self, display};
use crate::write::Expect;

#[derive(Args, Debug, Clone)]
pub struct ImportArgs {
    #[command(subcommand)]
    pub source: ImportSource,
}

#[derive(Subcommand, Debug, Clone)]
pub enum ImportSource {
    /// From a student-records CSV export: a modules table and, optionally, a structure table.
    Csv(CsvArgs),
}

#[derive(Args, Debug, Clone)]
pub struct CsvArgs {
    /// The modules table (MOD_CODE, MOD_NAME, MOD_CRDT, MOD_LEVC, ...).
    pub modules: PathBuf,
    /// The structure table (PRG_CODE, PRG_NAME, AWD_CODE, PRG_CRDT, MOD_CODE, MOD_STAT, PSL_CODE, ...).
    pub structure: Option<PathBuf>,
    /// The workspace to write or update (default `.`).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Print the summary of what would change; write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// The `spec.toml` written into a directory that has none.
pub const STARTER_CONFIG: &str = "# Workspace written by `spec import csv` (docs/import.md). Every key is optional.

[policy]
# The framework of programmes whose `PRG_FRMW` cell is empty:
# framework = \"ljmu-pgt-2022\"

# [import.columns]
# The header your export uses for a column, when it is not the default name:
# MOD_CODE = \"Module Code\"
";

pub fn run(args: ImportArgs) -> u8 {
    let ImportSource::Csv(args) = args.source;
    match run_csv(&args) {
        Ok(summary) => {
            print!("{summary}");
            0
        }
        Err(e) => {
            eprintln!("error: {e}");
            eprintln!("nothing was written");
            2
        }
    }
}

fn read_bytes(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => format!("`{}` does not exist", display(path)),
        _ => format!("cannot read `{}`: {e}", display(path)),
    })
}

fn run_csv(args: &CsvArgs) -> Result<String, String> {
    let root = args.out.clone().unwrap_or_else(|| PathBuf::from("."));
    if root.exists() && !root.is_dir() {
        return Err(format!("`{}` is not a directory", display(&root)));
    }
    let has_config = root.join("spec.toml").is_file();
    let config = if has_config {
        workspace::load_config(&root).map_err(|e| e.0)?.config
    } else {
        workspace::Config::default()
    };
    let mapping = &config.import.columns;
    table::check_mapping(mapping, &display(&root.join("spec.toml"))).map_err(|e| e.to_string())?;

    let modules_name = display(&args.modules);
    let modules =
        table::read_modules(&modules_name, &read_bytes(&args.modules)?, mapping).map_err(|e| e.to_string())?;
    let programmes = match &args.structure {
        None => None,
        Some(s) => {
            let name = display(s);
            Some(table::read_structure(&name, &read_bytes(s)?, mapping).map_err(|e| e.to_string())?)
        }
    };
    let catalogue = Catalogue { modules, programmes };

    let mut existing = Vec::new();
    if root.is_dir() {
        for f in workspace::workspace_pspec_files(&root).map_err(|e| e.0)?.0 {
            let text = workspace::read_text(&f).map_err(|e| e.0)?;
            let rel = f.strip_prefix(&root).map(Path::to_path_buf).unwrap_or(f);
            existing.push(Existing { path: rel, text });
        }
    }
    let mut plan = plan(&catalogue, &existing)?;
    if !has_config {
        plan.files.insert(
            0,
            Output {
                path: PathBuf::from("spec.toml"),
                text: STARTER_CONFIG.to_string(),
                new: true,
            },
        );
    }
    let summary = plan.report.render(&plan.files, args.dry_run);
    if !args.dry_run {
        // A file the import read must still hold that text when it is
        // replaced (an editor may have saved meanwhile); a new one must
        // still be absent.
        let files: Vec<(PathBuf, String, Expect<'_>)> = plan
            .files
            .iter()
            .map(|f| {
                let expect = match existing.iter().find(|e| e.path == f.path) {
                    Some(e) => Expect::Contents(e.text.as_bytes()),
                    None if f.new => Expect::Absent,
                    None => Expect::Any,
                };
                (f.path.clone(), f.text.clone(), expect)
            })
            .collect();
        crate::interchange::write_set(&root, &files)?;
    }
    Ok(summary)
}
