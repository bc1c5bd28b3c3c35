//! What the document commands (`report`, `variances`, `diff`, `impact`)
//! share: loading a workspace the way `spec check` loads it, and writing
//! the document (stdout, or a file that is never one of the inputs and is
//! never left half-written).

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::analysis::{analyze, Analysis, Input, Options};

pub struct Loaded {
    pub analysis: Analysis,
    pub options: Options,
    /// The inputs as the analysis got them (for a second analysis).
    pub inputs: Vec<Input>,
    pub input_paths: Vec<PathBuf>,
    /// The primary files' programme codes, in analysis order.
    pub primary_programmes: Vec<String>,
    /// `spec.toml` says `deny = ["warnings"]`.
    pub deny_warnings: bool,
}

/// Loads `paths` as `spec check` does; with `whole`, every file of the
/// workspace is primary (the analysis `spec check` of the workspace makes).
pub fn load(paths: &[PathBuf], whole: bool, framework: Option<String>) -> Result<Loaded, u8> {
    let loaded = super::check::load(paths, &[]).map_err(|e| super::fatal(&e.0))?;
    let mut inputs = loaded.inputs;
    let primary_names: Vec<String> = inputs.iter().filter(|i| i.primary).map(|i| i.name.clone()).collect();
    if whole {
        for i in &mut inputs {
            i.primary = true;
        }
    }
    let mut options = loaded.options;
    options.framework = framework;
    let input_paths = input_paths(&inputs, &options);
    let analysis = analyze(inputs.clone(), &options);
    if analysis.policy_failed {
        return Err(policy_failure(&analysis));
    }
    let primary_programmes = analysis
        .workspace
        .programmes
        .iter()
        .filter(|p| primary_names.iter().any(|n| n == analysis.sources.name(p.source)))
        .map(|p| p.code.value.to_string())
        .collect();
    Ok(Loaded {
        analysis,
        options,
        inputs,
        input_paths,
        primary_programmes,
        deny_warnings: loaded.config.output.deny.iter().any(|d| d == "warnings"),
    })
}

/// Shows why the policy packs or options stopped the check (as `spec
/// check` shows it); the caller exits 2.
pub fn policy_failure(a: &Analysis) -> u8 {
    let about_policy = |d: &&crate::diag::Diagnostic| {
        d.code.starts_with("policy/")
            || a.sources
                .get(d.source)
                .is_some_and(|s| s.kind != crate::source::SourceKind::Spec)
    };
    for d in a.diagnostics.iter().filter(about_policy) {
        eprint!("{}", crate::render::human::render_one(d, &a.sources, false));
    }
    super::fatal("the check did not run: fix the policy packs or options above")
}

/// The workspace of `paths`, every file primary.
pub fn load_workspace(paths: &[PathBuf]) -> Result<Loaded, u8> {
    load(paths, true, None)
}

/// The name the analysis gives a path (`-` is `<stdin>`).
pub fn shown_name(p: &Path) -> String {
    if p.as_os_str() == "-" {
        "<stdin>".to_string()
    } else {
        crate::workspace::display(p)
    }
}

/// Every file a document is made from, which `-o` must never name: the
/// `.pspec` inputs, the policy files (a directory entry expanded) and the
/// workspace's `spec.toml`.
fn input_paths(inputs: &[Input], options: &Options) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = inputs.iter().filter_map(|i| i.path.clone()).collect();
    out.extend(options.policies.iter().filter_map(|p| p.path.clone()));
    let roots: std::collections::BTreeSet<PathBuf> = out
        .iter()
        .filter_map(|p| p.parent().and_then(crate::workspace::find_root))
        .collect();
    out.extend(roots.into_iter().map(|r| r.join("spec.toml")));
    out
}

/// Writes `text` to stdout or to `output` (through [`crate::write`]: never
/// half-written), which must not be an input (compared as canonical paths,
/// so links and `./` spellings are seen through).
pub fn emit(text: &str, output: Option<&Path>, inputs: &[PathBuf]) -> Result<(), u8> {
    match output {
        Some(path) => {
            if let Ok(out) = std::fs::canonicalize(path) {
                if inputs.iter().any(|i| std::fs::canonicalize(i).is_ok_and(|i| i == out)) {
                    return Err(super::fatal(&format!(
                        "`{}` is an input of this document; choose another output file",
                        crate::workspace::display(path)
                    )));
                }
            }
            crate::write::write_file(path, text.as_bytes(), crate::write::Expect::Any)
                .map_err(|e| super::fatal(&e.to_string()))
        }
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())
                .and_then(|_| out.flush())
                .map_err(|_| 2u8)
        }
    }
}
