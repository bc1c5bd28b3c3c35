//! The hand-written fast path of the `.pspec` parser.
//!
//! Reads one well-formed item by recursive descent, mirroring the grammar in
//! `grammar/pspec.pest` token for token, and builds exactly the tree that the
//! pest path and its lowering build. It answers `None` at the first thing it
//! does not expect (a syntax error, an escape that does not unescape, a
//! construct it does not know): the caller then parses the item with pest,
//! whose error recovery and messages stay the only ones. So this file never
//! reports an error and never has to agree with pest on one; it only has to
//! agree on the trees of the items it accepts, which `tests/parse_fast.rs`
//! checks on every example, conformance case and fixture, on the reference
//! catalogue and on random edits of them (D142).
//!
//! Conventions, as in pest: a token function reads one token at `pos` and
//! does not skip trivia before or after it; a span ends at its last token, so
//! trivia is skipped only before reading the next one, and optional parts
//! look ahead without moving.

use super::ast::*;
use super::parser::{dedent, is_idc, skip_trivia, unescape};
use crate::span::{Span, Spanned, Str};

/// The item (`module` or `programme`) at `start` of `text`, read no further
/// than `end`, or `None` when the pest path must read it.
pub(super) fn item(text: &str, start: usize, end: usize, is_module: bool) -> Option<Item> {
    let mut p = P {
        t: text,
        b: text.as_bytes(),
        pos: start,
        end: end.min(text.len()),
        depth: 0,
    };
    if is_module {
        p.module_item().map(Item::Module)
    } else {
        p.programme_item().map(Item::Programme)
    }
}

struct P<'t> {
    t: &'t str,
    b: &'t [u8],
    pos: usize,
    end: usize,
    /// Braces open in a programme rule body (bounded, see `raw_inner`).
    depth: usize,
}

impl<'t> P<'t> {
    fn peek(&self) -> Option<u8> {
        if self.pos < self.end {
            self.b.get(self.pos).copied()
        } else {
            None
        }
    }

    fn at(&self, i: usize) -> Option<u8> {
        if i < self.end {
            self.b.get(i).copied()
        } else {
            None
        }
    }

    fn slice(&self, a: usize, e: usize) -> Option<&'t str> {
        self.t.get(a..e)
    }

    /// The offset after the trivia at `i` (the parser's `skip_trivia`).
    fn trivia_end(&self, i: usize) -> usize {
        skip_trivia(self.t, i, self.end)
    }

    fn skip(&mut self) {
        self.pos = self.trivia_end(self.pos);
    }

    /// The end of the run of `-`, `_` and ASCII letters and digits at `i`.
    fn idc_end(&self, mut i: usize) -> usize {
        while self.at(i).is_some_and(is_idc) {
            i += 1;
        }
        i
    }

    /// The keyword-shaped word at `i` (a letter, then `idc`), without moving.
    /// A pest keyword rule `"w" ~ !idc` matches exactly where this word is `w`.
    fn word_at(&self, i: usize) -> Option<(&'t str, usize)> {
        if !self.at(i)?.is_ascii_alphabetic() {
            return None;
        }
        let e = self.idc_end(i);
        Some((self.slice(i, e)?, e))
    }

    /// The keyword at `pos`, consumed, as `Spanned<Str>`.
    fn keyword(&mut self) -> Option<Spanned<Str>> {
        let (w, e) = self.word_at(self.pos)?;
        let s = Spanned::new(Str::from(w), Span::new(self.pos, e));
        self.pos = e;
        Some(s)
    }

    /// Consumes the keyword `w` at `pos` (after trivia), or fails.
    fn expect_keyword(&mut self, w: &str) -> Option<Span> {
        self.skip();
        let (got, e) = self.word_at(self.pos)?;
        if got != w {
            return None;
        }
        let s = Span::new(self.pos, e);
        self.pos = e;
        Some(s)
    }

    /// The keyword at the next token, without moving.
    fn next_word(&self) -> Option<&'t str> {
        self.word_at(self.trivia_end(self.pos)).map(|(w, _)| w)
    }

    fn punct(&mut self, c: u8) -> Option<Span> {
        self.skip();
        if self.peek()? != c {
            return None;
        }
        self.pos += 1;
        Some(Span::new(self.pos - 1, self.pos))
    }

    fn next_is(&self, c: u8) -> bool {
        self.at(self.trivia_end(self.pos)) == Some(c)
    }

    /// For a `"""` at `p`, the offset of the `"""` that closes it (no
    /// further than `end`); `None` when `p` starts no text block or it is
    /// not closed.
    fn text_block_close(&self, p: usize) -> Option<usize> {
        if self.b.get(p..p + 3)? != b"\"\"\"" || p + 3 > self.end {
            return None;
        }
        let rest = self.b.get(p + 3..self.end)?;
        rest.windows(3).position(|w| w == b"\"\"\"").map(|i| p + 3 + i)
    }

    fn token(&mut self, e: usize) -> Option<Spanned<Str>> {
        let s = Spanned::new(Str::from(self.slice(self.pos, e)?), Span::new(self.pos, e));
        self.pos = e;
        Some(s)
    }

    /// `code`: a letter or digit, then letters, digits, `_` and `-`.
    fn code(&mut self) -> Option<Spanned<Str>> {
        self.skip();
        if !self.peek()?.is_ascii_alphanumeric() {
            return None;
        }
        let e = self.idc_end(self.pos);
        self.token(e)
    }

    /// `word`: a letter, then letters, digits, `-` and `_`.
    fn word(&mut self) -> Option<Spanned<Str>> {
        self.skip();
        let (_, e) = self.word_at(self.pos)?;
        self.token(e)
    }

    /// The end of a `framework_id` at `pos`: a letter or digit, then
    /// those, `_`, `-` and `.` (`None`: it does not start one).
    fn dotted_end(&self) -> Option<usize> {
        if !self.peek()?.is_ascii_alphanumeric() {
            return None;
        }
        let mut e = self.pos + 1;
        while self.at(e).is_some_and(|c| is_idc(c) || c == b'.') {
            e += 1;
        }
        Some(e)
    }

    /// `framework_id`.
    fn framework_id(&mut self) -> Option<Spanned<Str>> {
        self.skip();
        let e = self.dotted_end()?;
        self.token(e)
    }

    /// `rule_id`: a `framework_id`, then optionally `/` and one or more of
    /// its characters and `*`.
    fn rule_id(&mut self) -> Option<Spanned<Str>> {
        self.skip();
        let mut e = self.dotted_end()?;
        if self.at(e) == Some(b'/') {
            let mut f = e + 1;
            while self.at(f).is_some_and(|c| is_idc(c) || c == b'.' || c == b'*') {
                f += 1;
            }
            if f > e + 1 {
                e = f;
            }
        }
        self.token(e)
    }

    fn digits_end(&self, mut i: usize) -> usize {
        while self.at(i).is_some_and(|c| c.is_ascii_digit()) {
            i += 1;
        }
        i
    }

    /// `int`, saturating as the pest path's lowering does.
    fn int(&mut self) -> Option<Spanned<u64>> {
        self.skip();
        let e = self.digits_end(self.pos);
        if e == self.pos {
            return None;
        }
        let v = self.slice(self.pos, e)?.parse::<u64>().unwrap_or(u64::MAX);
        let s = Spanned::new(v, Span::new(self.pos, e));
        self.pos = e;
        Some(s)
    }

    /// `percent`: digits and `%`, nothing between them.
    fn percent(&mut self) -> Option<Spanned<u64>> {
        self.skip();
        let e = self.digits_end(self.pos);
        if e == self.pos || self.at(e) != Some(b'%') {
            return None;
        }
        let v = self.slice(self.pos, e)?.parse::<u64>().unwrap_or(u64::MAX);
        let s = Spanned::new(v, Span::new(self.pos, e + 1));
        self.pos = e + 1;
        Some(s)
    }

    /// `date`: `YYYY-MM-DD` not followed by a code character.
    fn date(&mut self) -> Option<Spanned<Date>> {
        self.skip();
        let p = self.pos;
        let digits = |r: std::ops::Range<usize>| {
            r.into_iter()
                .all(|i| self.at(p + i).is_some_and(|c| c.is_ascii_digit()))
        };
        if !(digits(0..4)
            && self.at(p + 4) == Some(b'-')
            && digits(5..7)
            && self.at(p + 7) == Some(b'-')
            && digits(8..10)
            && !self.at(p + 10).is_some_and(is_idc))
        {
            return None;
        }
        let s = self.slice(p, p + 10)?;
        let num = |r: std::ops::Range<usize>| s.get(r).and_then(|x| x.parse::<u32>().ok()).unwrap_or(0);
        let d = Date {
            year: num(0..4) as u16,
            month: num(5..7) as u8,
            day: num(8..10) as u8,
        };
        self.pos = p + 10;
        Some(Spanned::new(d, Span::new(p, p + 10)))
    }

    /// `text`: a `"""` block (dedented) or a `"` string (unescaped).
    fn text(&mut self) -> Option<Spanned<Str>> {
        self.skip();
        let p = self.pos;
        if self.peek()? != b'"' {
            return None;
        }
        if let Some(j) = self.text_block_close(p) {
            let value = Str::from(dedent(self.slice(p + 3, j)?));
            self.pos = j + 3;
            return Some(Spanned::new(value, Span::new(p, j + 3)));
        }
        if self.at(p + 1) == Some(b'"') && self.at(p + 2) == Some(b'"') {
            return None; // an unterminated `"""`: pest reads it otherwise
        }
        let mut i = p + 1;
        let mut escaped = false;
        loop {
            match self.at(i)? {
                b'"' => break,
                b'\\' => {
                    // `\` and any one character but a line break.
                    match self.at(i + 1)? {
                        b'\n' => return None,
                        _ => {
                            escaped = true;
                            i += 2;
                        }
                    }
                }
                c if c < 0x20 && c != b'\t' => return None,
                _ => i += 1,
            }
        }
        let raw = self.slice(p + 1, i)?;
        let value = if escaped {
            let mut errors = Vec::new();
            let v = unescape(raw, p + 1, &mut errors);
            if !errors.is_empty() {
                return None; // the pest path reports the escape
            }
            Str::from(v)
        } else {
            Str::from(raw)
        };
        self.pos = i + 1;
        Some(Spanned::new(value, Span::new(p, i + 1)))
    }

    /// `codes` (or `words`, with `word` as the element): one or more,
    /// separated by commas.
    ///
    /// pest reads `code ~ (comma ~ code)*` as code, trivia, then the
    /// repetition, and a failed repetition rolls back only its own trivia:
    /// so a list of one element takes the trivia after it into its span (and
    /// into the span of the property or line it ends), a longer list does
    /// not. Mirrored here, since those spans are the tree's.
    fn list(&mut self, words: bool) -> Option<Vec<Spanned<Str>>> {
        let mut out = vec![if words { self.word()? } else { self.code()? }];
        while self.next_is(b',') {
            self.punct(b',')?;
            out.push(if words { self.word()? } else { self.code()? });
        }
        if out.len() == 1 {
            self.skip();
        }
        Some(out)
    }

    /// `{ item* }` where `f` reads one item (after trivia).
    fn block<T>(&mut self, mut f: impl FnMut(&mut Self) -> Option<T>) -> Option<Block<T>> {
        let open = self.punct(b'{')?;
        let mut items = Vec::new();
        loop {
            self.skip();
            if self.peek()? == b'}' {
                self.pos += 1;
                return Some(Block {
                    open,
                    items,
                    close: Span::new(self.pos - 1, self.pos),
                });
            }
            items.push(f(self)?);
        }
    }

    fn span_from(&self, start: Span) -> Span {
        Span::new(start.start(), self.pos)
    }

    // ------------------------------------------------------------ items

    /// `module` or `programme`, its code and title: (keyword, code, title).
    fn item_head(&mut self, keyword: &str) -> Option<(Span, Spanned<Str>, Spanned<Str>)> {
        let keyword = self.expect_keyword(keyword)?;
        let code = self.code()?;
        let title = self.text()?;
        Some((keyword, code, title))
    }

    fn module_item(&mut self) -> Option<ModuleItem> {
        let (keyword, code, title) = self.item_head("module")?;
        let props = self.block(Self::module_prop)?.items;
        let span = self.span_from(keyword);
        let title = Some(title);
        Some(ModuleItem {
            span,
            keyword,
            code,
            title,
            props,
            broken: false,
        })
    }

    fn programme_item(&mut self) -> Option<ProgrammeItem> {
        let (keyword, code, title) = self.item_head("programme")?;
        let props = self.block(Self::programme_prop)?.items;
        let span = self.span_from(keyword);
        let (title, unread) = (Some(title), Vec::new());
        Some(ProgrammeItem {
            span,
            keyword,
            code,
            title,
            props,
            broken: false,
            unread,
        })
    }

    fn prop<K>(&self, keyword: Spanned<Str>, kind: K) -> Option<Prop<K>> {
        Some(Prop {
            span: self.span_from(keyword.span),
            keyword,
            kind,
        })
    }

    fn module_prop(&mut self) -> Option<ModuleProp> {
        let keyword = self.keyword()?;
        let kind = match keyword.value.as_str() {
            "credits" => ModuleKind::Credits(self.int()?),
            "level" => ModuleKind::Level(self.int()?),
            "weeks" => ModuleKind::Weeks(self.int()?),
            "pass-mark" => ModuleKind::PassMark(self.int()?),
            "research-skills" | "dissertation" | "placement" | "pass-fail" => ModuleKind::Flag,
            "requires" => ModuleKind::Requires(self.list(false)?),
            "outcomes" => {
                let b = self.block(|p| {
                    let code = p.code()?;
                    let text = p.text()?;
                    Some(Outcome {
                        span: p.span_from(code.span),
                        code,
                        text,
                    })
                })?;
                ModuleKind::Outcomes {
                    open: b.open,
                    outcomes: b.items,
                    close: b.close,
                }
            }
            "assessment" => {
                let code = self.code()?;
                let title = self.text()?;
                let b = self.block(|p| {
                    let keyword = p.keyword()?;
                    let kind = match keyword.value.as_str() {
                        "kind" => AssessmentKind::Kind(p.word()?),
                        "weight" => AssessmentKind::Weight(p.percent()?),
                        "covers" => AssessmentKind::Covers(p.list(false)?),
                        "competency" => AssessmentKind::Competency,
                        _ => return None,
                    };
                    p.prop(keyword, kind)
                })?;
                ModuleKind::Assessment(Assessment {
                    code,
                    title,
                    props: b.items,
                    close: b.close,
                })
            }
            _ => return None,
        };
        self.prop(keyword, kind)
    }

    fn programme_prop(&mut self) -> Option<ProgrammeProp> {
        let keyword = self.keyword()?;
        let kind = match keyword.value.as_str() {
            "award" => ProgrammeKind::Award(self.code()?),
            "framework" => ProgrammeKind::Framework(self.framework_id()?),
            "credits" => ProgrammeKind::Credits(self.int()?),
            "mode" => ProgrammeKind::Mode(self.list(true)?),
            "language" => ProgrammeKind::Language(self.text()?),
            "delivery" => ProgrammeKind::Delivery(self.word()?),
            "starts" | "validated" | "previous-validation" => ProgrammeKind::Date(self.date()?),
            "erasmus-mundus" => ProgrammeKind::ErasmusMundus,
            "accreditation" => ProgrammeKind::Accreditation(self.text()?),
            "exit-award" => {
                let award = self.code()?;
                let credits = self.int()?;
                ProgrammeKind::ExitAward { award, credits }
            }
            "rpl" => ProgrammeKind::Rpl(self.block(|p| {
                let keyword = p.keyword()?;
                if !matches!(keyword.value.as_str(), "certificated" | "experiential") {
                    return None;
                }
                let v = p.int()?;
                p.prop(keyword, RplKind::Credits(v))
            })?),
            "partner" => {
                let name = self.text()?;
                let block = self.block(|p| {
                    let keyword = p.keyword()?;
                    let kind = match keyword.value.as_str() {
                        "model" => PartnerKind::Model(p.word()?),
                        "link-tutor" | "programme-leader" | "operational-framework" => PartnerKind::Text(p.text()?),
                        _ => return None,
                    };
                    p.prop(keyword, kind)
                })?;
                ProgrammeKind::Partner { name, block }
            }
            "attendance" => ProgrammeKind::Attendance(self.block(|p| {
                let keyword = p.keyword()?;
                let kind = match keyword.value.as_str() {
                    "first-contact" | "second-contact" | "interview" => AttendanceKind::Duration(p.duration()?),
                    "agreements-per-year" => AttendanceKind::Agreements(p.int()?),
                    _ => return None,
                };
                p.prop(keyword, kind)
            })?),
            "engagement" => ProgrammeKind::Engagement(self.block(|p| {
                let keyword = p.keyword()?;
                let kind = match keyword.value.as_str() {
                    "shared-with" => EngagementKind::SharedWith(p.list(true)?),
                    "retention" => EngagementKind::Retention(p.duration()?),
                    _ => return None,
                };
                p.prop(keyword, kind)
            })?),
            "structure" => ProgrammeKind::Structure(self.block(|p| p.structure_line(true))?),
            "variance" => {
                let rule = self.rule_id()?;
                let block = self.block(Self::variance_prop)?;
                ProgrammeKind::Variance { rule, block }
            }
            "rule" => {
                let id = self.rule_id()?;
                let body = self.raw_block()?;
                ProgrammeKind::Rule { id, body }
            }
            _ => return None,
        };
        self.prop(keyword, kind)
    }

    fn duration(&mut self) -> Option<Duration> {
        let amount = self.int()?;
        let unit = self.word()?;
        Some(Duration {
            span: self.span_from(amount.span),
            amount,
            unit,
        })
    }

    fn variance_prop(&mut self) -> Option<Prop<VarianceKind>> {
        let keyword = self.keyword()?;
        let kind = match keyword.value.as_str() {
            "applies-to" => VarianceKind::AppliesTo(self.list(false)?),
            "criterion" => {
                let name = self.word()?;
                // `kw ~ word ~ text | kw ~ word`: a quote after the word is
                // the body, or the item fails either way.
                let body = if self.next_is(b'"') { Some(self.text()?) } else { None };
                VarianceKind::Criterion { name, body }
            }
            "rationale" | "alternative" | "evidence" => VarianceKind::Text(self.text()?),
            "submitted" => VarianceKind::Submitted(self.date()?),
            "approved" => {
                let by = self.text()?;
                // A digit after the text is the date, or the item fails.
                let next = self.at(self.trivia_end(self.pos));
                let date = if next.is_some_and(|c| c.is_ascii_digit()) {
                    Some(self.date()?)
                } else {
                    None
                };
                VarianceKind::Approved { by, date }
            }
            _ => return None,
        };
        self.prop(keyword, kind)
    }

    /// `raw_block`: `{`, brace-balanced text, `}`, nothing skipped between.
    fn raw_block(&mut self) -> Option<Spanned<Str>> {
        self.skip();
        if self.peek()? != b'{' {
            return None;
        }
        self.pos += 1;
        let start = self.pos;
        self.raw_inner()?;
        let body = Spanned::new(Str::from(self.slice(start, self.pos)?), Span::new(start, self.pos));
        if self.peek()? != b'}' {
            return None;
        }
        self.pos += 1;
        Some(body)
    }

    /// `raw_inner`: up to (not past) the `}` that closes it. The nesting is
    /// bounded before parsing (`parser::nesting` blanks out braces past
    /// `MAX_NESTING`); the depth is checked again here so that no input can
    /// recurse deeper.
    fn raw_inner(&mut self) -> Option<()> {
        self.depth += 1;
        if self.depth > super::parser::MAX_NESTING + 1 {
            return None;
        }
        while let Some(c) = self.peek() {
            match c {
                b'}' => break,
                b'{' => {
                    self.pos += 1;
                    self.raw_inner()?;
                    if self.peek()? != b'}' {
                        return None;
                    }
                    self.pos += 1;
                }
                b'#' => {
                    while self.peek().is_some_and(|c| c != b'\n') {
                        self.pos += 1;
                    }
                }
                b'"' => {
                    let p = self.pos;
                    if let Some(j) = self.text_block_close(p) {
                        self.pos = j + 3;
                    } else if self.at(p + 1) == Some(b'"') && self.at(p + 2) == Some(b'"') {
                        return None; // unterminated: pest reads it otherwise
                    } else {
                        let mut i = p + 1;
                        loop {
                            match self.at(i)? {
                                b'"' => break,
                                b'\\' => {
                                    self.at(i + 1)?;
                                    i += 2;
                                }
                                b'\n' => return None,
                                _ => i += 1,
                            }
                        }
                        self.pos = i + 1;
                    }
                }
                _ => self.pos += 1,
            }
        }
        self.depth -= 1;
        Some(())
    }

    // ------------------------------------------------------------ structure

    fn structure_line(&mut self, stage_allowed: bool) -> Option<StructureLine> {
        let start = self.pos;
        let (w, e) = self.word_at(start)?;
        let keyword = Span::new(start, e);
        self.pos = e;
        match w {
            "core" => {
                let group = self.group(keyword, false)?;
                Some(StructureLine::Core(group))
            }
            "option" => {
                let title = self.text()?;
                self.expect_keyword("choose")?;
                let choose = self.int()?;
                self.expect_keyword("credits")?;
                let group = self.group(keyword, true)?;
                Some(StructureLine::Option {
                    span: group.span,
                    keyword,
                    title,
                    choose,
                    group,
                })
            }
            "stage" if stage_allowed => {
                let number = self.int()?;
                let title = if self.next_is(b'"') { Some(self.text()?) } else { None };
                let b = self.block(|p| p.structure_line(false))?;
                Some(StructureLine::Stage {
                    span: self.span_from(keyword),
                    keyword,
                    number,
                    title,
                    open: b.open,
                    lines: b.items,
                    close: b.close,
                })
            }
            _ => None,
        }
    }

    /// The modules of a `core` line, or of an `option` line after
    /// `choose N credits`: a placed block, or a list (after `from` for an
    /// option) with an optional shared placement.
    fn group(&mut self, keyword: Span, option: bool) -> Option<Group> {
        let mut g = Group {
            span: keyword,
            keyword,
            block: false,
            entries: Vec::new(),
            placement: None,
        };
        if self.next_is(b'{') {
            g.block = true;
            let b = self.block(|p| {
                let code = p.code()?;
                let placement = p.placement()?;
                Some(PlacedModule { code, placement })
            })?;
            g.entries = b.items;
        } else {
            if option {
                self.expect_keyword("from")?;
            }
            g.entries = self
                .list(false)?
                .into_iter()
                .map(|code| PlacedModule { code, placement: None })
                .collect();
            g.placement = self.placement()?;
        }
        g.span = self.span_from(keyword);
        Some(g)
    }

    /// An optional placement: `Some(None)` when the next token starts none,
    /// `None` when it starts one that does not parse.
    fn placement(&mut self) -> Option<Option<Placement>> {
        let period = match self.next_word() {
            Some("semester") => {
                let kw = self.expect_keyword("semester")?;
                (kw, PeriodSyntax::Semester(self.int()?))
            }
            Some("semesters") => {
                let kw = self.expect_keyword("semesters")?;
                let a = self.int()?;
                self.punct(b'-')?;
                let b = self.int()?;
                (kw, PeriodSyntax::Semesters(a, b))
            }
            Some("year-long") => (self.expect_keyword("year-long")?, PeriodSyntax::YearLong),
            _ => return Some(None),
        };
        let year = if self.next_word() == Some("year") {
            self.expect_keyword("year")?;
            Some(self.int()?)
        } else {
            None
        };
        Some(Some(Placement {
            span: self.span_from(period.0),
            period: period.1,
            year,
        }))
    }
}
