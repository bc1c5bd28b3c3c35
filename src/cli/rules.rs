//! `spec rules [--framework ID] [--format markdown|json]`: the catalogue of
//! active rules, from the compiled packs (embedded plus `--policy` and
//! `spec.toml` paths). `docs/rules.md` is this command's markdown output.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use serde::Serialize;

use crate::analysis::PolicyInput;
use crate::policy::{RuleCatalogue, RuleInfo, RuleScope};
use crate::source::{SourceKind, Sources};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    Markdown,
    Json,
}

#[derive(Args, Debug, Clone)]
pub struct RulesArgs {
    /// Only the rules active under this framework (default: every framework).
    #[arg(long, value_name = "ID")]
    pub framework: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "markdown")]
    pub format: RulesFormat,
    /// Add a policy file or directory.
    #[arg(long, value_name = "PATH")]
    pub policy: Vec<PathBuf>,
}

/// A compiled catalogue with the sources its rules' origins point into.
pub struct LoadedCatalogue {
    pub sources: Sources,
    pub catalogue: Box<dyn RuleCatalogue>,
    /// The user's policy texts the catalogue was compiled with (`--policy`,
    /// `spec.toml`).
    pub policies: Vec<PolicyInput>,
}

/// The `spec.toml` policy files of the workspace around the current
/// directory, then the `--policy` ones, read by [`crate::workspace`].
pub fn policies(cli: &[PathBuf]) -> Result<Vec<PolicyInput>, String> {
    let mut out = Vec::new();
    if let Some(root) = crate::workspace::find_root(std::path::Path::new(".")) {
        let loaded = crate::workspace::load_config(&root).map_err(|e| e.0)?;
        let paths: Vec<PathBuf> = loaded.config.policy.paths.iter().map(|p| root.join(p)).collect();
        out.extend(crate::workspace::read_policies(&paths, Some(&root)).map_err(|e| e.0)?);
    }
    out.extend(crate::workspace::read_policies(cli, None).map_err(|e| e.0)?);
    Ok(out)
}

/// Loads and compiles the packs; `Err` (exit 2) when a file cannot be read
/// or a pack does not compile.
pub fn load_catalogue(cli_policies: &[PathBuf]) -> Result<LoadedCatalogue, String> {
    let policies = policies(cli_policies)?;
    compile_catalogue(&policies).map(|(sources, catalogue)| LoadedCatalogue {
        sources,
        catalogue,
        policies,
    })
}

#[allow(clippy::type_complexity)]
fn compile_catalogue(policies: &[PolicyInput]) -> Result<(Sources, Box<dyn RuleCatalogue>), String> {
    let mut sources = Sources::new();
    let (cat, errors) = crate::policy::Catalogue::compile(&mut sources, policies);
    if !errors.is_empty() {
        let lines: Vec<String> = errors
            .iter()
            .map(|d| {
                let (line, col) = sources
                    .get(d.source)
                    .map(|s| s.line_col(d.span.start()))
                    .unwrap_or((0, 0));
                format!(
                    "  {}:{line}:{col}: {}[{}]: {}",
                    sources.name(d.source),
                    d.severity.as_str(),
                    d.code,
                    d.message
                )
            })
            .collect();
        return Err(format!("a policy pack does not compile:\n{}", lines.join("\n")));
    }
    Ok((sources, Box::new(cat)))
}

/// `file:line` of a rule's definition, if known.
pub fn origin(sources: &Sources, r: &RuleInfo) -> Option<String> {
    let o = r.origin.as_ref()?;
    let s = sources.get(o.source)?;
    Some(format!("{}:{}", s.name, s.line_col(o.span.start()).0))
}

/// Whether a rule's origin is a user policy file (not an embedded pack).
fn user_defined(sources: &Sources, r: &RuleInfo) -> bool {
    r.origin
        .as_ref()
        .and_then(|o| sources.get(o.source))
        .is_some_and(|s| s.kind == SourceKind::Policy)
}

pub use crate::rules::is_spec;

pub fn scope_name(s: RuleScope) -> &'static str {
    match s {
        RuleScope::Programme => "programme",
        RuleScope::ProgrammeModule => "module in a programme",
        RuleScope::ModuleItself => "module itself",
        RuleScope::Pathway => "every pathway",
        RuleScope::Variance => "variance",
    }
}

/// Every distinct rule (by id) and the frameworks it is active under, the
/// frameworks limited to `only` when given.
pub fn collect<'c>(cat: &'c dyn RuleCatalogue, only: Option<&str>) -> BTreeMap<String, (&'c RuleInfo, Vec<String>)> {
    let mut out: BTreeMap<String, (&RuleInfo, Vec<String>)> = BTreeMap::new();
    for f in cat.frameworks() {
        if only.is_some_and(|o| o != f) {
            continue;
        }
        for r in cat.rules(f) {
            let e = out.entry(r.id.clone()).or_insert((r, Vec::new()));
            // Prefer the metadata as its own framework defines it.
            if r.framework == f {
                e.0 = r;
            }
            if !is_spec(&r.id) {
                e.1.push(f.to_string());
            }
        }
    }
    out
}

/// Checks a `--framework` value: `Err` with a did-you-mean message.
pub fn check_framework(cat: &dyn RuleCatalogue, f: &str) -> Result<(), String> {
    let known = cat.frameworks();
    if known.contains(&f) {
        return Ok(());
    }
    Err(match crate::syntax::did_you_mean(f, &known) {
        Some(s) => format!("framework `{f}` is not defined; did you mean `{s}`?"),
        None => format!("framework `{f}` is not defined; known frameworks: {}", known.join(", ")),
    })
}

fn cell(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ").replace('|', "\\|")
}

/// What fires a rule, in one line: its summary, or, for a rule whose pack
/// gives none, the first sentence of its clause text.
pub fn fires_when(r: &RuleInfo) -> String {
    if !r.summary.trim().is_empty() {
        return r.summary.trim().to_string();
    }
    let text = r.clause_text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.is_empty() {
        return String::new();
    }
    let first = match text.find(". ") {
        Some(i) => &text[..=i],
        None => text.as_str(),
    };
    format!("(clause) {first}")
}

fn admits_text(r: &RuleInfo) -> String {
    if r.admits.is_empty() {
        "-".into()
    } else {
        r.admits.join(", ")
    }
}

fn sev(r: &RuleInfo) -> &'static str {
    match r.severity {
        crate::diag::Severity::Error => "E",
        crate::diag::Severity::Warning => "W",
        crate::diag::Severity::Info => "I",
    }
}

/// The catalogue as markdown (`docs/rules.md`). Deterministic; each rule has
/// one `###` section, whose GitHub anchor SARIF's `helpUri` links to.
pub fn markdown(cat: &dyn RuleCatalogue, sources: &Sources, only: Option<&str>) -> String {
    let rules = collect(cat, only);
    let link = |id: &str| format!("[`{id}`](#{})", crate::render::sarif::anchor(id));
    let mut s = String::new();
    s.push_str("# Rule catalogue\n\n");
    s.push_str("<!-- Generated by `spec rules --format markdown`; do not edit. Regenerate with\n     `cargo run -- rules --format markdown > docs/rules.md` (tests/rules_doc.rs checks it). -->\n\n");
    s.push_str(
        "Every rule `spec check` runs, from the policy packs compiled into the binary. \
A rule id is what a `variance` cites and what CI filters on; `spec explain ID` shows a rule \
with its examples checked. Severity: E error, W warning, I info (the default; a rule may choose per case). \
**admits**: the variance criteria that can waive it (`-`: not waivable).\n\n",
    );
    let frameworks: Vec<&str> = cat
        .frameworks()
        .into_iter()
        .filter(|f| only.is_none_or(|o| o == *f))
        .collect();
    s.push_str("## Contents\n\n- [`spec/` rules (every framework)](#spec-rules-every-framework)\n");
    for f in &frameworks {
        s.push_str(&format!(
            "- [Framework `{f}`](#framework-{})\n",
            crate::render::sarif::anchor(f)
        ));
    }
    s.push_str("- [Rules](#rules)\n\n");

    s.push_str("## `spec/` rules (every framework)\n\n");
    s.push_str(
        "The language's own well-formedness checks: they apply whatever the framework and no variance waives them.\n\n",
    );
    s.push_str("| id | sev | fires when |\n|---|---|---|\n");
    for (id, (r, _)) in rules.iter().filter(|(id, _)| is_spec(id)) {
        s.push_str(&format!("| {} | {} | {} |\n", link(id), sev(r), cell(&fires_when(r))));
    }
    s.push('\n');

    for f in &frameworks {
        s.push_str(&format!("## Framework `{f}`\n\n"));
        let crit = if cat.has_criterion_rule(f) {
            "It checks variance criteria with a rule of its own."
        } else {
            "It has no criterion rule of its own: `spec/variance-criterion` checks variance criteria."
        };
        s.push_str(&format!(
            "Active rules under `{f}` (its packs and their includes), besides the `spec/` rules. {crit}\n\n"
        ));
        s.push_str("| id | clause | sev | fires when | admits |\n|---|---|---|---|---|\n");
        for r in cat.rules(f).into_iter().filter(|r| !is_spec(&r.id)) {
            s.push_str(&format!(
                "| {} | {} | {} | {} | {} |\n",
                link(&r.id),
                cell(&r.clause),
                sev(r),
                cell(&fires_when(r)),
                admits_text(r)
            ));
        }
        s.push('\n');
    }

    s.push_str("## Rules\n\n");
    for (id, (r, fws)) in &rules {
        s.push_str(&format!("### {id}\n\n"));
        let mut facts = vec![format!("**severity** {}", r.severity.as_str())];
        if !r.clause.is_empty() {
            facts.push(format!("**clause** {}", r.clause));
        }
        facts.push(format!("**scope** {}", scope_name(r.scope)));
        facts.push(if r.admits.is_empty() {
            "**not waivable**".to_string()
        } else {
            format!(
                "**admits** {}",
                r.admits.iter().map(|a| format!("`{a}`")).collect::<Vec<_>>().join(", ")
            )
        });
        if is_spec(id) {
            facts.push("**frameworks** all".into());
        } else {
            facts.push(format!(
                "**frameworks** {}",
                fws.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", ")
            ));
        }
        if let Some(o) = origin(sources, r) {
            let user = if user_defined(sources, r) { " (user policy)" } else { "" };
            facts.push(format!("**defined in** `{o}`{user}"));
        }
        s.push_str(&facts.join(" · "));
        s.push_str("\n\n");
        if !r.summary.is_empty() {
            s.push_str(&format!("Fires when {}.\n\n", r.summary.trim_end_matches('.')));
        }
        if !r.clause_text.is_empty() && !is_spec(id) {
            for line in r.clause_text.trim().lines() {
                s.push_str(&format!("> {}\n", line.trim_end()).replace("> \n", ">\n"));
            }
            s.push('\n');
        }
        for (what, ex) in [
            ("Failing example", &r.example_fail),
            ("Passing example", &r.example_pass),
        ] {
            if let Some(ex) = ex {
                s.push_str(&format!(
                    "<details><summary>{what}</summary>\n\n```\n{}\n```\n\n</details>\n\n",
                    ex.trim_end()
                ));
            }
        }
    }
    while s.ends_with("\n\n") {
        s.pop();
    }
    s
}

#[derive(Serialize)]
struct JsonOrigin<'a> {
    file: &'a str,
    line: usize,
}

#[derive(Serialize)]
struct JsonRule<'a> {
    id: &'a str,
    clause: Option<&'a str>,
    clause_text: &'a str,
    severity: &'static str,
    admits: &'a [String],
    waivable: bool,
    scope: &'static str,
    /// The pack that defines it (`spec` for `spec/` rules).
    defined_by: &'a str,
    /// The frameworks it is active under (empty for `spec/` rules: all).
    frameworks: &'a [String],
    summary: &'a str,
    origin: Option<JsonOrigin<'a>>,
    example_fail: Option<&'a str>,
    example_pass: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonCatalogue<'a> {
    version: u32,
    frameworks: Vec<&'a str>,
    rules: Vec<JsonRule<'a>>,
}

/// The catalogue as JSON, version 1: `{version, frameworks, rules: [...]}`.
pub fn json(cat: &dyn RuleCatalogue, sources: &Sources, only: Option<&str>) -> String {
    let rules = collect(cat, only);
    let out = JsonCatalogue {
        version: 1,
        frameworks: cat
            .frameworks()
            .into_iter()
            .filter(|f| only.is_none_or(|o| o == *f))
            .collect(),
        rules: rules
            .iter()
            .map(|(id, (r, fws))| JsonRule {
                id,
                clause: (!r.clause.is_empty()).then_some(r.clause.as_str()),
                clause_text: &r.clause_text,
                severity: r.severity.as_str(),
                admits: &r.admits,
                waivable: !r.admits.is_empty(),
                scope: scope_name(r.scope),
                defined_by: &r.framework,
                frameworks: fws,
                summary: &r.summary,
                origin: r.origin.as_ref().and_then(|o| {
                    let s = sources.get(o.source)?;
                    Some(JsonOrigin {
                        file: &s.name,
                        line: s.line_col(o.span.start()).0,
                    })
                }),
                example_fail: r.example_fail.as_deref(),
                example_pass: r.example_pass.as_deref(),
            })
            .collect(),
    };
    let mut s = serde_json::to_string_pretty(&out).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}

pub fn run(args: RulesArgs) -> u8 {
    let loaded = match load_catalogue(&args.policy) {
        Ok(l) => l,
        Err(e) => return super::fatal(&e),
    };
    let cat = loaded.catalogue.as_ref();
    if let Some(f) = &args.framework {
        if let Err(e) = check_framework(cat, f) {
            return super::fatal(&e);
        }
    }
    let out = match args.format {
        RulesFormat::Markdown => {
            let mut s = markdown(cat, &loaded.sources, args.framework.as_deref());
            s.push('\n');
            s
        }
        RulesFormat::Json => json(cat, &loaded.sources, args.framework.as_deref()),
    };
    let mut stdout = std::io::stdout().lock();
    if stdout.write_all(out.as_bytes()).and_then(|_| stdout.flush()).is_err() {
        return 2;
    }
    0
}
