//! `spec/invalid-value` (error): a value is out of range.
//!
//! Fires when a value is out of range: level outside 3..8, programme credits
//! 0, weight 0 (a module's `credits 0` is valid: a non-credit-bearing unit,
//! judged by the framework's rules), weight over 100%, an integer over 99999,
//! semester outside 1..3, `semesters N-M` with N > M, an unknown keyword
//! value (kind, mode, delivery, model, criterion), a duration in a unit the
//! property does not take.
//!
//! Reported while the model is built (`model::build`), at the value: a level
//! outside 3..8, programme credits or a weight of 0, a weight over 100%, an
//! integer over 99999, a semester outside 1..3, `semesters N-M` with N > M, an
//! unknown keyword value (`kind`, `mode`, `delivery`, `model`, `criterion`;
//! with a did-you-mean), a duration in a unit the property does not take, a
//! date that is not a calendar date. A module's `credits 0` is valid (a
//! non-credit-bearing unit): the framework's rules judge it. The validation
//! functions below hold each check, message and help; `model::build` calls
//! them on the values it reads.

use crate::diag::{Diagnostic, Severity, SourceId};
use crate::model::build::{list, MAX_INT};
use crate::rules::{RuleDoc, RuleScope};
use crate::span::{Spanned, Str};
use crate::syntax::ast::Date;
use crate::syntax::did_you_mean;

pub const RULE: RuleDoc = RuleDoc {
    id: "spec/invalid-value",
    severity: Severity::Error,
    scope: RuleScope::ModuleItself,
    source: include_str!("invalid_value.rs"),
    example_fail: include_str!("examples/invalid_value.fail.pspec"),
    example_pass: include_str!("examples/invalid_value.pass.pspec"),
};

/// A module's credits as `spec/invalid-value` accepts them: 0 to 99999
/// (`credits 0` is a non-credit-bearing unit). The framework's rules and
/// `spec/not-evaluated` hold back what this refuses.
pub(crate) fn valid_credits(c: Option<&crate::span::Spanned<u64>>) -> bool {
    c.is_some_and(|c| c.value <= crate::model::build::MAX_INT)
}

/// A module level as `spec/invalid-value` accepts it: 3 to 8.
pub(crate) fn valid_level(l: Option<&crate::span::Spanned<u64>>) -> bool {
    l.is_some_and(|l| (3..=8).contains(&l.value))
}

/// A number over [`MAX_INT`], the `what` of a property.
pub fn int(src: SourceId, what: &str, v: &Spanned<u64>) -> Option<Diagnostic> {
    (v.value > MAX_INT).then(|| {
        Diagnostic::error(
            RULE.id,
            src,
            v.span,
            format!("`{what}` is {}, over the largest allowed number", v.value),
        )
        .with_help(format!("numbers go up to {MAX_INT}"))
    })
}

/// A keyword value of `what` that is not one of `allowed`, with a
/// did-you-mean.
pub fn keyword(src: SourceId, what: &str, v: &Spanned<Str>, allowed: &[&str]) -> Option<Diagnostic> {
    if allowed.contains(&v.value.as_str()) {
        return None;
    }
    let mut help = format!("`{what}` is one of {}", list(allowed));
    if let Some(s) = did_you_mean(&v.value, allowed) {
        help = format!("did you mean `{s}`? {help}");
    }
    Some(Diagnostic::error(RULE.id, src, v.span, format!("`{}` is not a known `{what}`", v.value)).with_help(help))
}

/// A module level outside 3 to 8.
pub fn level(src: SourceId, l: &Spanned<u64>) -> Option<Diagnostic> {
    (!valid_level(Some(l))).then(|| {
        Diagnostic::error(
            RULE.id,
            src,
            l.span,
            format!("level `{}` is not between 3 and 8", l.value),
        )
        .with_help("levels of the framework for higher education qualifications run from 3 to 8")
    })
}

/// A pass mark over 100.
pub fn pass_mark(src: SourceId, pm: &Spanned<u64>) -> Option<Diagnostic> {
    (pm.value > 100).then(|| {
        Diagnostic::error(RULE.id, src, pm.span, format!("pass mark {} is over 100", pm.value))
            .with_help("a pass mark is a mark out of 100")
    })
}

/// `weeks 0`.
pub fn weeks(src: SourceId, w: &Spanned<u64>) -> Option<Diagnostic> {
    (w.value == 0).then(|| {
        Diagnostic::error(RULE.id, src, w.span, "`weeks` is 0").with_help("a module is taught for at least one week")
    })
}

/// The weight of assessment `code`: 0% or over 100%.
pub fn weight(src: SourceId, code: &str, w: &Spanned<u64>) -> Option<Diagnostic> {
    if w.value == 0 {
        Some(
            Diagnostic::error(RULE.id, src, w.span, format!("assessment `{code}` has weight 0%"))
                .with_help("remove the assessment or give it a share of the module mark"),
        )
    } else if w.value > 100 {
        Some(
            Diagnostic::error(
                RULE.id,
                src,
                w.span,
                format!("assessment `{code}` has weight {}%, over 100%", w.value),
            )
            .with_help("weights are shares of the module mark and sum to 100%"),
        )
    } else {
        None
    }
}

/// An exit award of 0 credits.
pub fn exit_award_credits(src: SourceId, award: &str, credits: &Spanned<u64>) -> Option<Diagnostic> {
    (credits.value == 0).then(|| {
        Diagnostic::error(
            RULE.id,
            src,
            credits.span,
            format!("exit award `{award}` has 0 credits"),
        )
        .with_help("write the credits the exit award needs, e.g. `exit-award PGCert 60`")
    })
}

/// A programme of 0 credits, or over [`MAX_INT`].
pub fn programme_credits(src: SourceId, programme: &str, c: &Spanned<u64>) -> Option<Diagnostic> {
    if c.value == 0 {
        Some(
            Diagnostic::error(RULE.id, src, c.span, format!("programme `{programme}` has 0 credits"))
                .with_help("write the programme's total credits, e.g. `credits 180`"),
        )
    } else {
        int(src, "credits", c)
    }
}

/// A date that is not a calendar date.
pub fn calendar_date(src: SourceId, d: &Spanned<Date>) -> Option<Diagnostic> {
    let Date { year, month, day } = d.value;
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => 0,
    };
    (day == 0 || day > days).then(|| {
        Diagnostic::error(RULE.id, src, d.span, format!("`{}` is not a calendar date", d.value))
            .with_help("dates are ISO dates: `YYYY-MM-DD`")
    })
}

/// A duration of `what` in `unit` (written at `span`), which is not one of
/// `allowed` (named like `week(s)`); `known` says whether it is a unit of
/// time at all.
pub fn duration_unit(src: SourceId, what: &str, unit: &Spanned<Str>, known: bool, allowed: &[&str]) -> Diagnostic {
    let msg = if known {
        format!("`{what}` does not take `{}`", unit.value)
    } else {
        format!("`{}` is not a unit of time", unit.value)
    };
    Diagnostic::error(RULE.id, src, unit.span, msg)
        .with_help(format!("`{what}` is written in {}", allowed.join(" or ")))
}

/// An option (titled `title`) that chooses 0 credits.
pub fn choose(src: SourceId, title: &str, choose: &Spanned<u64>) -> Option<Diagnostic> {
    (choose.value == 0).then(|| {
        Diagnostic::error(RULE.id, src, choose.span, format!("option `{title}` chooses 0 credits"))
            .with_help("an option chooses at least 1 credit; list optional modules as an option with a positive total")
    })
}

/// A study year of 0 or over 10.
pub fn study_year(src: SourceId, y: &Spanned<u64>) -> Option<Diagnostic> {
    (y.value == 0 || y.value > 10).then(|| {
        Diagnostic::error(RULE.id, src, y.span, format!("study year {} is out of range", y.value))
            .with_help("study years count from 1")
    })
}

/// A semester other than 1, 2 or 3.
pub fn semester(src: SourceId, v: &Spanned<u64>) -> Option<Diagnostic> {
    (!(1..=3).contains(&v.value)).then(|| {
        Diagnostic::error(RULE.id, src, v.span, format!("semester `{}` is not 1, 2 or 3", v.value))
            .with_help("semesters are 1, 2 and 3 (summer)")
    })
}

/// `semesters a-b` with a after b.
pub fn semesters_backwards(src: SourceId, a: &Spanned<u64>, b: &Spanned<u64>) -> Option<Diagnostic> {
    (a.value > b.value).then(|| {
        Diagnostic::error(
            RULE.id,
            src,
            a.span.cover(b.span),
            format!("`semesters {}-{}` runs backwards", a.value, b.value),
        )
        .with_help(format!("write `semesters {}-{}`", b.value, a.value))
    })
}
