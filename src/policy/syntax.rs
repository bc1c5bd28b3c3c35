//! `.policy` text -> [`Pack`] syntax tree. Parsing never fails: every
//! top-level item (a line starting, at column 0, with `framework`, `extend`,
//! `source`, `include`, `criterion-rule`, `award`, `const` or `rule`) is
//! parsed on its own, so a broken rule is reported and the next one is still
//! read.

use pest::error::{ErrorVariant, InputLocation};
use pest::iterators::Pair;
use pest::Parser as _;
use rayon::prelude::*;

use crate::model::Unit;
use crate::span::{Span, Spanned};
use crate::syntax::ast::Date;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/policy.pest"]
pub struct PolicyParser;

pub type Sp<T> = Spanned<T>;

#[derive(Debug, Clone, Default)]
pub struct Pack {
    pub items: Vec<Item>,
    pub errors: Vec<ParseError>,
}

#[derive(Debug, Clone)]
pub struct ParseError {
    pub span: Span,
    pub message: String,
    pub help: Option<String>,
}

#[derive(Debug, Clone)]
pub enum Item {
    Framework { id: Sp<String>, title: Option<Sp<String>> },
    Extend(Sp<String>),
    Source(Sp<String>),
    Include(Vec<Sp<String>>),
    CriterionRule(Sp<String>),
    Award(AwardAst),
    Const { name: Sp<String>, expr: Expr },
    Rule(RuleAst),
}

#[derive(Debug, Clone)]
pub struct AwardAst {
    pub span: Span,
    pub code: Sp<String>,
    pub title: Option<Sp<String>>,
    pub family: Option<Sp<String>>,
    /// Allowed credits: single values and inclusive ranges.
    pub credits: Vec<(i64, i64)>,
    /// `level 7` (all credits at level 7) or `level 8 = 360`.
    pub levels: Vec<(i64, Option<i64>)>,
    pub exits: Vec<Sp<String>>,
    /// `rpl CERTIFICATED EXPERIENTIAL`.
    pub rpl: Option<(i64, i64)>,
}

#[derive(Debug, Clone)]
pub struct RuleAst {
    pub span: Span,
    pub id: Sp<String>,
    pub props: Vec<RuleProp>,
}

#[derive(Debug, Clone)]
pub enum RuleProp {
    Clause {
        clause: Sp<String>,
        text: Option<Sp<String>>,
    },
    Severity {
        level: Sp<String>,
        when: Option<Expr>,
    },
    Admits(Vec<Sp<String>>, Span),
    For(Vec<(Sp<String>, Expr)>),
    Let(Sp<String>, Expr),
    When(Expr),
    Require(Expr),
    At(Expr),
    Message(Sp<String>),
    Label(Sp<String>),
    Help(Sp<String>),
    Summary(Sp<String>),
    Example {
        fail: bool,
        text: Sp<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    NotIn,
    Add,
    Sub,
    Mul,
    Div,
    Rem,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AggKind {
    Sum,
    Count,
    Min,
    Max,
    /// `first(x in C where F)`: the first element that passes, or `none`.
    First,
    /// `codes(x in C where F)`: the codes of the elements that pass, each
    /// in backticks, joined with commas and `and` (`none` when empty).
    Codes,
}

#[derive(Debug, Clone)]
pub struct Expr {
    pub span: Span,
    pub kind: ExprKind,
}

#[derive(Debug, Clone)]
pub enum ExprKind {
    Int(i64),
    Str(String),
    Bool(bool),
    Date(Date),
    Dur(i64, Unit),
    List(Vec<(Expr, Option<Expr>)>),
    Name(String),
    Field(Box<Expr>, Sp<String>),
    Call(Sp<String>, Vec<Expr>),
    Not(Box<Expr>),
    Neg(Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    If(Box<Expr>, Box<Expr>, Box<Expr>),
    Quant {
        all: bool,
        var: Sp<String>,
        coll: Box<Expr>,
        filter: Option<Box<Expr>>,
        body: Box<Expr>,
    },
    Agg {
        kind: AggKind,
        var: Sp<String>,
        coll: Box<Expr>,
        filter: Option<Box<Expr>>,
        body: Option<Box<Expr>>,
    },
    /// A node that did not parse (already reported).
    Error,
}

const ITEM_KEYWORDS: &[&str] = &[
    "framework",
    "extend",
    "source",
    "include",
    "criterion-rule",
    "award",
    "const",
    "rule",
];

/// Parses a whole `.policy` file.
/// Deepest bracket nesting and number of prefix keywords a parsed text may
/// have: the parser is recursive, so bounding them bounds its stack.
pub const MAX_NESTING: usize = 64;
pub const MAX_PREFIX_WORDS: usize = 1000;
/// Deepest expression tree (operators, fields, prefixes and brackets, each
/// counted as a level): long chains like `a + a + ...` are bounded too.
pub const MAX_EXPR_DEPTH: usize = 1500;

/// Where a text nests too deeply to parse safely (outside strings and
/// comments), as an error.
fn too_deep(text: &str, base: usize) -> Option<ParseError> {
    let b = text.as_bytes();
    let (mut i, mut depth, mut words) = (0usize, 0usize, 0usize);
    while i < b.len() {
        match b[i] {
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'"' => {
                let triple = b[i..].starts_with(b"\"\"\"");
                i += if triple { 3 } else { 1 };
                while i < b.len() {
                    if triple && b[i..].starts_with(b"\"\"\"") {
                        i += 3;
                        break;
                    }
                    if !triple && b[i] == b'\\' {
                        i += 2;
                        continue;
                    }
                    if !triple && (b[i] == b'"' || b[i] == b'\n') {
                        i += 1;
                        break;
                    }
                    i += 1;
                }
                continue;
            }
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            b'-' => words += 1,
            c if c.is_ascii_alphabetic() && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_')) => {
                let w = &b[i..];
                if [&b"not"[..], b"if", b"all", b"any"].iter().any(|k| {
                    w.starts_with(k)
                        && w.get(k.len())
                            .is_none_or(|c| !(c.is_ascii_alphanumeric() || *c == b'_'))
                }) {
                    words += 1;
                }
            }
            _ => {}
        }
        if depth > MAX_NESTING || words > MAX_PREFIX_WORDS {
            return Some(ParseError {
                span: Span::new(base + i, base + i + 1),
                message: "this text nests too deeply to check".into(),
                help: Some(format!(
                    "brackets nest at most {MAX_NESTING} deep; split the expression with `let`"
                )),
            });
        }
        i += 1;
    }
    None
}

pub fn parse_pack(text: &str) -> Pack {
    let mut pack = Pack::default();
    let starts = item_starts(text);
    if let Some(&first) = starts.first() {
        stray(text, 0, first, &mut pack.errors);
    } else {
        stray(text, 0, text.len(), &mut pack.errors);
    }
    // The items are independent: parsed in parallel (the embedded packs are
    // compiled on every check; the largest has some 70 items), merged
    // in order.
    let parsed: Vec<(Option<Item>, Vec<ParseError>)> = starts
        .par_iter()
        .enumerate()
        .map(|(i, &s)| {
            let e = starts.get(i + 1).copied().unwrap_or(text.len());
            parse_item(text, s, e)
        })
        .collect();
    for (item, errors) in parsed {
        pack.items.extend(item);
        pack.errors.extend(errors);
    }
    pack
}

/// One item of a pack, `text[s..e]`, with its errors (and any stray text
/// after it).
fn parse_item(text: &str, s: usize, e: usize) -> (Option<Item>, Vec<ParseError>) {
    let chunk = &text[s..e];
    if let Some(err) = too_deep(chunk, s) {
        return (None, vec![err]);
    }
    match PolicyParser::parse(Rule::item, chunk) {
        Ok(mut pairs) => {
            let mut b = Builder::new(s);
            let mut item = None;
            if let Some(p) = pairs.next() {
                let end = s + p.as_span().end();
                item = b.item(p);
                stray(text, end, e, &mut b.errors);
            }
            (item, b.errors)
        }
        Err(err) => (None, vec![pest_error(err, s, chunk)]),
    }
}

/// Parses the body of a programme rule (`rule ID { ... }` inside a `.pspec`);
/// `base` is the body's offset in its file.
pub fn parse_rule_body(id: Sp<String>, body: &str, base: usize, span: Span) -> (Option<RuleAst>, Vec<ParseError>) {
    if let Some(err) = too_deep(body, base) {
        return (None, vec![err]);
    }
    match PolicyParser::parse(Rule::rule_body, body) {
        Ok(pairs) => {
            let mut b = Builder::new(base);
            let props = pairs
                .filter(|p| p.as_rule() != Rule::EOI)
                .filter_map(|p| b.rule_prop(p))
                .collect();
            (Some(RuleAst { span, id, props }), b.errors)
        }
        Err(err) => (None, vec![pest_error(err, base, body)]),
    }
}

/// Parses one expression (message interpolations); `base` is its offset.
pub fn parse_expr(text: &str, base: usize) -> Result<Expr, ParseError> {
    if let Some(err) = too_deep(text, base) {
        return Err(err);
    }
    match PolicyParser::parse(Rule::expr_only, text) {
        Ok(mut pairs) => {
            let mut b = Builder::new(base);
            match pairs.next() {
                Some(p) => {
                    let e = b.expr(p);
                    match b.errors.into_iter().next() {
                        Some(err) => Err(err),
                        None => Ok(e),
                    }
                }
                None => Err(ParseError {
                    span: Span::new(base, base + text.len()),
                    message: "expected an expression".into(),
                    help: None,
                }),
            }
        }
        Err(err) => Err(pest_error(err, base, text)),
    }
}

/// Offsets of lines that start (at column 0) with an item keyword, outside
/// strings and text blocks.
fn item_starts(text: &str) -> Vec<usize> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut line_start = true;
    while i < b.len() {
        if line_start
            && ITEM_KEYWORDS.iter().any(|k| {
                b[i..].starts_with(k.as_bytes())
                    && b.get(i + k.len())
                        .is_none_or(|c| !(c.is_ascii_alphanumeric() || *c == b'_' || *c == b'-'))
            })
        {
            out.push(i);
        }
        line_start = false;
        match b[i] {
            b'\n' => {
                line_start = true;
                i += 1;
            }
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'"' if b[i..].starts_with(b"\"\"\"") => {
                i += 3;
                while i < b.len() && !b[i..].starts_with(b"\"\"\"") {
                    i += 1;
                }
                i = (i + 3).min(b.len());
            }
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' && b[i] != b'\n' {
                    if b[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                i = (i + 1).min(b.len());
            }
            _ => i += 1,
        }
    }
    out
}

/// Reports non-blank, non-comment text in `text[from..to]`.
fn stray(text: &str, from: usize, to: usize, errors: &mut Vec<ParseError>) {
    let Some(part) = text.get(from..to) else {
        return;
    };
    let mut off = 0;
    for line in part.split_inclusive('\n') {
        let t = line.trim_start();
        let lead = line.len() - t.len();
        let t = t.trim_end();
        if !t.is_empty() && !t.starts_with('#') && !t.starts_with('\u{FEFF}') {
            let s = from + off + lead;
            errors.push(ParseError {
                span: Span::new(s, s + t.len()),
                message: "unexpected text outside an item".into(),
                help: Some(
                    "items start at the beginning of a line with `framework`, `include`, `award`, `const` or `rule`"
                        .into(),
                ),
            });
            return;
        }
        off += line.len();
    }
}

fn describe(rule: Rule) -> &'static str {
    match rule {
        Rule::expr
        | Rule::or_expr
        | Rule::and_expr
        | Rule::not_expr
        | Rule::cmp_expr
        | Rule::add_expr
        | Rule::mul_expr
        | Rule::unary
        | Rule::postfix => "an expression",
        Rule::ident => "a name",
        Rule::name | Rule::names => "a name",
        Rule::rule_id => "a rule id",
        Rule::int | Rule::credit_spec => "a number",
        Rule::string | Rule::text_block | Rule::str_inner => "a string",
        Rule::cmp_op => "a comparison",
        Rule::and_op | Rule::or_op => "`and` or `or`",
        Rule::add_op | Rule::mul_op => "an operator",
        Rule::r_clause
        | Rule::r_severity
        | Rule::r_admits
        | Rule::r_for
        | Rule::r_let
        | Rule::r_when
        | Rule::r_require
        | Rule::r_at
        | Rule::r_message
        | Rule::r_label
        | Rule::r_help
        | Rule::r_summary
        | Rule::r_example => "a rule property",
        Rule::a_family | Rule::a_credits | Rule::a_level | Rule::a_exits | Rule::a_rpl => "an award property",
        Rule::unit => "a unit",
        Rule::example_kind => "`fail` or `pass`",
        Rule::EOI => "the end of the text",
        _ => "",
    }
}

fn pest_error(err: pest::error::Error<Rule>, base: usize, text: &str) -> ParseError {
    let pos = match err.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    let mut expected: Vec<&str> = match &err.variant {
        ErrorVariant::ParsingError { positives, .. } => positives
            .iter()
            .map(|r| describe(*r))
            .filter(|d| !d.is_empty())
            .collect(),
        ErrorVariant::CustomError { .. } => Vec::new(),
    };
    expected.sort_unstable();
    expected.dedup();
    let found: String = text
        .get(pos..)
        .unwrap_or("")
        .chars()
        .take_while(|c| !c.is_whitespace())
        .take(20)
        .collect();
    let end = pos + found.len().max(if pos < text.len() { 1 } else { 0 });
    let end = crate::span::clamp_to_char(text, end);
    let message = match (expected.is_empty(), found.is_empty()) {
        (true, true) => "unexpected end of text".to_string(),
        (true, false) => format!("unexpected `{found}`"),
        (false, true) => format!("expected {}, found the end of the item", expected.join(" or ")),
        (false, false) => format!("expected {}, found `{found}`", expected.join(" or ")),
    };
    ParseError {
        span: Span::new(base + pos, base + end.max(pos)),
        message,
        help: Some("see docs/policies.md for the syntax of policy files".into()),
    }
}

/// The children of a pair, keywords (`k_*` rules) left out.
fn inner(p: Pair<Rule>) -> impl Iterator<Item = Pair<Rule>> {
    p.into_inner()
        .filter(|q| !format!("{:?}", q.as_rule()).starts_with("k_"))
}

struct Builder {
    base: usize,
    errors: Vec<ParseError>,
    /// Depth of the expression built last, and the deepest sub-expression
    /// of the one being built (see [`Builder::expr`]).
    last_depth: usize,
    max_child: usize,
    reported_depth: bool,
}

fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some(o) => out.push(o),
            None => {}
        }
    }
    out
}

impl Builder {
    fn new(base: usize) -> Builder {
        Builder {
            base,
            errors: Vec::new(),
            last_depth: 0,
            max_child: 0,
            reported_depth: false,
        }
    }

    /// The pair's span, trailing blanks and comments left out.
    fn span(&self, p: &Pair<Rule>) -> Span {
        let s = p.as_span();
        let text = p.as_str();
        let mut t = text.trim_end();
        // a trailing comment line inside the span
        while let Some(i) = t.rfind('\n') {
            let last = t[i + 1..].trim_start();
            if last.starts_with('#') {
                t = t[..i].trim_end();
            } else {
                break;
            }
        }
        Span::new(self.base + s.start(), self.base + s.start() + t.len())
    }
    fn sp(&self, p: &Pair<Rule>) -> Sp<String> {
        Spanned::new(p.as_str().to_string(), self.span(p))
    }
    fn text(&self, p: &Pair<Rule>) -> Sp<String> {
        let span = self.span(p);
        let inner = inner(p.clone()).next().map(|i| i.as_str()).unwrap_or("");
        let v = match p.as_rule() {
            Rule::text_block => crate::syntax::parser::dedent(inner),
            _ => unescape(inner),
        };
        Spanned::new(v, span)
    }
    fn int(&mut self, p: &Pair<Rule>) -> i64 {
        match p.as_str().parse::<i64>() {
            Ok(v) if v <= 1_000_000_000 => v,
            _ => {
                self.errors.push(ParseError {
                    span: self.span(p),
                    message: format!("number `{}` is too large", p.as_str()),
                    help: Some("numbers go up to 1000000000".into()),
                });
                0
            }
        }
    }
    fn names(&self, p: Pair<Rule>) -> Vec<Sp<String>> {
        inner(p).map(|n| self.sp(&n)).collect()
    }

    fn item(&mut self, p: Pair<Rule>) -> Option<Item> {
        let span = self.span(&p);
        let rule = p.as_rule();
        let mut it = inner(p);
        Some(match rule {
            Rule::framework => {
                let _kw = it.next();
                let id = self.sp(&it.next()?);
                let title = it.next().map(|t| self.text(&t));
                Item::Framework { id, title }
            }
            Rule::extend => Item::Extend(self.sp(&it.next()?)),
            Rule::source => Item::Source(self.text(&it.next()?)),
            Rule::include => Item::Include(self.names(it.next()?)),
            Rule::criterion_rule => Item::CriterionRule(self.sp(&it.next()?)),
            Rule::constant => {
                let name = self.sp(&it.next()?);
                let expr = self.expr(it.next()?);
                Item::Const { name, expr }
            }
            Rule::award => {
                let code = self.sp(&it.next()?);
                let mut a = AwardAst {
                    span,
                    code,
                    title: None,
                    family: None,
                    credits: Vec::new(),
                    levels: Vec::new(),
                    exits: Vec::new(),
                    rpl: None,
                };
                for q in it {
                    match q.as_rule() {
                        Rule::string | Rule::text_block => a.title = Some(self.text(&q)),
                        Rule::a_family => a.family = inner(q).next().map(|n| self.sp(&n)),
                        Rule::a_credits => {
                            for c in inner(q) {
                                let v: Vec<i64> = inner(c).map(|i| self.int(&i)).collect();
                                let lo = v.first().copied().unwrap_or(0);
                                a.credits.push((lo, v.get(1).copied().unwrap_or(lo)));
                            }
                        }
                        Rule::a_level => {
                            let v: Vec<i64> = inner(q).map(|i| self.int(&i)).collect();
                            a.levels.push((v.first().copied().unwrap_or(0), v.get(1).copied()));
                        }
                        Rule::a_exits => {
                            if let Some(n) = inner(q).next() {
                                a.exits = self.names(n);
                            }
                        }
                        Rule::a_rpl => {
                            let v: Vec<i64> = inner(q).map(|i| self.int(&i)).collect();
                            a.rpl = Some((v.first().copied().unwrap_or(0), v.get(1).copied().unwrap_or(0)));
                        }
                        _ => {}
                    }
                }
                Item::Award(a)
            }
            Rule::policy_rule => {
                let id = self.sp(&it.next()?);
                let props = it.filter_map(|q| self.rule_prop(q)).collect();
                Item::Rule(RuleAst { span, id, props })
            }
            _ => return None,
        })
    }

    fn rule_prop(&mut self, p: Pair<Rule>) -> Option<RuleProp> {
        let span = self.span(&p);
        let rule = p.as_rule();
        let mut it = inner(p);
        Some(match rule {
            Rule::r_clause => {
                let clause = self.sp(&it.next()?);
                let text = it.next().map(|t| self.text(&t));
                RuleProp::Clause { clause, text }
            }
            Rule::r_severity => {
                let level = self.sp(&it.next()?);
                let when = it.next().map(|e| self.expr(e));
                RuleProp::Severity { level, when }
            }
            Rule::r_admits => {
                let n = it.next()?;
                match n.as_rule() {
                    Rule::names => RuleProp::Admits(self.names(n), span),
                    _ => RuleProp::Admits(Vec::new(), span),
                }
            }
            Rule::r_for => RuleProp::For(
                it.filter_map(|b| {
                    let mut bi = inner(b);
                    let v = self.sp(&bi.next()?);
                    let e = self.expr(bi.next()?);
                    Some((v, e))
                })
                .collect(),
            ),
            Rule::r_let => {
                let v = self.sp(&it.next()?);
                RuleProp::Let(v, self.expr(it.next()?))
            }
            Rule::r_when => RuleProp::When(self.expr(it.next()?)),
            Rule::r_require => RuleProp::Require(self.expr(it.next()?)),
            Rule::r_at => RuleProp::At(self.expr(it.next()?)),
            Rule::r_message => RuleProp::Message(self.text(&it.next()?)),
            Rule::r_label => RuleProp::Label(self.text(&it.next()?)),
            Rule::r_help => RuleProp::Help(self.text(&it.next()?)),
            Rule::r_summary => RuleProp::Summary(self.text(&it.next()?)),
            Rule::r_example => {
                let k = it.next()?;
                let fail = k.as_str().starts_with("fail");
                RuleProp::Example {
                    fail,
                    text: self.text(&it.next()?),
                }
            }
            _ => return None,
        })
    }

    fn mk(&self, span: Span, kind: ExprKind) -> Expr {
        Expr { span, kind }
    }

    fn expr_node(&mut self, p: Pair<Rule>) -> Expr {
        let span = self.span(&p);
        match p.as_rule() {
            Rule::expr | Rule::paren => match inner(p).next() {
                Some(i) => self.sub(i),
                None => self.mk(span, ExprKind::Error),
            },
            Rule::if_expr => {
                let mut v: Vec<Expr> = inner(p).map(|q| self.sub(q)).collect();
                if v.len() != 3 {
                    return self.mk(span, ExprKind::Error);
                }
                let e = v.pop().map(Box::new);
                let t = v.pop().map(Box::new);
                let c = v.pop().map(Box::new);
                match (c, t, e) {
                    (Some(c), Some(t), Some(e)) => self.mk(span, ExprKind::If(c, t, e)),
                    _ => self.mk(span, ExprKind::Error),
                }
            }
            Rule::quant | Rule::aggregate => {
                let is_quant = p.as_rule() == Rule::quant;
                let mut it = inner(p);
                let kw = it.next().map(|k| k.as_str().to_string()).unwrap_or_default();
                let Some(var) = it.next().map(|v| self.sp(&v)) else {
                    return self.mk(span, ExprKind::Error);
                };
                let Some(coll) = it.next().map(|c| Box::new(self.sub(c))) else {
                    return self.mk(span, ExprKind::Error);
                };
                let mut filter = None;
                let mut body = None;
                for q in it {
                    let r = q.as_rule();
                    let e = inner(q).next().map(|x| Box::new(self.sub(x)));
                    if r == Rule::filter {
                        filter = e;
                    } else {
                        body = e;
                    }
                }
                if is_quant {
                    match body {
                        Some(body) => self.mk(
                            span,
                            ExprKind::Quant {
                                all: kw.starts_with("all"),
                                var,
                                coll,
                                filter,
                                body,
                            },
                        ),
                        None => self.mk(span, ExprKind::Error),
                    }
                } else {
                    let kind = match kw.as_str() {
                        "sum" => AggKind::Sum,
                        "count" => AggKind::Count,
                        "min" => AggKind::Min,
                        "first" => AggKind::First,
                        "codes" => AggKind::Codes,
                        _ => AggKind::Max,
                    };
                    self.mk(
                        span,
                        ExprKind::Agg {
                            kind,
                            var,
                            coll,
                            filter,
                            body,
                        },
                    )
                }
            }
            Rule::or_expr | Rule::and_expr | Rule::add_expr | Rule::mul_expr => {
                let mut it = inner(p);
                let Some(first) = it.next() else {
                    return self.mk(span, ExprKind::Error);
                };
                let mut acc = self.sub(first);
                let mut depth = self.last_depth;
                while let (Some(op), Some(rhs)) = (it.next(), it.next()) {
                    let at = self.span(&op);
                    let op = match op.as_str() {
                        "or" => BinOp::Or,
                        "and" => BinOp::And,
                        "+" => BinOp::Add,
                        "-" => BinOp::Sub,
                        "*" => BinOp::Mul,
                        "/" => BinOp::Div,
                        _ => BinOp::Rem,
                    };
                    let rhs = self.sub(rhs);
                    depth = depth.max(self.last_depth) + 1;
                    if let Some(e) = self.too_deep(at, depth) {
                        return e;
                    }
                    let s = acc.span.cover(rhs.span);
                    acc = self.mk(s, ExprKind::Binary(op, Box::new(acc), Box::new(rhs)));
                }
                self.max_child = self.max_child.max(depth);
                acc
            }
            Rule::cmp_expr => {
                let mut it = inner(p);
                let Some(first) = it.next() else {
                    return self.mk(span, ExprKind::Error);
                };
                let lhs = self.sub(first);
                match (it.next(), it.next()) {
                    (Some(op), Some(rhs)) => {
                        let o = op.as_str();
                        let op = match o {
                            "==" => BinOp::Eq,
                            "!=" => BinOp::Ne,
                            "<=" => BinOp::Le,
                            ">=" => BinOp::Ge,
                            "<" => BinOp::Lt,
                            ">" => BinOp::Gt,
                            "in" => BinOp::In,
                            _ => BinOp::NotIn,
                        };
                        let rhs = self.sub(rhs);
                        self.mk(span, ExprKind::Binary(op, Box::new(lhs), Box::new(rhs)))
                    }
                    _ => lhs,
                }
            }
            Rule::not_expr | Rule::unary => {
                let mut it = inner(p);
                let Some(first) = it.next() else {
                    return self.mk(span, ExprKind::Error);
                };
                match first.as_rule() {
                    Rule::not_op => match it.next() {
                        Some(x) => {
                            let e = self.sub(x);
                            self.mk(span, ExprKind::Not(Box::new(e)))
                        }
                        None => self.mk(span, ExprKind::Error),
                    },
                    Rule::neg_op => match it.next() {
                        Some(x) => {
                            let e = self.sub(x);
                            self.mk(span, ExprKind::Neg(Box::new(e)))
                        }
                        None => self.mk(span, ExprKind::Error),
                    },
                    _ => self.sub(first),
                }
            }
            Rule::postfix => {
                let mut it = inner(p);
                let Some(first) = it.next() else {
                    return self.mk(span, ExprKind::Error);
                };
                let mut acc = self.sub(first);
                let mut depth = self.last_depth;
                for f in it {
                    let name = self.sp(&f);
                    depth += 1;
                    if let Some(e) = self.too_deep(name.span, depth) {
                        return e;
                    }
                    let s = acc.span.cover(name.span);
                    acc = self.mk(s, ExprKind::Field(Box::new(acc), name));
                }
                self.max_child = self.max_child.max(depth);
                acc
            }
            Rule::call => {
                let mut it = inner(p);
                let Some(name) = it.next().map(|n| self.sp(&n)) else {
                    return self.mk(span, ExprKind::Error);
                };
                let args = it.map(|a| self.sub(a)).collect();
                self.mk(span, ExprKind::Call(name, args))
            }
            Rule::list => {
                let mut elems = Vec::new();
                for e in inner(p) {
                    let mut ei = inner(e);
                    if let Some(a) = ei.next() {
                        let a = self.sub(a);
                        let b = ei.next().map(|b| self.sub(b));
                        elems.push((a, b));
                    }
                }
                self.mk(span, ExprKind::List(elems))
            }
            Rule::date => {
                let s = p.as_str();
                let y = s.get(0..4).and_then(|x| x.parse::<u16>().ok());
                let m = s.get(5..7).and_then(|x| x.parse::<u8>().ok());
                let d = s.get(8..10).and_then(|x| x.parse::<u8>().ok());
                match (y, m, d) {
                    (Some(year), Some(month), Some(day)) if (1..=12).contains(&month) && (1..=31).contains(&day) => {
                        self.mk(span, ExprKind::Date(Date { year, month, day }))
                    }
                    _ => {
                        self.errors.push(ParseError {
                            span,
                            message: format!("`{s}` is not a valid date"),
                            help: Some("dates are written YYYY-MM-DD".into()),
                        });
                        self.mk(span, ExprKind::Error)
                    }
                }
            }
            Rule::duration => {
                let mut it = inner(p);
                let n = it.next().map(|n| self.int(&n)).unwrap_or(0);
                let unit = it.next().and_then(|u| Unit::parse(u.as_str())).unwrap_or(Unit::Day);
                self.mk(span, ExprKind::Dur(n, unit))
            }
            Rule::int => {
                let v = self.int(&p);
                self.mk(span, ExprKind::Int(v))
            }
            Rule::string | Rule::text_block => {
                let t = self.text(&p);
                self.mk(span, ExprKind::Str(t.value))
            }
            Rule::boolean => self.mk(span, ExprKind::Bool(p.as_str() == "true")),
            Rule::ident => self.mk(span, ExprKind::Name(p.as_str().to_string())),
            _ => self.mk(span, ExprKind::Error),
        }
    }

    /// Builds one expression and records its depth (in [`Self::last_depth`];
    /// a nested pair counts one level even when it adds no node, so the
    /// count is an upper bound of the tree's depth).
    fn expr(&mut self, p: Pair<Rule>) -> Expr {
        let outer = std::mem::take(&mut self.max_child);
        let at = self.span(&p);
        let e = self.expr_node(p);
        let depth = self.max_child + 1;
        self.max_child = outer;
        self.last_depth = depth;
        if let Some(err) = self.too_deep(at, depth) {
            return err;
        }
        e
    }

    /// A sub-expression: its depth counts towards the enclosing one.
    fn sub(&mut self, p: Pair<Rule>) -> Expr {
        let e = self.expr(p);
        self.max_child = self.max_child.max(self.last_depth);
        e
    }

    /// An expression deeper than [`MAX_EXPR_DEPTH`] (a long chain of
    /// operators or fields) is reported once, at its first operator too deep,
    /// and replaced by an error node: the tree every later stage walks
    /// recursively stays bounded (D56).
    fn too_deep(&mut self, at: Span, depth: usize) -> Option<Expr> {
        if depth <= MAX_EXPR_DEPTH {
            return None;
        }
        if !self.reported_depth {
            self.reported_depth = true;
            self.errors.push(ParseError {
                span: at,
                message: "this expression nests too deeply to check".into(),
                help: Some(format!(
                    "an expression is at most {MAX_EXPR_DEPTH} operators and fields deep; split it with `let`"
                )),
            });
        }
        self.last_depth = 1;
        Some(self.mk(at, ExprKind::Error))
    }
}
