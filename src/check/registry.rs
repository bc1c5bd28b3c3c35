//! TEMPORARY STUB in the `policy` branch: the checks branch owns this file
//! and publishes the metadata of every `spec/` rule here.

use crate::policy::RuleInfo;

/// Every `spec/` rule's metadata (empty in this stub).
pub fn spec_rules() -> Vec<RuleInfo> {
    Vec::new()
}
