//! Policy as data: the `.policy` language, its compiler and evaluator, and
//! the framework packs embedded in the binary.
//!
//! This file holds the interface the rest of the crate uses (rule metadata,
//! frameworks, awards); the language lives in the submodules.

pub mod variance;

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

use crate::analysis::Options;
use crate::diag::Diagnostic;
use crate::model::Workspace;
use crate::source::Sources;

/// The result of loading, compiling and evaluating the policy packs.
#[derive(Debug, Clone, Copy, Default)]
pub struct PolicyRun {
    /// A policy file did not compile (its diagnostics are in the output).
    pub failed: bool,
}

/// Loads the packs (embedded and `options.policy_paths`), compiles them,
/// evaluates every applicable rule over the workspace and applies variances.
/// Policy sources are added to `sources` so diagnostics can point into them.
pub fn check(_sources: &mut Sources, _ws: &Workspace, _options: &Options, _diags: &mut Vec<Diagnostic>) -> PolicyRun {
    PolicyRun::default()
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
