//! `spec/variance-criterion` (error): a variance's criterion is not admitted
//! by the rule it cites.
//!
//! Only under a framework with no criterion rule of its own: LJMU checks this
//! with `PG.A1.6/variance-criterion`, so this rule stays quiet there (the
//! example uses `ntu-online-2018`, where `NTU.10E/credits` admits nothing).
//! Reported by the variance checks.

use super::RuleDoc;
use crate::diag::Severity;
use crate::policy::RuleScope;

pub const RULE: RuleDoc = RuleDoc {
    id: "spec/variance-criterion",
    severity: Severity::Error,
    scope: RuleScope::Variance,
    summary: "under a framework that has no criterion rule of its own (LJMU's is PG.A1.6/variance-criterion), a variance's criterion is not admitted by the rule it cites",
    example_fail: r#"module M1 "Research Methods" {
  credits 20
  level 6
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

programme PGC "PGCert Data Science Online" {
  award PGCert
  framework ntu-online-2018
  credits 60
  mode online
  variance NTU.10E/credits {
    applies-to M1
    criterion discipline
    rationale "M1 is taught at level 6 as a bridging module."
    alternative "M1 is level 6; every other module is level 7."
    evidence "Subject benchmark statement, section 2"
    submitted 2024-03-01
    approved "Academic Standards Committee" 2024-04-10
  }
  structure {
    core M1, M2 semester 1
    core M3 semester 2
  }
}
"#,
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

programme PGC "PGCert Data Science Online" {
  award PGCert
  framework ntu-online-2018
  credits 60
  mode online
  structure {
    core M1, M2 semester 1
    core M3 semester 2
  }
}
"#,
};
