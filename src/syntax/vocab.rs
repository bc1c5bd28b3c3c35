//! The vocabulary of the language, declared once (D130): the keywords of
//! each block in the order completion offers them, the grammar's keyword
//! rules with the words they match, and the value enumerations.
//!
//! Everything that needs a list of keywords or values reads it here: the
//! parser's recovery and hints (`parser.rs`, `errors.rs`), model validation
//! (`model/build.rs`, `check/`), completion and semantic tokens (`ide/`),
//! the policy compiler's criteria, `spec explain` and the code actions.
//! pest cannot read a Rust table, so `grammar/pspec.pest` spells the
//! keywords again; the tests below read the grammar and fail when its `kw_*`
//! rules and [`KEYWORD_RULES`] differ in either direction.

/// The items of a file.
pub const TOP: &[&str] = &["module", "programme"];

/// The properties of a `module`.
pub const MODULE: &[&str] = &[
    "credits",
    "level",
    "weeks",
    "pass-mark",
    "research-skills",
    "dissertation",
    "placement",
    "pass-fail",
    "requires",
    "outcomes",
    "assessment",
];

/// The module flags: properties without a value.
pub const MODULE_FLAGS: &[&str] = &["research-skills", "dissertation", "placement", "pass-fail"];

/// The properties of an `assessment`.
pub const ASSESSMENT: &[&str] = &["kind", "weight", "covers", "competency"];

/// The properties of a `programme`.
pub const PROGRAMME: &[&str] = &[
    "award",
    "framework",
    "credits",
    "mode",
    "language",
    "delivery",
    "starts",
    "validated",
    "previous-validation",
    "erasmus-mundus",
    "accreditation",
    "exit-award",
    "rpl",
    "partner",
    "attendance",
    "engagement",
    "structure",
    "variance",
    "rule",
];

/// The programme properties that take a date.
pub const DATE_PROPERTIES: &[&str] = &["starts", "validated", "previous-validation"];

/// The lines of an `rpl` block.
pub const RPL: &[&str] = &["certificated", "experiential"];

/// The properties of a `partner`.
pub const PARTNER: &[&str] = &["model", "link-tutor", "programme-leader", "operational-framework"];

/// The partner properties that take a text.
pub const PARTNER_TEXTS: &[&str] = &["link-tutor", "programme-leader", "operational-framework"];

/// The properties of an `attendance` block.
pub const ATTENDANCE: &[&str] = &["first-contact", "second-contact", "interview", "agreements-per-year"];

/// The attendance properties that take a duration.
pub const ATTENDANCE_DURATIONS: &[&str] = &["first-contact", "second-contact", "interview"];

/// The properties of an `engagement` block.
pub const ENGAGEMENT: &[&str] = &["shared-with", "retention"];

/// The lines of a `structure`.
pub const STRUCTURE: &[&str] = &["core", "option", "stage"];

/// The lines of a `stage`.
pub const STAGE: &[&str] = &["core", "option"];

/// The words inside an `option` line: `option "T" choose N credits from ...`.
pub const OPTION: &[&str] = &["choose", "from"];

/// The words of a placement: the periods (`semester N`, `semesters N-M`,
/// `year-long`) first, then `year N`, which may follow a period.
pub const PLACEMENTS: &[&str] = &["semester", "semesters", "year-long", "year"];

/// The periods of a placement: [`PLACEMENTS`] without `year`.
pub const PERIODS: &[&str] = PLACEMENTS.split_at(3).0;

/// The properties of a `variance`.
pub const VARIANCE: &[&str] = &[
    "applies-to",
    "criterion",
    "rationale",
    "alternative",
    "evidence",
    "submitted",
    "approved",
];

/// The variance properties that take a text.
pub const VARIANCE_TEXTS: &[&str] = &["rationale", "alternative", "evidence"];

/// The values of an assessment's `kind`.
pub const KINDS: &[&str] = &[
    "coursework",
    "exam",
    "test",
    "presentation",
    "practical",
    "portfolio",
    "project",
];

/// The values of a programme's `mode`.
pub const MODES: &[&str] = &["full-time", "part-time", "distance", "online"];

/// The values of a programme's `delivery`.
pub const DELIVERIES: &[&str] = &["semesterised", "year-long", "block"];

/// The values of a partner's `model`.
pub const PARTNER_MODELS: &[&str] = &["franchise", "validated", "joint", "dual"];

/// The partner model of a joint award (the one the `joint-award` criterion needs).
pub const JOINT: &str = "joint";

/// The variance criteria (language.md), in the order completion offers them.
pub const CRITERIA: &[&str] = &["psrb", "discipline", "validation", "joint-award"];

/// The criterion that names an accrediting body: `criterion psrb "BODY"`.
pub const PSRB: &str = "psrb";

/// The criterion of a joint award with a partner.
pub const JOINT_AWARD: &str = "joint-award";

/// A `kw_*` rule of `grammar/pspec.pest`: the words it matches and, when
/// one keyword in backticks would not say it, how a message names it.
#[derive(Debug, Clone, Copy)]
pub struct KeywordRule {
    pub rule: &'static str,
    pub words: &'static [&'static str],
    pub phrase: Option<&'static str>,
}

const fn kw(rule: &'static str, words: &'static [&'static str]) -> KeywordRule {
    KeywordRule {
        rule,
        words,
        phrase: None,
    }
}

const fn kw_phrase(rule: &'static str, words: &'static [&'static str], phrase: &'static str) -> KeywordRule {
    KeywordRule {
        rule,
        words,
        phrase: Some(phrase),
    }
}

/// Every keyword rule of the grammar, in the grammar's order.
pub const KEYWORD_RULES: &[KeywordRule] = &[
    kw("kw_module", &["module"]),
    kw("kw_programme", &["programme"]),
    kw("kw_credits", &["credits"]),
    kw("kw_level", &["level"]),
    kw("kw_weeks", &["weeks"]),
    kw("kw_pass_mark", &["pass-mark"]),
    kw_phrase("kw_flag_module", MODULE_FLAGS, "a module flag"),
    kw("kw_requires", &["requires"]),
    kw("kw_outcomes", &["outcomes"]),
    kw("kw_assessment", &["assessment"]),
    kw("kw_kind", &["kind"]),
    kw("kw_weight", &["weight"]),
    kw("kw_covers", &["covers"]),
    kw("kw_competency", &["competency"]),
    kw("kw_award", &["award"]),
    kw("kw_framework", &["framework"]),
    kw("kw_mode", &["mode"]),
    kw("kw_language", &["language"]),
    kw("kw_delivery", &["delivery"]),
    kw_phrase("kw_date_prop", DATE_PROPERTIES, "a date property"),
    kw("kw_erasmus", &["erasmus-mundus"]),
    kw("kw_accreditation", &["accreditation"]),
    kw("kw_exit_award", &["exit-award"]),
    kw("kw_rpl", &["rpl"]),
    kw_phrase("kw_rpl_kind", RPL, "`certificated` or `experiential`"),
    kw("kw_partner", &["partner"]),
    kw("kw_model", &["model"]),
    kw_phrase("kw_partner_text", PARTNER_TEXTS, "a partner property"),
    kw("kw_attendance", &["attendance"]),
    kw_phrase("kw_att_duration", ATTENDANCE_DURATIONS, "an attendance property"),
    kw("kw_agreements", &["agreements-per-year"]),
    kw("kw_engagement", &["engagement"]),
    kw("kw_shared_with", &["shared-with"]),
    kw("kw_retention", &["retention"]),
    kw("kw_structure", &["structure"]),
    kw("kw_core", &["core"]),
    kw("kw_option", &["option"]),
    kw("kw_stage", &["stage"]),
    kw("kw_choose", &["choose"]),
    kw_phrase("kw_from", &["from"], "`from` or `{`"),
    kw("kw_semester", &["semester"]),
    kw("kw_semesters", &["semesters"]),
    kw("kw_year_long", &["year-long"]),
    kw("kw_year", &["year"]),
    kw("kw_variance", &["variance"]),
    kw("kw_applies_to", &["applies-to"]),
    kw("kw_criterion", &["criterion"]),
    kw_phrase("kw_var_text", VARIANCE_TEXTS, "a variance text"),
    kw("kw_submitted", &["submitted"]),
    kw("kw_approved", &["approved"]),
    kw("kw_rule", &["rule"]),
];

/// The keyword rule named `rule` (`"kw_credits"`), if there is one.
pub fn keyword_rule(rule: &str) -> Option<&'static KeywordRule> {
    KEYWORD_RULES.iter().find(|k| k.rule == rule)
}

/// The property keywords of a block, by the keyword that opens it (`""`
/// for the top level); empty for a block without properties.
pub fn block_keywords(block: &str) -> &'static [&'static str] {
    match block {
        "" => TOP,
        "module" => MODULE,
        "assessment" => ASSESSMENT,
        "programme" => PROGRAMME,
        "rpl" => RPL,
        "partner" => PARTNER,
        "attendance" => ATTENDANCE,
        "engagement" => ENGAGEMENT,
        "structure" => STRUCTURE,
        "stage" => STAGE,
        "variance" => VARIANCE,
        _ => &[],
    }
}

/// The blocks [`block_keywords`] knows, by their opening keyword.
pub const BLOCKS: &[&str] = &[
    "",
    "module",
    "assessment",
    "programme",
    "rpl",
    "partner",
    "attendance",
    "engagement",
    "structure",
    "stage",
    "variance",
];

/// The keywords that open a block: `module A "T" {`, `outcomes {`,
/// `option "T" choose 20 credits {`, `rule R {` ...
pub const BLOCK_HEADS: &[&str] = &[
    "module",
    "programme",
    "outcomes",
    "assessment",
    "rpl",
    "partner",
    "attendance",
    "engagement",
    "structure",
    "variance",
    "stage",
    "option",
    "core",
    "rule",
];

/// Every keyword of the language (each once, in the grammar's order).
pub fn all_keywords() -> impl Iterator<Item = &'static str> {
    KEYWORD_RULES.iter().flat_map(|k| k.words.iter().copied())
}

/// Every value word of the enumerations (a word may be a keyword too:
/// `year-long`, `validated`).
pub fn all_values() -> impl Iterator<Item = &'static str> {
    [KINDS, MODES, DELIVERIES, PARTNER_MODELS, CRITERIA]
        .into_iter()
        .flatten()
        .copied()
}

/// `` `a`, `b`, `c` ``: words in backticks, for messages.
pub fn ticked(words: &[&str]) -> String {
    words.iter().map(|w| format!("`{w}`")).collect::<Vec<_>>().join(", ")
}

/// A criterion as a `criterion` line writes it: `psrb "BODY"` for
/// [`PSRB`], which names its body, else the criterion itself.
pub fn criterion_example(criterion: &str) -> String {
    if criterion == PSRB {
        format!("{PSRB} \"BODY\"")
    } else {
        criterion.to_string()
    }
}

/// `a, b, c and d` (or `... or d`): words as a sentence lists them.
pub fn listed<S: AsRef<str>>(words: &[S], conjunction: &str) -> String {
    match words {
        [] => String::new(),
        [one] => one.as_ref().to_string(),
        [init @ .., last] => {
            let init: Vec<&str> = init.iter().map(AsRef::as_ref).collect();
            format!("{} {conjunction} {}", init.join(", "), last.as_ref())
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    const GRAMMAR: &str = include_str!("../../grammar/pspec.pest");

    /// The `kw_*` rules of the grammar and the quoted words of each.
    fn grammar_keyword_rules() -> Vec<(String, BTreeSet<String>)> {
        let mut out = Vec::new();
        for line in GRAMMAR.lines() {
            let line = line.trim();
            let Some((name, body)) = line.split_once('=') else {
                continue;
            };
            let name = name.trim();
            if !name.starts_with("kw_") {
                continue;
            }
            let words: BTreeSet<String> = body.split('"').skip(1).step_by(2).map(str::to_string).collect();
            out.push((name.to_string(), words));
        }
        out
    }

    #[test]
    fn grammar_and_table_name_the_same_keyword_rules() {
        let grammar: Vec<String> = grammar_keyword_rules().into_iter().map(|(n, _)| n).collect();
        let table: Vec<String> = KEYWORD_RULES.iter().map(|k| k.rule.to_string()).collect();
        let g: BTreeSet<&String> = grammar.iter().collect();
        let t: BTreeSet<&String> = table.iter().collect();
        assert_eq!(g.len(), grammar.len(), "a kw_ rule is defined twice in the grammar");
        assert_eq!(t.len(), table.len(), "a kw_ rule is listed twice in KEYWORD_RULES");
        assert_eq!(
            g.difference(&t).collect::<Vec<_>>(),
            Vec::<&&String>::new(),
            "kw_ rules of grammar/pspec.pest missing from vocab::KEYWORD_RULES"
        );
        assert_eq!(
            t.difference(&g).collect::<Vec<_>>(),
            Vec::<&&String>::new(),
            "vocab::KEYWORD_RULES entries with no kw_ rule in grammar/pspec.pest"
        );
    }

    #[test]
    fn grammar_and_table_match_the_same_words() {
        let grammar = grammar_keyword_rules();
        for (name, words) in &grammar {
            let Some(k) = keyword_rule(name) else { continue };
            let table: BTreeSet<String> = k.words.iter().map(|w| w.to_string()).collect();
            assert_eq!(
                words, &table,
                "`{name}`: the grammar's words (left) and vocab's (right) differ"
            );
        }
        let g: BTreeSet<String> = grammar.into_iter().flat_map(|(_, w)| w).collect();
        let t: BTreeSet<String> = all_keywords().map(str::to_string).collect();
        assert_eq!(g, t);
    }

    #[test]
    fn every_keyword_once() {
        let all: Vec<&str> = all_keywords().collect();
        let set: BTreeSet<&str> = all.iter().copied().collect();
        assert_eq!(all.len(), set.len(), "a keyword is matched by two kw_ rules");
    }

    #[test]
    fn contexts_hold_keywords_and_cover_them() {
        let keywords: BTreeSet<&str> = all_keywords().collect();
        let groups: &[(&str, &[&str])] = &[
            ("MODULE_FLAGS", MODULE_FLAGS),
            ("DATE_PROPERTIES", DATE_PROPERTIES),
            ("PARTNER_TEXTS", PARTNER_TEXTS),
            ("ATTENDANCE_DURATIONS", ATTENDANCE_DURATIONS),
            ("VARIANCE_TEXTS", VARIANCE_TEXTS),
            ("OPTION", OPTION),
            ("PLACEMENTS", PLACEMENTS),
        ];
        let mut covered = BTreeSet::new();
        for block in BLOCKS {
            let words = block_keywords(block);
            assert!(!words.is_empty(), "block `{block}` has no keywords");
            let set: BTreeSet<&str> = words.iter().copied().collect();
            assert_eq!(set.len(), words.len(), "block `{block}` lists a keyword twice");
            for w in words {
                assert!(
                    keywords.contains(w),
                    "`{w}` of block `{block}` is no keyword of the grammar"
                );
                covered.insert(*w);
            }
        }
        for w in BLOCK_HEADS {
            assert!(keywords.contains(w), "block head `{w}` is no keyword of the grammar");
        }
        for b in BLOCKS.iter().filter(|b| !b.is_empty()) {
            assert!(BLOCK_HEADS.contains(b), "block `{b}` is not a block head");
        }
        for (name, words) in groups {
            for w in *words {
                assert!(keywords.contains(w), "`{w}` of {name} is no keyword of the grammar");
                covered.insert(*w);
            }
        }
        assert_eq!(covered, keywords, "keywords no context offers");
        // The groups are parts of their blocks.
        for (group, block) in [
            (MODULE_FLAGS, MODULE),
            (DATE_PROPERTIES, PROGRAMME),
            (PARTNER_TEXTS, PARTNER),
            (ATTENDANCE_DURATIONS, ATTENDANCE),
            (VARIANCE_TEXTS, VARIANCE),
            (STAGE, STRUCTURE),
        ] {
            assert!(
                group.iter().all(|w| block.contains(w)),
                "{group:?} not within {block:?}"
            );
        }
        assert_eq!(PERIODS, &["semester", "semesters", "year-long"]);
    }

    #[test]
    fn named_values_are_in_their_enumerations() {
        assert!(CRITERIA.contains(&PSRB));
        assert!(CRITERIA.contains(&JOINT_AWARD));
        assert!(PARTNER_MODELS.contains(&JOINT));
        for list in [KINDS, MODES, DELIVERIES, PARTNER_MODELS, CRITERIA] {
            let set: BTreeSet<&str> = list.iter().copied().collect();
            assert_eq!(set.len(), list.len(), "{list:?} lists a value twice");
        }
    }

    #[test]
    fn ticks_and_lists() {
        assert_eq!(ticked(&["a", "b-c"]), "`a`, `b-c`");
        assert_eq!(listed(CRITERIA, "and"), "psrb, discipline, validation and joint-award");
        assert_eq!(listed(&["a"], "or"), "a");
        assert_eq!(listed::<&str>(&[], "or"), "");
        assert_eq!(criterion_example("psrb"), "psrb \"BODY\"");
        assert_eq!(criterion_example("discipline"), "discipline");
    }
}
