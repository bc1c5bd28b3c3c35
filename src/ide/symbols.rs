//! Go to definition, find references, rename, document and workspace symbols.

use spec_lsp::host::{Edit, Loc, Refused, Symbol, SymbolKind, WorkspaceSymbol};

use super::{Snapshot, Sym};
use crate::diag::SourceId;
use crate::syntax::ast::{Item, ModuleKind, ProgrammeKind, StructureLine};

pub fn definition(snap: &Snapshot, source: SourceId, offset: usize) -> Vec<Loc> {
    let Some(occ) = snap.index.at(source, offset) else {
        return Vec::new();
    };
    let mut out: Vec<Loc> = snap
        .index
        .of(&occ.sym)
        .into_iter()
        .filter(|o| o.def)
        .filter_map(|o| snap.loc(o.source, o.span))
        .collect();
    if out.is_empty() {
        if let Sym::Rule(id) = &occ.sym {
            if let Some((src, span)) = snap.rules.get(id).and_then(|r| r.origin) {
                out.extend(snap.loc(src, span));
            }
        }
    }
    out
}

pub fn references(snap: &Snapshot, source: SourceId, offset: usize, include_declaration: bool) -> Vec<Loc> {
    let Some(occ) = snap.index.at(source, offset) else {
        return Vec::new();
    };
    // Definitions first (a rule's, in its policy file), then the uses.
    let mut occs = snap.index.of(&occ.sym);
    occs.sort_by_key(|o| !o.def);
    let mut out: Vec<Loc> = occs
        .into_iter()
        .filter(|o| include_declaration || !o.def)
        .filter_map(|o| snap.loc(o.source, o.span))
        .collect();
    let has_def = snap.index.of(&occ.sym).iter().any(|o| o.def);
    if include_declaration && !has_def {
        if let Sym::Rule(id) = &occ.sym {
            if let Some((src, span)) = snap.rules.get(id).and_then(|r| r.origin) {
                if let Some(l) = snap.loc(src, span) {
                    if !out.contains(&l) {
                        out.insert(0, l);
                    }
                }
            }
        }
    }
    out
}

fn is_code(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

pub fn prepare_rename(snap: &Snapshot, source: SourceId, offset: usize) -> Result<(usize, usize, String), Refused> {
    let occ = snap
        .index
        .at(source, offset)
        .ok_or_else(|| Refused("only module and outcome codes can be renamed".into()))?;
    match &occ.sym {
        Sym::Module(c) => {
            if snap.analysis.workspace.module(c).is_none() {
                return Err(Refused(format!("module `{c}` is not defined in the workspace")));
            }
        }
        Sym::Outcome(m, c) => {
            if snap.analysis.workspace.module(m).and_then(|m| m.outcome(c)).is_none() {
                return Err(Refused(format!("outcome `{c}` is not defined in module `{m}`")));
            }
        }
        _ => return Err(Refused("only module and outcome codes can be renamed".into())),
    }
    Ok((occ.span.start(), occ.span.end(), occ.sym.name().to_string()))
}

pub fn rename(snap: &Snapshot, source: SourceId, offset: usize, new_name: &str) -> Result<Vec<Edit>, Refused> {
    prepare_rename(snap, source, offset)?;
    let occ = snap
        .index
        .at(source, offset)
        .ok_or_else(|| Refused("nothing to rename here".into()))?;
    if !is_code(new_name) {
        return Err(Refused(format!(
            "`{new_name}` is not a valid code: a letter or digit, then letters, digits, `_` or `-`"
        )));
    }
    if new_name == occ.sym.name() {
        return Ok(Vec::new());
    }
    let ws = &snap.analysis.workspace;
    match &occ.sym {
        Sym::Module(_) if ws.module(new_name).is_some() => {
            return Err(Refused(format!("module `{new_name}` already exists")));
        }
        Sym::Outcome(m, _) if ws.module(m).and_then(|m| m.outcome(new_name)).is_some() => {
            return Err(Refused(format!("module `{m}` already has an outcome `{new_name}`")));
        }
        _ => {}
    }
    let mut edits: Vec<Edit> = snap
        .index
        .of(&occ.sym)
        .into_iter()
        .filter_map(|o| {
            let loc = snap.loc(o.source, o.span)?;
            Some(Edit {
                path: loc.path,
                start: loc.start,
                end: loc.end,
                new_text: new_name.to_string(),
            })
        })
        .collect();
    edits.dedup();
    Ok(edits)
}

fn sym(
    name: String,
    detail: Option<String>,
    kind: SymbolKind,
    span: crate::span::Span,
    sel: crate::span::Span,
    children: Vec<Symbol>,
) -> Symbol {
    Symbol {
        name,
        detail,
        kind,
        start: span.start(),
        end: span.end(),
        sel_start: sel.start(),
        sel_end: sel.end(),
        children,
    }
}

fn structure_symbols(lines: &[StructureLine]) -> Vec<Symbol> {
    let mut out = Vec::new();
    for l in lines {
        match l {
            StructureLine::Core(g) => {
                let codes: Vec<&str> = g.entries.iter().map(|e| e.code.value.as_str()).collect();
                out.push(sym(
                    "core".into(),
                    Some(codes.join(", ")),
                    SymbolKind::OptionGroup,
                    g.span,
                    g.keyword,
                    Vec::new(),
                ));
            }
            StructureLine::Option {
                span, title, choose, ..
            } => {
                out.push(sym(
                    title.value.to_string(),
                    Some(format!("choose {} credits", choose.value)),
                    SymbolKind::OptionGroup,
                    *span,
                    title.span,
                    Vec::new(),
                ));
            }
            StructureLine::Stage {
                span,
                keyword,
                number,
                title,
                lines,
                ..
            } => {
                let name = match title {
                    Some(t) => format!("stage {} {}", number.value, t.value),
                    None => format!("stage {}", number.value),
                };
                out.push(sym(
                    name,
                    None,
                    SymbolKind::Stage,
                    *span,
                    *keyword,
                    structure_symbols(lines),
                ));
            }
        }
    }
    out
}

pub fn document_symbols(snap: &Snapshot, source: SourceId) -> Vec<Symbol> {
    let Some(tree) = snap.tree(source) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in &tree.items {
        match item {
            Item::Module(m) => {
                let mut children = Vec::new();
                for p in &m.props {
                    match &p.kind {
                        ModuleKind::Outcomes { outcomes, .. } => {
                            for o in outcomes {
                                children.push(sym(
                                    o.code.value.to_string(),
                                    Some(o.text.value.to_string()),
                                    SymbolKind::Outcome,
                                    o.span,
                                    o.code.span,
                                    Vec::new(),
                                ));
                            }
                        }
                        ModuleKind::Assessment(a) => {
                            children.push(sym(
                                a.code.value.to_string(),
                                Some(a.title.value.to_string()),
                                SymbolKind::Assessment,
                                p.span,
                                a.code.span,
                                Vec::new(),
                            ));
                        }
                        _ => {}
                    }
                }
                out.push(sym(
                    m.code.value.to_string(),
                    m.title.as_ref().map(|t| t.value.to_string()),
                    SymbolKind::Module,
                    m.span,
                    m.code.span,
                    children,
                ));
            }
            Item::Programme(p) => {
                let mut children = Vec::new();
                for prop in &p.props {
                    match &prop.kind {
                        ProgrammeKind::Structure(b) => {
                            children.push(sym(
                                "structure".into(),
                                None,
                                SymbolKind::Structure,
                                prop.span,
                                prop.keyword.span,
                                structure_symbols(&b.items),
                            ));
                        }
                        ProgrammeKind::Variance { rule, .. } => {
                            children.push(sym(
                                format!("variance {}", rule.value),
                                None,
                                SymbolKind::Variance,
                                prop.span,
                                rule.span,
                                Vec::new(),
                            ));
                        }
                        ProgrammeKind::Rule { id, .. } => {
                            children.push(sym(
                                format!("rule {}", id.value),
                                None,
                                SymbolKind::Rule,
                                prop.span,
                                id.span,
                                Vec::new(),
                            ));
                        }
                        _ => {}
                    }
                }
                out.push(sym(
                    p.code.value.to_string(),
                    p.title.as_ref().map(|t| t.value.to_string()),
                    SymbolKind::Programme,
                    p.span,
                    p.code.span,
                    children,
                ));
            }
        }
    }
    out
}

pub fn workspace_symbols(snap: &Snapshot, query: &str) -> Vec<WorkspaceSymbol> {
    let q = query.to_lowercase();
    let ws = &snap.analysis.workspace;
    let matches =
        |code: &str, title: &str| q.is_empty() || code.to_lowercase().contains(&q) || title.to_lowercase().contains(&q);
    let mut out = Vec::new();
    for m in &ws.modules {
        if matches(&m.code.value, &m.title) {
            if let Some(loc) = snap.loc(m.source, m.code.span) {
                out.push(WorkspaceSymbol {
                    name: m.code.value.to_string(),
                    kind: SymbolKind::Module,
                    loc,
                    container: Some(m.title.to_string()),
                });
            }
        }
    }
    for p in &ws.programmes {
        if matches(&p.code.value, &p.title) {
            if let Some(loc) = snap.loc(p.source, p.code.span) {
                out.push(WorkspaceSymbol {
                    name: p.code.value.to_string(),
                    kind: SymbolKind::Programme,
                    loc,
                    container: Some(p.title.to_string()),
                });
            }
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name).then(a.loc.cmp(&b.loc)));
    out.truncate(1000);
    out
}
