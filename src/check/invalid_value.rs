//! `spec/invalid-value` (error): a value is out of range.
//!
//! Reported while the model is built (`model::build`), at the value: a level
//! outside 3..8, programme credits or a weight of 0, a weight over 100%, an
//! integer over 99999, a semester outside 1..3, `semesters N-M` with N > M, an
//! unknown keyword value (`kind`, `mode`, `delivery`, `model`, `criterion`;
//! with a did-you-mean), a duration in a unit the property does not take, a
//! date that is not a calendar date. A module's `credits 0` is valid (a
//! non-credit-bearing unit): the framework's rules judge it.

use super::RuleDoc;
use crate::diag::Severity;
use crate::policy::RuleScope;

pub const RULE: RuleDoc = RuleDoc {
    id: "spec/invalid-value",
    severity: Severity::Error,
    scope: RuleScope::ModuleItself,
    summary: "a value is out of range: level outside 3..8, programme credits 0, weight 0 (a module's `credits 0` is valid: a non-credit-bearing unit, judged by the framework's rules), weight over 100%, an integer over 99999, semester outside 1..3, `semesters N-M` with N > M, an unknown keyword value (kind, mode, delivery, model, criterion), a duration in a unit the property does not take",
    example_fail: r#"module M1 "Research Methods" {
  credits 20
  level 9
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
