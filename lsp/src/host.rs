//! The editor-agnostic interface between the language server and the
//! analysis: plain data (absolute paths, byte offsets, strings, kinds), no
//! LSP types. The `spec` crate implements [`Host`] (`spec::ide`); this crate
//! converts to and from the protocol.
//!
//! Offsets are byte offsets into the file's current text as returned by
//! [`Host::text`]. A host may panic or return nothing for anything it does
//! not understand; the server catches panics per request.

use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A byte range in one file.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Loc {
    pub path: PathBuf,
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
    Info,
    /// Waived diagnostics.
    Hint,
}

/// A secondary location of a diagnostic ("first defined here", the rule in
/// its policy file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Related {
    pub loc: Loc,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diag {
    pub start: usize,
    pub end: usize,
    pub severity: Severity,
    /// The rule id.
    pub code: String,
    /// The full message (help and waiver included) as the editor shows it.
    pub message: String,
    pub related: Vec<Related>,
    /// A waived diagnostic (shown as a hint, faded).
    pub waived: bool,
}

/// The diagnostics of one file (an empty list clears the file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileDiags {
    pub path: PathBuf,
    pub diags: Vec<Diag>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoverInfo {
    pub start: usize,
    pub end: usize,
    pub markdown: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompletionKind {
    Keyword,
    Module,
    Outcome,
    Rule,
    Award,
    Framework,
    Criterion,
    Value,
    Programme,
}

/// At most this many completion items are sent; a longer list is cut and
/// marked incomplete, so the client asks again as the user types.
pub const COMPLETION_LIMIT: usize = 200;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    pub label: String,
    pub kind: CompletionKind,
    pub detail: Option<String>,
    pub documentation: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub path: PathBuf,
    pub start: usize,
    pub end: usize,
    pub new_text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Action {
    pub title: String,
    pub edits: Vec<Edit>,
    /// The rule id of the diagnostic the action fixes, if any.
    pub fixes: Option<String>,
    pub preferred: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SymbolKind {
    Module,
    Programme,
    Outcome,
    Assessment,
    Structure,
    Stage,
    OptionGroup,
    Variance,
    Rule,
    Property,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Symbol {
    pub name: String,
    pub detail: Option<String>,
    pub kind: SymbolKind,
    /// The whole item.
    pub start: usize,
    pub end: usize,
    /// Its name.
    pub sel_start: usize,
    pub sel_end: usize,
    pub children: Vec<Symbol>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkspaceSymbol {
    pub name: String,
    pub kind: SymbolKind,
    pub loc: Loc,
    pub container: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hint {
    pub offset: usize,
    pub label: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Keyword,
    Comment,
    String,
    Number,
    /// A module code.
    Module,
    /// A programme code.
    Programme,
    /// An outcome or assessment code.
    Outcome,
    /// A rule id.
    Rule,
    /// A value keyword: `coursework`, `full-time`, an award, a framework.
    Value,
}

impl TokenKind {
    pub const ALL: [TokenKind; 9] = [
        TokenKind::Keyword,
        TokenKind::Comment,
        TokenKind::String,
        TokenKind::Number,
        TokenKind::Module,
        TokenKind::Programme,
        TokenKind::Outcome,
        TokenKind::Rule,
        TokenKind::Value,
    ];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub start: usize,
    pub len: usize,
    pub kind: TokenKind,
    /// A definition (declaration modifier).
    pub definition: bool,
}

/// Why a rename cannot be done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused(pub String);

/// The analysis side of the language server. Every method may be called
/// from several threads; implementations serialise internally.
pub trait Host: Send + Sync + 'static {
    /// The workspace folders (from `initialize`); empty when the client gave none.
    fn set_roots(&self, roots: Vec<PathBuf>);
    /// An editor buffer was opened or changed: `text` is its whole content.
    fn set_text(&self, path: &Path, text: String);
    /// An editor buffer was closed: the file on disk counts again.
    fn close(&self, path: &Path);
    /// Files changed, appeared or disappeared on disk (`spec.toml` included).
    fn files_changed(&self, paths: &[PathBuf]);
    /// The current text of a file the host knows (open buffer, workspace
    /// file, policy file, embedded pack).
    fn text(&self, path: &Path) -> Option<Arc<str>>;
    /// Every file's diagnostics, re-analysing what changed. Files without
    /// diagnostics may be omitted; the server clears them.
    fn diagnostics(&self) -> Vec<FileDiags>;
    /// The diagnostics of one just-edited file from a partial analysis (the
    /// file and what it interacts with), published before the whole
    /// workspace is re-analysed. `None`: no quick answer; the full one follows.
    fn quick_diagnostics(&self, _path: &Path) -> Option<FileDiags> {
        None
    }
    fn hover(&self, path: &Path, offset: usize) -> Option<HoverInfo>;
    fn completion(&self, path: &Path, offset: usize) -> Vec<Completion>;
    fn definition(&self, path: &Path, offset: usize) -> Vec<Loc>;
    fn references(&self, path: &Path, offset: usize, include_declaration: bool) -> Vec<Loc>;
    /// The range of the symbol to rename and its current name.
    fn prepare_rename(&self, path: &Path, offset: usize) -> Result<(usize, usize, String), Refused>;
    fn rename(&self, path: &Path, offset: usize, new_name: &str) -> Result<Vec<Edit>, Refused>;
    fn document_symbols(&self, path: &Path) -> Vec<Symbol>;
    fn workspace_symbols(&self, query: &str) -> Vec<WorkspaceSymbol>;
    /// The formatted text; `Err` when the file cannot be formatted (syntax errors).
    fn format(&self, path: &Path) -> Result<String, Refused>;
    fn code_actions(&self, path: &Path, start: usize, end: usize) -> Vec<Action>;
    fn inlay_hints(&self, path: &Path, start: usize, end: usize) -> Vec<Hint>;
    fn semantic_tokens(&self, path: &Path) -> Vec<Token>;
}
