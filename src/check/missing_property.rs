//! `spec/missing-property` (error): a required property is missing.
//!
//! Reported while the model is built (`model::build`), at the item's code:
//! module `credits` or `level`; programme `award`, `framework` or `credits`;
//! an assessment's `weight` when the module has more than one assessment; a
//! structure entry's placement (optional only inside a `stage` of a
//! `block`-delivered programme); a variance's `criterion`.

use super::RuleDoc;
use crate::diag::Severity;
use crate::policy::RuleScope;

pub const RULE: RuleDoc = RuleDoc {
    id: "spec/missing-property",
    severity: Severity::Error,
    scope: RuleScope::ModuleItself,
    summary: "a required property is missing: module `credits`/`level`; programme `award`/`framework`/`credits`; an assessment `weight` when the module has more than one assessment; a placement where one is required (language.md); a variance's `criterion`",
    example_fail: r#"module M1 "Research Methods" {
  credits 20
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
