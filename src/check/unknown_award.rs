//! `spec/unknown-award` (error): the award, or an exit award, is not an
//! award of the programme's framework.
//!
//! Reported by the policy engine, which knows each framework's awards.

use super::RuleDoc;
use crate::diag::Severity;
use crate::policy::RuleScope;

pub const RULE: RuleDoc = RuleDoc {
    id: "spec/unknown-award",
    severity: Severity::Error,
    scope: RuleScope::Programme,
    summary: "the award (or an exit award) is not an award of the programme's framework",
    example_fail: r#"module M1 "Research Methods" {
  credits 20
  level 7
  outcomes { LO1 "Design a research project" }
  assessment AS1 "Proposal" { kind coursework covers LO1 }
}

module M2 "Statistics" {
  credits 20
  level 7
  outcomes { LO1 "Apply statistical methods" }
  assessment AS1 "Exam" { kind exam covers LO1 }
}

module M3 "Data Engineering" {
  credits 20
  level 7
  outcomes { LO1 "Build data pipelines" }
  assessment AS1 "Portfolio" { kind portfolio covers LO1 }
}

programme PGC "PGCert Data Science" {
  award PGCrt
  framework ljmu-pgt-2022
  credits 60
  structure {
    core M1, M2 semester 1
    core M3 semester 2
  }
}"#,
    example_pass: r#"module M1 "Research Methods" {
  credits 20
  level 7
  outcomes { LO1 "Design a research project" }
  assessment AS1 "Proposal" { kind coursework covers LO1 }
}

module M2 "Statistics" {
  credits 20
  level 7
  outcomes { LO1 "Apply statistical methods" }
  assessment AS1 "Exam" { kind exam covers LO1 }
}

module M3 "Data Engineering" {
  credits 20
  level 7
  outcomes { LO1 "Build data pipelines" }
  assessment AS1 "Portfolio" { kind portfolio covers LO1 }
}

programme PGC "PGCert Data Science" {
  award PGCert
  framework ljmu-pgt-2022
  credits 60
  structure {
    core M1, M2 semester 1
    core M3 semester 2
  }
}"#,
};
