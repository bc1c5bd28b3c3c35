//! Every named thing in the workspace and where it is defined and used:
//! module, programme, outcome and assessment codes, rule ids, awards and
//! frameworks. Built from the model (spans included) once per snapshot.

use std::collections::HashMap;

use crate::analysis::Analysis;
use crate::diag::SourceId;
use crate::span::Span;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Sym {
    Module(String),
    Programme(String),
    /// (module code, outcome code)
    Outcome(String, String),
    /// (module code, assessment code)
    Assessment(String, String),
    Rule(String),
    Award(String),
    Framework(String),
}

impl Sym {
    pub fn name(&self) -> &str {
        match self {
            Sym::Module(c) | Sym::Programme(c) | Sym::Rule(c) | Sym::Award(c) | Sym::Framework(c) => c,
            Sym::Outcome(_, c) | Sym::Assessment(_, c) => c,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occ {
    pub source: SourceId,
    pub span: Span,
    pub sym: Sym,
    /// The definition (not a reference).
    pub def: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Index {
    pub occs: Vec<Occ>,
    /// Occurrence indices per source, by span start.
    by_source: HashMap<SourceId, Vec<usize>>,
    by_sym: HashMap<Sym, Vec<usize>>,
}

/// The rule id inside a `rule ID {` definition spanning `span`: the id on
/// its first line, else the whole span.
fn id_span(a: &Analysis, source: SourceId, span: Span, id: &str) -> Span {
    let text = a.sources.get(source).map(|s| &*s.text).unwrap_or("");
    let start = span.start();
    let Some(rest) = text.get(start..) else {
        return span;
    };
    let line = rest.split('\n').next().unwrap_or("");
    match line.find(id) {
        Some(i) => Span::new(start + i, start + i + id.len()),
        None => span,
    }
}

impl Index {
    pub fn build(a: &Analysis) -> Index {
        let ws = &a.workspace;
        let mut occs = Vec::new();
        let mut push = |source: SourceId, span: Span, sym: Sym, def: bool| occs.push(Occ { source, span, sym, def });
        for m in &ws.modules {
            let code = &m.code.value.to_string();
            push(m.source, m.code.span, Sym::Module(code.clone()), true);
            for r in &m.requires {
                push(m.source, r.span, Sym::Module(r.value.to_string()), false);
            }
            for o in &m.outcomes {
                push(
                    m.source,
                    o.code.span,
                    Sym::Outcome(code.clone(), o.code.value.to_string()),
                    true,
                );
            }
            for asm in &m.assessments {
                push(
                    m.source,
                    asm.code.span,
                    Sym::Assessment(code.clone(), asm.code.value.to_string()),
                    true,
                );
                for c in &asm.covers {
                    push(m.source, c.span, Sym::Outcome(code.clone(), c.value.to_string()), false);
                }
            }
        }
        for p in &ws.programmes {
            push(p.source, p.code.span, Sym::Programme(p.code.value.to_string()), true);
            if let Some(aw) = &p.award {
                push(p.source, aw.span, Sym::Award(aw.value.to_string()), false);
            }
            for e in &p.exit_awards {
                push(p.source, e.award.span, Sym::Award(e.award.value.to_string()), false);
            }
            if let Some(f) = &p.framework {
                push(p.source, f.span, Sym::Framework(f.value.to_string()), false);
            }
            if let Some(s) = &p.structure {
                for e in &s.entries {
                    push(p.source, e.code.span, Sym::Module(e.code.value.to_string()), false);
                }
            }
            for v in &p.variances {
                push(p.source, v.rule.span, Sym::Rule(v.rule.value.to_string()), false);
                for m in &v.applies_to {
                    push(p.source, m.span, Sym::Module(m.value.to_string()), false);
                }
            }
            for r in &p.rules {
                push(p.source, r.id.span, Sym::Rule(r.id.value.to_string()), true);
            }
        }
        // The `rule` lines of the policy packs (embedded ones included): the
        // definitions, so hover and references answer on them too.
        {
            use crate::policy::RuleCatalogue;
            let cat = &a.catalogue;
            let mut seen = std::collections::HashSet::new();
            for fw in cat.frameworks() {
                for r in cat.rules(fw) {
                    let Some(o) = &r.origin else { continue };
                    if !seen.insert((o.source, o.span.start(), r.id.clone())) {
                        continue;
                    }
                    let span = id_span(a, o.source, o.span, &r.id);
                    push(o.source, span, Sym::Rule(r.id.clone()), true);
                }
            }
        }
        let mut by_source: HashMap<SourceId, Vec<usize>> = HashMap::new();
        let mut by_sym: HashMap<Sym, Vec<usize>> = HashMap::new();
        for (i, o) in occs.iter().enumerate() {
            by_source.entry(o.source).or_default().push(i);
            by_sym.entry(o.sym.clone()).or_default().push(i);
        }
        for v in by_source.values_mut() {
            v.sort_by_key(|&i| (occs[i].span.start(), occs[i].span.end()));
        }
        Index {
            occs,
            by_source,
            by_sym,
        }
    }

    /// The occurrence under the cursor: the smallest span containing
    /// `offset` (a cursor just after a code counts).
    pub fn at(&self, source: SourceId, offset: usize) -> Option<&Occ> {
        self.by_source
            .get(&source)?
            .iter()
            .map(|&i| &self.occs[i])
            .filter(|o| o.span.contains(offset) && !o.span.is_empty())
            .min_by_key(|o| o.span.len())
    }

    /// Every occurrence of a symbol, in source then position order.
    pub fn of(&self, sym: &Sym) -> Vec<&Occ> {
        let mut v: Vec<&Occ> = self
            .by_sym
            .get(sym)
            .map(|v| v.iter().map(|&i| &self.occs[i]).collect())
            .unwrap_or_default();
        v.sort_by_key(|o| (o.source, o.span.start()));
        v
    }

    pub fn in_source(&self, source: SourceId) -> impl Iterator<Item = &Occ> {
        self.by_source
            .get(&source)
            .into_iter()
            .flatten()
            .map(|&i| &self.occs[i])
    }
}
