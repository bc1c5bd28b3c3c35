//! `spec/duplicate` (error): something that must be unique is given twice.
//!
//! Reported while the model is built (`model::build`), at the second
//! occurrence with a label on the first: a module code repeated in the
//! workspace, a programme code repeated, an outcome or assessment code
//! repeated in a module, a single-valued property given twice, a stage number
//! repeated, or a module listed twice in one structure.

use super::RuleDoc;
use crate::diag::Severity;
use crate::policy::RuleScope;

pub const RULE: RuleDoc = RuleDoc {
    id: "spec/duplicate",
    severity: Severity::Error,
    scope: RuleScope::ModuleItself,
    summary: "a module code repeats in the workspace, a programme code repeats, an outcome or assessment code repeats in a module, a single-valued property is given twice, a stage number repeats, or a module is listed twice in one structure",
    example_fail: r#"module M1 "Research Methods" {
  credits 20
  level 7
  level 7
  outcomes { LO1 "Design a research project" }
  assessment AS1 "Proposal" { kind coursework covers LO1 }
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
