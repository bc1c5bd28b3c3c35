//! Rule metadata, whoever defines the rule: [`RuleInfo`], [`RuleScope`],
//! [`RuleDoc`] (a built-in rule's metadata, kept in its file under
//! [`crate::check`]) and the [`RuleCatalogue`] interface.
//!
//! Both [`crate::check`] (the built-in `spec/` rules and their registry,
//! [`crate::check::registry`]) and [`crate::policy`] (the framework packs)
//! depend on this module; it depends on neither, so the two no longer depend
//! on each other for metadata (docs/decisions.md D110).

use crate::diag::{RuleOrigin, Severity};

/// What a rule quantifies over, which decides how it is counted and how a
/// variance's `applies-to` scope covers it (rules.md, "Scope and counting").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleScope {
    /// Once per programme (a programme property).
    Programme,
    /// Once per module listed in a programme's structure, per programme.
    ProgrammeModule,
    /// Once per module itself, if some programme under the framework lists it.
    ModuleItself,
    /// Must hold on every pathway; once per programme with a counterexample.
    Pathway,
    /// Once per variance.
    Variance,
}

/// Everything the CLI, the variance checks and the editor need to know about
/// a rule, whoever defines it.
#[derive(Debug, Clone)]
pub struct RuleInfo {
    pub id: String,
    /// The regulation clause, e.g. `PG.A4.2`.
    pub clause: String,
    /// The clause's text, quoted from the regulations.
    pub clause_text: String,
    /// The default severity (a rule may choose per case, e.g. PG.C1.4/assessment-count).
    pub severity: Severity,
    /// Variance criteria that can waive it; empty = not waivable.
    pub admits: Vec<String>,
    pub scope: RuleScope,
    /// The framework (pack) that defines it.
    pub framework: String,
    /// One line: what fires it.
    pub summary: String,
    /// Where it is defined.
    pub origin: Option<RuleOrigin>,
    /// A complete `.pspec` workspace text on which the rule fires.
    pub example_fail: Option<String>,
    /// The same example, mended: the rule is quiet.
    pub example_pass: Option<String>,
}

/// A built-in `spec/` rule's metadata, kept in the rule's own file
/// (`src/check/RULE.rs`); [`crate::check::registry`] lists them all.
#[derive(Debug, Clone, Copy)]
pub struct RuleDoc {
    pub id: &'static str,
    pub severity: Severity,
    pub scope: RuleScope,
    /// The rule file's text: its `//!` doc holds the "Fires when" sentence
    /// that `spec explain` and `spec rules` print.
    pub source: &'static str,
    /// A complete `.pspec` text on which the rule fires.
    pub example_fail: &'static str,
    /// The same example, mended: the rule is quiet.
    pub example_pass: &'static str,
}

impl RuleDoc {
    /// What fires the rule, in one line: the paragraph of the rule file's
    /// `//!` doc that begins "Fires when", without those words and the final
    /// full stop (empty if the doc has none; `tests/rules_doc.rs` checks
    /// every rule has one).
    pub fn summary(&self) -> String {
        let mut words: Vec<&str> = Vec::new();
        for line in self.source.lines() {
            let Some(text) = line.strip_prefix("//!") else { break };
            let text = text.trim();
            if words.is_empty() {
                if let Some(rest) = text.strip_prefix("Fires when ") {
                    words.push(rest);
                }
            } else if text.is_empty() {
                break;
            } else {
                words.push(text);
            }
        }
        let joined = words.join(" ");
        joined.strip_suffix('.').unwrap_or(&joined).to_string()
    }
}

/// Rule metadata by framework, as the variance checks, `spec explain`,
/// `spec rules` and the editor need it. Implemented by the compiled policy
/// set; `spec/` rules are included under every framework.
pub trait RuleCatalogue {
    /// The rule `id` as active under `framework` (its packs and includes),
    /// `spec/` rules included.
    fn rule(&self, framework: &str, id: &str) -> Option<&RuleInfo>;
    /// Every rule active under `framework`, sorted by id.
    fn rules(&self, framework: &str) -> Vec<&RuleInfo>;
    /// The framework ids known, sorted.
    fn frameworks(&self) -> Vec<&str>;
    /// The framework checks variance criteria with a rule of its own (LJMU's
    /// PG.A1.6/variance-criterion), so `spec/variance-criterion` stays quiet.
    fn has_criterion_rule(&self, framework: &str) -> bool;
}

/// A `spec/` rule: the language's own well-formedness checks, which no
/// variance waives.
pub fn is_spec(id: &str) -> bool {
    id.starts_with("spec/")
}
