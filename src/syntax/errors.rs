//! pest errors -> messages written for a quality officer.
//!
//! pest reports the grammar rules it expected; we turn them into words
//! ("a module property such as `credits`"), point at the token that is in the
//! way (the smallest span at fault) and suggest the nearest keyword.

use std::borrow::Cow;
use std::sync::OnceLock;

use pest::error::{ErrorVariant, InputLocation};

use super::ast::SyntaxError;
use super::parser::{found_text, token_end, BlockKind, Rule};
use super::vocab;
use crate::span::Span;

/// What a grammar rule means to a reader, and the keywords it stands for.
/// A `kw_*` rule is read from [`vocab::KEYWORD_RULES`]: its phrase, else
/// its keyword in backticks.
fn describe(rule: Rule) -> (Cow<'static, str>, &'static [&'static str]) {
    use Rule::*;
    let (phrase, kws): (&'static str, &'static [&'static str]) = match rule {
        code => ("a code (letters, digits, `-`, `_`)", &[]),
        word => ("a keyword value", &[]),
        framework_id => ("a framework id such as `ljmu-pgt-2022`", &[]),
        rule_id => ("a rule id such as `PG.A4.2/module-size`", &[]),
        int | pct_int => ("a whole number", &[]),
        percent => ("a percentage such as `60%`", &[]),
        date => ("a date such as `2024-06-12`", &[]),
        string | text_block | str_inner => ("a text in double quotes", &[]),
        lbrace => ("`{`", &[]),
        rbrace => ("`}`", &[]),
        codes => ("a list of codes", &[]),
        words => ("a list of names", &[]),
        duration => ("a duration such as `3 weeks`", &[]),
        raw_block => ("a rule body in braces", &[]),
        placement => ("a placement such as `semester 1`", vocab::PERIODS),
        pl_year => return describe(kw_year),
        _ => match keyword_rule_of(rule) {
            Some(k) => {
                let phrase = match k.phrase {
                    Some(p) => Cow::Borrowed(p),
                    None => Cow::Owned(format!("`{}`", k.words.first().copied().unwrap_or_default())),
                };
                return (phrase, k.words);
            }
            None => ("something else", &[]),
        },
    };
    (Cow::Borrowed(phrase), kws)
}

/// The vocabulary entry of a `kw_*` grammar rule, found by the rule's name.
fn keyword_rule_of(rule: Rule) -> Option<&'static vocab::KeywordRule> {
    static TABLE: OnceLock<Vec<(Rule, &'static vocab::KeywordRule)>> = OnceLock::new();
    TABLE
        .get_or_init(|| {
            Rule::all_rules()
                .iter()
                .filter_map(|r| Some((*r, vocab::keyword_rule(&format!("{r:?}"))?)))
                .collect()
        })
        .iter()
        .find(|(r, _)| *r == rule)
        .map(|(_, k)| *k)
}

/// Groups that read better as one phrase than as a list of keywords. The
/// lists of a block's properties are read from the vocabulary.
fn group_phrase(rules: &[Rule], kind: BlockKind) -> Option<String> {
    use Rule::*;
    let has = |r: Rule| rules.contains(&r);
    let module = || {
        let props: Vec<&str> = vocab::MODULE
            .iter()
            .copied()
            .filter(|w| !vocab::MODULE_FLAGS.contains(w))
            .collect();
        format!(
            "a module property ({}, a flag such as `dissertation`) or `}}`",
            vocab::ticked(&props)
        )
    };
    let programme = || {
        "a programme property (`award`, `framework`, `credits`, `mode`, `structure`, `variance`, ...) or `}`"
            .to_string()
    };
    let block = |what: &str, list: &[&str]| format!("{what} ({}) or `}}`", vocab::ticked(list));
    let _ = kind;
    if has(module_prop_one) {
        return Some(module());
    }
    if has(programme_prop_one) {
        return Some(programme());
    }
    if has(kw_kind) && has(kw_weight) && has(kw_covers) {
        return Some(block("an assessment property", vocab::ASSESSMENT));
    }
    if has(kw_credits) && has(kw_level) && has(kw_outcomes) {
        return Some(module());
    }
    if has(kw_award) && has(kw_framework) && has(kw_structure) {
        return Some(programme());
    }
    if has(kw_core) && has(kw_option) {
        return Some(if has(kw_stage) {
            block("a structure line", vocab::STRUCTURE)
        } else {
            format!("{} or `}}`", vocab::ticked(vocab::STAGE))
        });
    }
    if has(kw_applies_to) && has(kw_criterion) {
        return Some(block("a variance property", vocab::VARIANCE));
    }
    if has(kw_model) && has(kw_partner_text) {
        return Some(block("a partner property", vocab::PARTNER));
    }
    if has(kw_att_duration) && has(kw_agreements) {
        return Some(block("an attendance property", vocab::ATTENDANCE));
    }
    if has(kw_shared_with) && has(kw_retention) {
        return Some(block("an engagement property", vocab::ENGAGEMENT));
    }
    if has(kw_semester) && has(kw_semesters) {
        return Some("a placement (`semester N`, `semesters N-M`, `year-long`)".to_string());
    }
    None
}

/// Converts a pest error from parsing `text[base..end]` into a syntax error.
pub(crate) fn describe_error(
    text: &str,
    base: usize,
    end: usize,
    e: &pest::error::Error<Rule>,
    kind: BlockKind,
) -> SyntaxError {
    let pos = base
        + match e.location {
            InputLocation::Pos(p) => p,
            InputLocation::Span((s, _)) => s,
        };
    let pos = pos.min(text.len());
    let tok_end = token_end(text, pos, end.max(pos));
    let found = found_text(text, pos, tok_end);
    let (positives, _negatives) = match &e.variant {
        ErrorVariant::ParsingError { positives, negatives } => (positives.clone(), negatives.clone()),
        ErrorVariant::CustomError { .. } => (Vec::new(), Vec::new()),
    };
    let expected = match group_phrase(&positives, kind) {
        Some(p) => p,
        None => {
            let mut words: Vec<Cow<'static, str>> = positives.iter().map(|r| describe(*r).0).collect();
            words.sort_unstable();
            words.dedup();
            match words.len() {
                0 => "something else".to_string(),
                1 => words[0].to_string(),
                _ => {
                    let last = words.pop().unwrap_or_default();
                    format!("{} or {}", words.join(", "), last)
                }
            }
        }
    };
    let mut keywords: Vec<&str> = positives.iter().flat_map(|r| describe(*r).1.iter().copied()).collect();
    if positives.contains(&Rule::module_prop_one) {
        keywords.extend(vocab::MODULE);
    }
    if positives.contains(&Rule::programme_prop_one) {
        keywords.extend(vocab::PROGRAMME);
    }
    keywords.sort_unstable();
    keywords.dedup();
    if let Some(err) = unterminated_string(text, pos, end) {
        return err;
    }
    let found_word = text.get(pos..tok_end).unwrap_or("");
    let help = did_you_mean(found_word, &keywords)
        .map(|k| format!("did you mean `{k}`?"))
        .or_else(|| {
            if found_word.is_empty() || pos >= end {
                Some("the item ends too early: is a `}` or a value missing?".to_string())
            } else {
                None
            }
        });
    SyntaxError {
        span: Span::new(pos, tok_end),
        message: format!("expected {expected}, found {found}"),
        help,
    }
}

/// A `"` at `pos` whose string is not closed on its line: say so, over the
/// rest of the line, rather than "expected a text, found `\"`".
fn unterminated_string(text: &str, pos: usize, end: usize) -> Option<SyntaxError> {
    let rest = text.get(pos..end.max(pos))?;
    if !rest.starts_with('"') || rest.starts_with("\"\"\"") {
        return None;
    }
    let line = rest.split('\n').next().unwrap_or("").trim_end_matches('\r');
    let mut escaped = false;
    for c in line.chars().skip(1) {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => return None,
            _ => {}
        }
    }
    Some(SyntaxError {
        span: Span::new(pos, pos + line.len()),
        message: "this text has no closing `\"`".to_string(),
        help: Some(
            "close it with `\"` on the same line, or write a text block `\"\"\"...\"\"\"` to span lines".to_string(),
        ),
    })
}

/// The candidate nearest to `word` (edit distance at most 2, and less than
/// half its length; at most 3), or `None`. Cheap enough to call with every
/// module code of a 20,000-module workspace: candidates whose length alone
/// rules them out are skipped, ASCII candidates whose letters alone rule them
/// out are skipped (see [`letters_bound`]), and the distance is computed with
/// an early exit once it exceeds the best found so far.
pub fn did_you_mean<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    if word.is_empty() {
        return None;
    }
    let w: Vec<char> = word.chars().collect();
    let mut row = Vec::new();
    let mut hist = [0u16; 128];
    let ascii = word.is_ascii() && word.len() < usize::from(u16::MAX);
    if ascii {
        for &b in word.as_bytes() {
            hist[usize::from(b)] += 1;
        }
    }
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let limit = (c.len() / 2).clamp(1, 3);
        let bound = match best {
            Some((0, _)) => break,
            Some((bd, _)) => limit.min(bd - 1),
            None => limit,
        };
        if c.len().abs_diff(word.len()) > bound * 4 {
            // byte lengths differ too much for any UTF-8 text within `bound` edits
            continue;
        }
        if ascii && letters_bound(&hist, word.len(), c).is_some_and(|lb| lb > bound) {
            continue;
        }
        if let Some(d) = bounded_distance(&w, c, bound, &mut row) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

/// A lower bound of the edit distance between an ASCII word (its byte
/// histogram `hist` and length `len`) and `c`, from their letters alone: an
/// edit script keeps at most as many characters as the two have in common
/// (as multisets), and every other character of the longer one costs an edit,
/// so the distance is at least `max(len, |c|) - common`. `None` when `c` is
/// not ASCII (no bound; compute the distance).
fn letters_bound(hist: &[u16; 128], len: usize, c: &str) -> Option<usize> {
    let mut left = *hist;
    let mut common = 0;
    for &b in c.as_bytes() {
        let slot = left.get_mut(usize::from(b))?;
        if *slot > 0 {
            *slot -= 1;
            common += 1;
        }
    }
    Some(len.max(c.len()) - common)
}

/// Levenshtein distance between `a` and `b` if it is at most `bound`.
fn bounded_distance(a: &[char], b: &str, bound: usize, row: &mut Vec<usize>) -> Option<usize> {
    let b_len = b.chars().count();
    if a.len().abs_diff(b_len) > bound {
        return None;
    }
    row.clear();
    row.extend(0..=a.len());
    for (j, bc) in b.chars().enumerate() {
        let mut diag = row[0];
        row[0] = j + 1;
        let mut row_min = row[0];
        for i in 1..=a.len() {
            let above = row[i];
            let cost = usize::from(a[i - 1] != bc);
            row[i] = (above + 1).min(row[i - 1] + 1).min(diag + cost);
            diag = above;
            row_min = row_min.min(row[i]);
        }
        if row_min > bound {
            return None;
        }
    }
    let d = row[a.len()];
    (d <= bound).then_some(d)
}

pub fn levenshtein(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let mut row = Vec::new();
    bounded_distance(&a, b, usize::MAX / 2, &mut row).unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest() {
        assert_eq!(did_you_mean("credit", &["level", "credits"]), Some("credits"));
        assert_eq!(did_you_mean("weigth", &["kind", "weight", "covers"]), Some("weight"));
        assert_eq!(did_you_mean("7001D", &["7001DS", "7002DS"]), Some("7001DS"));
        assert_eq!(did_you_mean("zzzz", &["credits"]), None);
        assert_eq!(did_you_mean("", &["a"]), None);
        // the first of equally near candidates wins
        assert_eq!(did_you_mean("7003DS", &["7001DS", "7002DS"]), Some("7001DS"));
    }

    /// `did_you_mean` without its shortcuts: every distance computed in full.
    fn did_you_mean_reference<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
        if word.is_empty() {
            return None;
        }
        let mut best: Option<(usize, &str)> = None;
        for c in candidates {
            let limit = (c.len() / 2).clamp(1, 3);
            let bound = match best {
                Some((0, _)) => break,
                Some((bd, _)) => limit.min(bd - 1),
                None => limit,
            };
            let d = levenshtein(word, c);
            if d <= bound {
                best = Some((d, c));
            }
        }
        best.map(|(_, c)| c)
    }

    proptest::proptest! {
        #[test]
        fn shortcuts_change_no_suggestion(
            word in "[07AZa_é]{0,9}",
            candidates in proptest::collection::vec("[07AZa_é]{0,9}", 0..40),
        ) {
            let refs: Vec<&str> = candidates.iter().map(String::as_str).collect();
            proptest::prop_assert_eq!(did_you_mean(&word, &refs), did_you_mean_reference(&word, &refs));
        }
    }

    #[test]
    fn letters_rule_out_codes() {
        let mut hist = [0u16; 128];
        for &b in b"700011Z" {
            hist[usize::from(b)] += 1;
        }
        // common letters 7, 0, 0, 0, 1: at least 2 edits
        assert_eq!(letters_bound(&hist, 7, "700012A"), Some(2));
        assert_eq!(letters_bound(&hist, 7, "110007Z"), Some(0));
        assert_eq!(letters_bound(&hist, 7, "7é"), None);
        assert!(levenshtein("700011Z", "700012A") >= 2);
    }

    /// The phrases and keywords the hand-written table gave before the
    /// vocabulary (D130) are what the derived ones give.
    #[test]
    fn keyword_rules_described_from_the_vocabulary() {
        use Rule::*;
        for (rule, phrase, kws) in [
            (kw_module, "`module`", &["module"][..]),
            (kw_pass_mark, "`pass-mark`", &["pass-mark"]),
            (
                kw_flag_module,
                "a module flag",
                &["research-skills", "dissertation", "placement", "pass-fail"],
            ),
            (
                kw_date_prop,
                "a date property",
                &["starts", "validated", "previous-validation"],
            ),
            (kw_erasmus, "`erasmus-mundus`", &["erasmus-mundus"]),
            (
                kw_rpl_kind,
                "`certificated` or `experiential`",
                &["certificated", "experiential"],
            ),
            (kw_from, "`from` or `{`", &["from"]),
            (
                kw_var_text,
                "a variance text",
                &["rationale", "alternative", "evidence"],
            ),
            (
                placement,
                "a placement such as `semester 1`",
                &["semester", "semesters", "year-long"],
            ),
            (pl_year, "`year`", &["year"]),
            (code, "a code (letters, digits, `-`, `_`)", &[]),
            (file_items, "something else", &[]),
        ] {
            let (t, w) = describe(rule);
            assert_eq!((t.as_ref(), w), (phrase, kws), "{rule:?}");
        }
    }

    /// Every keyword rule of the vocabulary is a rule of the grammar, so
    /// `describe` finds it: none falls to "something else".
    #[test]
    fn every_keyword_rule_is_described() {
        let found: Vec<&str> = Rule::all_rules()
            .iter()
            .filter_map(|r| keyword_rule_of(*r).map(|k| k.rule))
            .collect();
        let table: Vec<&str> = vocab::KEYWORD_RULES.iter().map(|k| k.rule).collect();
        assert_eq!(found, table);
        for r in Rule::all_rules() {
            if format!("{r:?}").starts_with("kw_") {
                assert_ne!(describe(*r).0, "something else", "{r:?}");
            }
        }
    }

    #[test]
    fn group_phrases_from_the_vocabulary() {
        use Rule::*;
        let k = BlockKind::Module;
        assert_eq!(
            group_phrase(&[module_prop_one], k).as_deref(),
            Some("a module property (`credits`, `level`, `weeks`, `pass-mark`, `requires`, `outcomes`, `assessment`, a flag such as `dissertation`) or `}`")
        );
        assert_eq!(
            group_phrase(&[kw_kind, kw_weight, kw_covers], k).as_deref(),
            Some("an assessment property (`kind`, `weight`, `covers`, `competency`) or `}`")
        );
        assert_eq!(
            group_phrase(&[kw_core, kw_option, kw_stage], k).as_deref(),
            Some("a structure line (`core`, `option`, `stage`) or `}`")
        );
        assert_eq!(
            group_phrase(&[kw_core, kw_option], k).as_deref(),
            Some("`core`, `option` or `}`")
        );
        assert_eq!(
            group_phrase(&[kw_applies_to, kw_criterion], k).as_deref(),
            Some("a variance property (`applies-to`, `criterion`, `rationale`, `alternative`, `evidence`, `submitted`, `approved`) or `}`")
        );
        assert_eq!(
            group_phrase(&[kw_model, kw_partner_text], k).as_deref(),
            Some("a partner property (`model`, `link-tutor`, `programme-leader`, `operational-framework`) or `}`")
        );
        assert_eq!(
            group_phrase(&[kw_att_duration, kw_agreements], k).as_deref(),
            Some(
                "an attendance property (`first-contact`, `second-contact`, `interview`, `agreements-per-year`) or `}`"
            )
        );
        assert_eq!(
            group_phrase(&[kw_shared_with, kw_retention], k).as_deref(),
            Some("an engagement property (`shared-with`, `retention`) or `}`")
        );
    }

    #[test]
    fn distances() {
        assert_eq!(levenshtein("kitten", "sitting"), 3);
        assert_eq!(levenshtein("", "abc"), 3);
        assert_eq!(levenshtein("ünï", "uni"), 2);
    }
}
