//! `spec/unknown-reference` (error): something is named but not defined.
//!
//! Reported while the model is built (`model::build`) for modules (in
//! `requires` and in a structure) and outcomes (in `covers`), with the
//! nearest defined code as a suggestion, and for an `applies-to` module that
//! is not in its programme's structure; an unknown `framework` is reported
//! by the policy engine, which knows the packs. A module whose definition
//! does not parse still counts as defined.

use super::RuleDoc;
use crate::diag::Severity;
use crate::policy::RuleScope;

pub const RULE: RuleDoc = RuleDoc {
    id: "spec/unknown-reference",
    severity: Severity::Error,
    scope: RuleScope::ModuleItself,
    summary: "a module, outcome or framework that is named but not defined; an `applies-to` module that is not in the programme's structure",
    example_fail: r#"module M1 "Research Methods" {
  credits 20
  level 7
  outcomes { LO1 "Design a research project" }
  assessment AS1 "Proposal" { kind coursework covers LO2 }
}
"#,
    example_pass: r#"module M1 "Research Methods" {
  credits 20
  level 7
  outcomes { LO1 "Design a research project" }
  assessment AS1 "Proposal" { kind coursework covers LO1 }
}
"#,
};
