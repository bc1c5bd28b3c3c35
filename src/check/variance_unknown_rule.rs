//! `spec/variance-unknown-rule` (error): a variance cites a rule that no
//! active pack defines.
//!
//! Reported by the variance checks, which know the active packs: suggests
//! the nearest rule id; for a bare clause such as `PG.A4.2` it lists the
//! checks of that clause.

use super::RuleDoc;
use crate::diag::Severity;
use crate::policy::RuleScope;

pub const RULE: RuleDoc = RuleDoc {
    id: "spec/variance-unknown-rule",
    severity: Severity::Error,
    scope: RuleScope::Variance,
    summary: "a variance cites a rule that no active pack defines (suggest the nearest id; a bare clause such as `PG.A4.2` lists its checks)",
    example_fail: r#"module M1 "Research Methods" {
  credits 20
  level 7
  pass-mark 40
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
  accreditation "British Computer Society"
  variance PG.C2.4.2/pass-marks {
    applies-to M1
    criterion psrb "British Computer Society"
    rationale "The accrediting body sets a pass mark of 40 for this module."
    alternative "M1 has a pass mark of 40; every other module keeps 50."
    evidence "BCS Accreditation Guidelines 2023, section 4.1"
    submitted 2024-03-01
    approved "Academic Quality and Standards Committee" 2024-04-10
  }
  structure {
    core M1, M2 semester 1
    core M3 semester 2
  }
}"#,
    example_pass: r#"module M1 "Research Methods" {
  credits 20
  level 7
  pass-mark 40
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
  accreditation "British Computer Society"
  variance PG.C2.4.2/pass-mark {
    applies-to M1
    criterion psrb "British Computer Society"
    rationale "The accrediting body sets a pass mark of 40 for this module."
    alternative "M1 has a pass mark of 40; every other module keeps 50."
    evidence "BCS Accreditation Guidelines 2023, section 4.1"
    submitted 2024-03-01
    approved "Academic Quality and Standards Committee" 2024-04-10
  }
  structure {
    core M1, M2 semester 1
    core M3 semester 2
  }
}"#,
};
