//! `spec/syntax` (error): the text does not parse.
//!
//! Reported by the parser (`syntax::parse`), at least once per broken item,
//! pointing at the token that is in the way, with the nearest keyword as a
//! suggestion. The rest of the file is still checked: a broken item still
//! defines its code (so references to it do not cascade into
//! `spec/unknown-reference`), but no rule evaluates its properties.

use super::RuleDoc;
use crate::diag::Severity;
use crate::policy::RuleScope;

pub const RULE: RuleDoc = RuleDoc {
    id: "spec/syntax",
    severity: Severity::Error,
    scope: RuleScope::ModuleItself,
    summary: "the text does not parse (one diagnostic per broken item at least; the rest of the file is still checked)",
    example_fail: r#"module M1 "Research Methods" {
  credits twenty
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
