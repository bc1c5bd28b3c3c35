//! Protocol tests: the built `spec` binary runs `spec lsp` and is driven over
//! real stdio JSON-RPC, one test per feature (docs/editors.md).

#[path = "lsp_client/mod.rs"]
mod lsp_client;

mod support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use lsp_client::{codes, pos, uri, Client};
use serde_json::{json, Value};

const MODULES: &str = r#"module 7001DS "Research Methods" {
  credits 20
  level 7
  research-skills
  outcomes {
    LO1 "Design a study"
    LO2 "Appraise research"
  }
  assessment AS1 "Proposal" {
    kind coursework
    weight 60%
    covers LO1
  }
  assessment AS2 "Review" {
    kind coursework
    weight 30%
  }
}

module 7002DS "Machine Learning" {
  credits 20
  level 7
  requires 7001DS
  outcomes { LO1 "Build models" }
  assessment AS1 "Project" { kind project weight 100% covers LO1 }
}
"#;

const PROGRAMME: &str = r#"programme MSCDS "MSc Data Science" {
  award MSc
  framework ljmu-pgt-2022
  credits 180
  structure {
    core 7001DS, 7002DS semester 1
    option "Electives" choose 20 credits from 7003DS, 7004DS semester 2
  }
  variance PG.A4.2/module-size {
    applies-to 7002DS
    criterion discipline
  }
}
"#;

const ELECTIVES: &str = r#"module 7003DS "Vision" {
  credits 20
  level 7
  outcomes { LO1 "See" }
  assessment AS1 "Exam" { kind exam covers LO1 }
}
module 7004DS "Speech" {
  credits 20
  level 12
  outcomes { LO1 "Hear" }
  assessment AS1 "Exam" { kind exam covers LO1 }
}
"#;

const WAIT: Duration = Duration::from_secs(20);

struct Ws {
    dir: tempfile::TempDir,
}

impl Ws {
    fn new() -> Ws {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("spec.toml"), "").unwrap();
        std::fs::write(dir.path().join("modules.pspec"), MODULES).unwrap();
        std::fs::write(dir.path().join("programme.pspec"), PROGRAMME).unwrap();
        std::fs::write(dir.path().join("electives.pspec"), ELECTIVES).unwrap();
        Ws { dir }
    }
    fn path(&self, name: &str) -> PathBuf {
        std::fs::canonicalize(self.dir.path()).unwrap().join(name)
    }
    fn root(&self) -> &Path {
        self.dir.path()
    }
}

fn start(ws: &Ws) -> Client {
    let mut c = Client::start(env!("CARGO_BIN_EXE_spec"), ws.root(), &[("SPEC_LSP_DEBOUNCE_MS", "10")]);
    let init = c.initialize(Some(ws.root()), json!({}));
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-16");
    c
}

fn td(path: &Path) -> Value {
    json!({"uri": uri(path)})
}

fn at(path: &Path, text: &str, needle: &str, delta: usize) -> Value {
    json!({"textDocument": td(path), "position": pos(text, needle, delta)})
}

fn has_code(c: &Client, path: &Path, code: &str) -> bool {
    c.diagnostics
        .get(&uri(path))
        .is_some_and(|d| codes(d).iter().any(|x| x == code))
}

#[test]
fn workspace_diagnostics_on_startup_without_opening_files() {
    let ws = Ws::new();
    let mut c = start(&ws);
    let electives = ws.path("electives.pspec");
    c.wait_for("spec/invalid-value in electives.pspec", WAIT, |d| {
        d.get(&uri(&electives))
            .is_some_and(|v| codes(v).contains(&"spec/invalid-value".to_string()))
    });
    let d = &c.diagnostics[&uri(&electives)];
    let bad = d.iter().find(|d| d["code"] == "spec/invalid-value").unwrap();
    // `level 12`: line 8 (0-based), the `12`.
    assert_eq!(bad["range"]["start"], json!({"line": 8, "character": 8}));
    assert_eq!(bad["severity"], 1);
    assert_eq!(bad["source"], "spec");
    assert!(
        bad["message"]
            .as_str()
            .unwrap()
            .contains("level `12` is not between 3 and 8"),
        "{bad}"
    );
    c.shutdown();
}

#[test]
fn typo_in_one_module_still_shows_every_other_diagnostic_in_the_file() {
    let ws = Ws::new();
    let mut c = start(&ws);
    let f = ws.path("electives.pspec");
    // A typo in 7003DS (`levle`), while 7004DS keeps its bad level, and a
    // third module lacks its credits.
    let text = ELECTIVES.replace("  level 7\n", "  levle 7\n")
        + "module 7005DS \"Text\" {\n  level 7\n  outcomes { LO1 \"Read\" }\n  assessment AS1 \"Exam\" { kind exam covers LO1 }\n}\n";
    c.open(&f, &text);
    c.wait_for("three kinds of diagnostics", WAIT, |d| {
        d.get(&uri(&f)).is_some_and(|v| {
            let cs = codes(v);
            cs.contains(&"spec/syntax".into())
                && cs.contains(&"spec/invalid-value".into())
                && cs.contains(&"spec/missing-property".into())
        })
    });
    let d = &c.diagnostics[&uri(&f)];
    let line_of = |code: &str| {
        d.iter()
            .find(|x| x["code"] == code)
            .map(|x| x["range"]["start"]["line"].as_u64().unwrap())
    };
    assert_eq!(line_of("spec/syntax"), Some(2), "{d:#?}");
    assert_eq!(line_of("spec/invalid-value"), Some(8), "{d:#?}");
    assert_eq!(line_of("spec/missing-property").map(|l| l >= 12), Some(true), "{d:#?}");
    c.shutdown();
}

#[test]
fn diagnostics_refresh_on_change_and_clear_when_fixed() {
    let ws = Ws::new();
    let mut c = start(&ws);
    let f = ws.path("electives.pspec");
    c.wait_for("startup", WAIT, |d| d.get(&uri(&f)).is_some_and(|v| !v.is_empty()));
    c.open(&f, ELECTIVES);
    let fixed = ELECTIVES.replace("level 12", "level 7");
    c.change(&f, 2, &fixed);
    c.wait_for("cleared", WAIT, |d| d.get(&uri(&f)).is_some_and(|v| v.is_empty()));
    // Break it again with an incremental edit: `level 7` of 7004DS -> `level 99`.
    let line = fixed.lines().position(|l| l.contains("\"Speech\"")).unwrap() + 2;
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri(&f), "version": 3},
               "contentChanges": [{"range": {"start": {"line": line, "character": 8}, "end": {"line": line, "character": 9}}, "text": "99"}]}),
    );
    c.wait_for("invalid level again", WAIT, |d| {
        d.get(&uri(&f))
            .is_some_and(|v| codes(v) == vec!["spec/invalid-value".to_string()])
    });
    c.shutdown();
}

#[test]
fn cross_file_diagnostics_follow_edits_in_another_file() {
    let ws = Ws::new();
    let mut c = start(&ws);
    let prog = ws.path("programme.pspec");
    let modules = ws.path("modules.pspec");
    c.wait_for("startup", WAIT, |d| !d.is_empty());
    assert!(!has_code(&c, &prog, "spec/unknown-reference"));
    // Renaming a module in modules.pspec breaks the programme's reference.
    c.open(&modules, MODULES);
    c.change(&modules, 2, &MODULES.replace("module 7002DS", "module 7009DS"));
    c.wait_for("unknown reference in the programme", WAIT, |d| {
        d.get(&uri(&prog))
            .is_some_and(|v| codes(v).contains(&"spec/unknown-reference".into()))
    });
    // Closing the buffer reverts to the file on disk.
    c.notify("textDocument/didClose", json!({"textDocument": td(&modules)}));
    c.wait_for("reference resolved again", WAIT, |d| {
        d.get(&uri(&prog))
            .is_none_or(|v| !codes(v).contains(&"spec/unknown-reference".into()))
    });
    c.shutdown();
}

#[test]
fn watched_files_and_spec_toml_changes_are_picked_up() {
    let ws = Ws::new();
    let mut c = start(&ws);
    c.wait_for("startup", WAIT, |d| !d.is_empty());
    let newf = ws.path("new.pspec");
    std::fs::write(&newf, "module 8001XX \"New\" {\n  credits 10\n}\n").unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&newf), "type": 1}]}),
    );
    c.wait_for("diagnostics of the new file", WAIT, |d| {
        d.get(&uri(&newf)).is_some_and(|v| !v.is_empty())
    });
    // Deleting it clears them.
    let u = uri(&newf);
    std::fs::remove_file(&newf).unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": u, "type": 3}]}),
    );
    c.wait_for("cleared after deletion", WAIT, |d| {
        d.get(&u).is_some_and(|v| v.is_empty())
    });
    // A spec.toml change reloads the workspace (a sub-workspace appears).
    let sub = ws.root().join("sub");
    std::fs::create_dir(&sub).unwrap();
    std::fs::write(sub.join("x.pspec"), "module 8002XX \"X\" {\n  level 7\n}\n").unwrap();
    let toml = ws.path("spec.toml");
    std::fs::write(&toml, "[policy]\n").unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&toml), "type": 2}]}),
    );
    let x = ws.path("sub/x.pspec");
    c.wait_for("diagnostics of sub/x.pspec", WAIT, |d| {
        d.get(&uri(&x))
            .is_some_and(|v| codes(v).contains(&"spec/missing-property".into()))
    });
    c.shutdown();
}

#[test]
fn hover_on_module_outcome_rule_award_and_framework() {
    let ws = Ws::new();
    let mut c = start(&ws);
    let prog = ws.path("programme.pspec");
    let modules = ws.path("modules.pspec");
    // Module code in a structure (another file defines it).
    let h = c.call("textDocument/hover", at(&prog, PROGRAMME, "7002DS semester", 2));
    let md = h["contents"]["value"].as_str().unwrap();
    assert!(md.contains("Machine Learning"), "{md}");
    assert!(md.contains("20 credits, level 7"), "{md}");
    assert!(md.contains("prerequisites: `7001DS`"), "{md}");
    assert!(md.contains("`MSCDS`: core, semester 1"), "{md}");
    assert_eq!(h["range"]["start"], pos(PROGRAMME, "7002DS semester", 0));
    // An option module shows its group.
    let h = c.call("textDocument/hover", at(&prog, PROGRAMME, "7004DS", 0));
    assert!(
        h["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("option \"Electives\", semester 2"),
        "{h}"
    );
    // Outcome in `covers`: its text.
    let h = c.call("textDocument/hover", at(&modules, MODULES, "covers LO1", 8));
    let md = h["contents"]["value"].as_str().unwrap();
    assert!(
        md.contains("Design a study") && md.contains("assessed by `AS1`"),
        "{md}"
    );
    // Rule id in a variance.
    let h = c.call("textDocument/hover", at(&prog, PROGRAMME, "PG.A4.2/module-size", 3));
    assert!(
        h["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("rule `PG.A4.2/module-size`"),
        "{h}"
    );
    // Award.
    let h = c.call("textDocument/hover", at(&prog, PROGRAMME, "MSc\n", 1));
    let md = h["contents"]["value"].as_str().unwrap();
    assert!(
        md.contains("award `MSc`") && md.contains("`MSCDS`: 180 credits"),
        "{md}"
    );
    // Framework.
    let h = c.call("textDocument/hover", at(&prog, PROGRAMME, "ljmu-pgt-2022", 1));
    assert!(
        h["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("framework `ljmu-pgt-2022`"),
        "{h}"
    );
    // Nothing under the cursor: null.
    let h = c.call("textDocument/hover", at(&prog, PROGRAMME, "structure", 2));
    assert_eq!(h, Value::Null);
    c.shutdown();
}

#[test]
fn definition_and_references_across_files() {
    let ws = Ws::new();
    let mut c = start(&ws);
    let prog = ws.path("programme.pspec");
    let modules = ws.path("modules.pspec");
    let d = c.call("textDocument/definition", at(&prog, PROGRAMME, "7002DS semester", 1));
    assert_eq!(d[0]["uri"], uri(&modules));
    assert_eq!(d[0]["range"]["start"], pos(MODULES, "7002DS \"Machine", 0));
    // Outcome in covers -> its definition in the same module.
    let d = c.call("textDocument/definition", at(&modules, MODULES, "covers LO1", 7));
    assert_eq!(d[0]["range"]["start"], pos(MODULES, "LO1 \"Design", 0));
    // References of 7001DS: definition, `requires`, structure.
    let r = c.call(
        "textDocument/references",
        json!({"textDocument": td(&modules), "position": pos(MODULES, "7001DS", 0), "context": {"includeDeclaration": true}}),
    );
    let r = r.as_array().unwrap();
    assert_eq!(r.len(), 3, "{r:#?}");
    assert_eq!(r.iter().filter(|l| l["uri"] == uri(&prog)).count(), 1);
    let r = c.call(
        "textDocument/references",
        json!({"textDocument": td(&modules), "position": pos(MODULES, "7001DS", 0), "context": {"includeDeclaration": false}}),
    );
    assert_eq!(r.as_array().unwrap().len(), 2);
    // applies-to counts as a reference of 7002DS.
    let r = c.call(
        "textDocument/references",
        json!({"textDocument": td(&prog), "position": pos(PROGRAMME, "applies-to 7002DS", 12), "context": {"includeDeclaration": false}}),
    );
    assert_eq!(r.as_array().unwrap().len(), 2, "{r}");
    c.shutdown();
}

#[test]
fn rename_module_and_outcome_codes_with_prepare_and_refusals() {
    let ws = Ws::new();
    let mut c = start(&ws);
    let prog = ws.path("programme.pspec");
    let modules = ws.path("modules.pspec");
    let p = c.call("textDocument/prepareRename", at(&prog, PROGRAMME, "7002DS semester", 3));
    assert_eq!(p["placeholder"], "7002DS");
    let e = c.call(
        "textDocument/rename",
        json!({"textDocument": td(&prog), "position": pos(PROGRAMME, "7002DS semester", 3), "newName": "7010DS"}),
    );
    let changes = &e["changes"];
    assert_eq!(changes[uri(&modules)].as_array().unwrap().len(), 1, "{e}");
    // structure entry and applies-to.
    assert_eq!(changes[uri(&prog)].as_array().unwrap().len(), 2, "{e}");
    assert!(changes[uri(&prog)]
        .as_array()
        .unwrap()
        .iter()
        .all(|x| x["newText"] == "7010DS"));
    // Outcome rename: the definition and its `covers`.
    let e = c.call(
        "textDocument/rename",
        json!({"textDocument": td(&modules), "position": pos(MODULES, "LO1 \"Design", 1), "newName": "LO9"}),
    );
    assert_eq!(e["changes"][uri(&modules)].as_array().unwrap().len(), 2, "{e}");
    // Refusals: invalid name, an existing code, something that is not a code.
    let r = c.request(
        "textDocument/rename",
        json!({"textDocument": td(&modules), "position": pos(MODULES, "7001DS", 0), "newName": "bad name"}),
    );
    assert!(r.is_err(), "{r:?}");
    let r = c.request(
        "textDocument/rename",
        json!({"textDocument": td(&modules), "position": pos(MODULES, "7001DS", 0), "newName": "7002DS"}),
    );
    assert!(r.unwrap_err()["message"].as_str().unwrap().contains("already exists"));
    let r = c.request("textDocument/prepareRename", at(&prog, PROGRAMME, "ljmu", 0));
    assert!(r.is_err(), "{r:?}");
    c.shutdown();
}

#[test]
fn document_and_workspace_symbols() {
    let ws = Ws::new();
    let mut c = start(&ws);
    let modules = ws.path("modules.pspec");
    let prog = ws.path("programme.pspec");
    let s = c.call("textDocument/documentSymbol", json!({"textDocument": td(&modules)}));
    let names: Vec<&str> = s
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["7001DS", "7002DS"]);
    let kids: Vec<&str> = s[0]["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["name"].as_str().unwrap())
        .collect();
    assert_eq!(kids, ["LO1", "LO2", "AS1", "AS2"]);
    let s = c.call("textDocument/documentSymbol", json!({"textDocument": td(&prog)}));
    let kids: Vec<&str> = s[0]["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["name"].as_str().unwrap())
        .collect();
    assert_eq!(kids, ["structure", "variance PG.A4.2/module-size"]);
    let w = c.call("workspace/symbol", json!({"query": "700"}));
    let names: Vec<&str> = w
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["7001DS", "7002DS", "7003DS", "7004DS"]);
    let w = c.call("workspace/symbol", json!({"query": "data science"}));
    assert_eq!(w[0]["name"], "MSCDS");
    assert_eq!(w[0]["location"]["uri"], uri(&prog));
    c.shutdown();
}

#[test]
fn formatting_is_spec_fmt_and_refuses_syntax_errors() {
    let ws = Ws::new();
    let mut c = start(&ws);
    let f = ws.path("electives.pspec");
    let messy = "module 7003DS   \"Vision\" {\n credits 20 level 7\n  outcomes { LO1 \"See\" }   # keep me\n  assessment AS1 \"Exam\" { kind exam covers LO1 }\n}\n";
    c.open(&f, messy);
    let opts = json!({"tabSize": 2, "insertSpaces": true});
    let r = c.call(
        "textDocument/formatting",
        json!({"textDocument": td(&f), "options": opts}),
    );
    let edits = r.as_array().unwrap();
    assert_eq!(edits.len(), 1, "{r}");
    let expected = spec::fmt::format(messy).expect("formats");
    assert_ne!(expected, messy);
    assert_eq!(edits[0]["newText"], expected.as_str());
    assert_eq!(edits[0]["range"]["start"], json!({"line": 0, "character": 0}));
    assert_eq!(edits[0]["range"]["end"], json!({"line": 5, "character": 0}));
    // Already formatted: no edits.
    c.change(&f, 2, &expected);
    let r = c.call(
        "textDocument/formatting",
        json!({"textDocument": td(&f), "options": opts}),
    );
    assert_eq!(r, json!([]));
    // Syntax errors: refused, nothing changed.
    c.change(&f, 3, "module X \"t\" {\n  credits \n");
    let r = c.request(
        "textDocument/formatting",
        json!({"textDocument": td(&f), "options": opts}),
    );
    let e = r.unwrap_err();
    assert!(e["message"].as_str().unwrap().contains("syntax errors"), "{e}");
    // ... and the user is told why (window/showMessage).
    c.drain(Duration::from_millis(500));
    assert!(
        c.log.iter().any(|m| m["method"] == "window/showMessage"
            && m["params"]["message"]
                .as_str()
                .is_some_and(|t| t.contains("syntax errors"))),
        "no showMessage for the refused format: {:?}",
        c.log
    );
    c.shutdown();
}

#[test]
fn completion_by_context() {
    let ws = Ws::new();
    let mut c = start(&ws);
    let f = ws.path("scratch.pspec");
    let labels = |v: &Value| -> Vec<String> {
        assert_eq!(v["isIncomplete"], false, "{v}");
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["label"].as_str().unwrap().to_string())
            .collect()
    };
    let complete = |c: &mut Client, text: &str| -> Vec<String> {
        c.open(&f, text);
        let lines: Vec<&str> = text.split('\n').collect();
        let p = json!({"line": lines.len() - 1, "character": lines.last().unwrap().len()});
        let r = c.call(
            "textDocument/completion",
            json!({"textDocument": td(&f), "position": p}),
        );
        labels(&r)
    };
    let top = complete(&mut c, "");
    assert_eq!(top, ["module", "programme"]);
    let m = complete(&mut c, "module 7100XX \"T\" {\n  ");
    assert!(
        m.contains(&"credits".to_string()) && m.contains(&"requires".to_string()) && !m.contains(&"award".to_string()),
        "{m:?}"
    );
    let req = complete(&mut c, "module 7100XX \"T\" {\n  requires 7001DS, ");
    assert!(
        req.contains(&"7002DS".to_string()) && req.contains(&"7004DS".to_string()),
        "{req:?}"
    );
    let cov = complete(
        &mut c,
        "module 7100XX \"T\" {\n  outcomes { LA \"a\" LB \"b\" }\n  assessment A \"x\" {\n    covers ",
    );
    assert_eq!(cov, ["LA", "LB"]);
    let core = complete(&mut c, "programme P \"p\" {\n  structure {\n    core ");
    assert!(core.contains(&"7001DS".to_string()), "{core:?}");
    let from = complete(
        &mut c,
        "programme P \"p\" {\n  structure {\n    option \"o\" choose 20 credits from 7003DS, ",
    );
    assert!(from.contains(&"7004DS".to_string()), "{from:?}");
    let prog = complete(&mut c, "programme P \"p\" {\n  ");
    assert!(
        prog.contains(&"variance".to_string()) && prog.contains(&"structure".to_string()),
        "{prog:?}"
    );
    let crit = complete(&mut c, "programme P \"p\" {\n  variance X/y {\n    criterion ");
    assert_eq!(crit, ["psrb", "discipline", "validation", "joint-award"]);
    let var = complete(&mut c, "programme P \"p\" {\n  variance X/y {\n    ");
    assert!(var.contains(&"applies-to".to_string()), "{var:?}");
    let fw = complete(&mut c, "programme P \"p\" {\n  framework ");
    assert!(fw.contains(&"ljmu-pgt-2022".to_string()), "{fw:?}");
    let aw = complete(&mut c, "programme P \"p\" {\n  award ");
    assert!(aw.contains(&"MSc".to_string()), "{aw:?}");
    let rules = complete(&mut c, "programme P \"p\" {\n  variance ");
    assert!(rules.iter().all(|r| !r.starts_with("spec/")), "{rules:?}");
    c.shutdown();
}

#[test]
fn code_actions_add_covers_and_fix_weights() {
    let ws = Ws::new();
    let mut c = start(&ws);
    let f = ws.path("modules.pspec");
    // LO2 is covered by nothing: offer `covers` on AS1 (append) and AS2 (new line).
    let p = pos(MODULES, "LO2", 0);
    let r = c.call(
        "textDocument/codeAction",
        json!({"textDocument": td(&f), "range": {"start": p, "end": p}, "context": {"diagnostics": []}}),
    );
    let titles: Vec<&str> = r
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert!(titles.contains(&"assess outcome `LO2` in `AS1`"), "{titles:?}");
    let a2 = r
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"] == "assess outcome `LO2` in `AS2`")
        .unwrap();
    let edit = &a2["edit"]["changes"][uri(&f)][0];
    assert_eq!(edit["newText"], "    covers LO2\n");
    // Weights 60% + 30%: set AS2 to 40% (or AS1 to 70%).
    let p = pos(MODULES, "weight 30%", 0);
    let r = c.call(
        "textDocument/codeAction",
        json!({"textDocument": td(&f), "range": {"start": p, "end": p}, "context": {"diagnostics": []}}),
    );
    let a = r
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"].as_str().unwrap().contains("`AS2` to 40%"))
        .expect("weight fix");
    let edit = &a["edit"]["changes"][uri(&f)][0];
    assert_eq!(edit["newText"], "40");
    assert_eq!(edit["range"]["start"], pos(MODULES, "30%", 0));
    assert_eq!(edit["range"]["end"], pos(MODULES, "30%", 2));
    c.shutdown();
}

#[test]
fn inlay_hints_on_structure_and_options() {
    let ws = Ws::new();
    let mut c = start(&ws);
    let f = ws.path("programme.pspec");
    let r = c.call(
        "textDocument/inlayHint",
        json!({"textDocument": td(&f), "range": {"start": {"line": 0, "character": 0}, "end": {"line": 99, "character": 0}}}),
    );
    let labels: Vec<&str> = r
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["label"].as_str().unwrap())
        .collect();
    assert_eq!(
        labels,
        ["credits year 1: S1 40, S2 20 = 60; 2 pathways", "2 ways to choose"],
        "{r:#}"
    );
    assert_eq!(r[0]["position"], pos(PROGRAMME, "structure {", 11));
    c.shutdown();
}

#[test]
fn semantic_tokens_cover_keywords_codes_strings_and_comments() {
    let ws = Ws::new();
    let mut c = start(&ws);
    let f = ws.path("programme.pspec");
    let legend = {
        let mut c2 = Client::start(env!("CARGO_BIN_EXE_spec"), ws.root(), &[]);
        let init = c2.initialize(Some(ws.root()), json!({}));
        c2.shutdown();
        init["capabilities"]["semanticTokensProvider"]["legend"]["tokenTypes"].clone()
    };
    let r = c.call("textDocument/semanticTokens/full", json!({"textDocument": td(&f)}));
    let data: Vec<u64> = r["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap())
        .collect();
    assert_eq!(data.len() % 5, 0);
    // Decode to (line, col, len, type).
    let (mut line, mut col) = (0u64, 0u64);
    let mut toks = Vec::new();
    for t in data.chunks(5) {
        if t[0] > 0 {
            line += t[0];
            col = t[1];
        } else {
            col += t[1];
        }
        toks.push((
            line,
            col,
            t[2],
            legend[t[3] as usize].as_str().unwrap().to_string(),
            t[4],
        ));
    }
    let text_of =
        |l: u64, c: u64, n: u64| PROGRAMME.lines().nth(l as usize).unwrap()[c as usize..(c + n) as usize].to_string();
    let find = |s: &str| {
        toks.iter()
            .find(|t| text_of(t.0, t.1, t.2) == s)
            .map(|t| (t.3.clone(), t.4))
            .unwrap_or_else(|| panic!("no token `{s}`"))
    };
    assert_eq!(find("programme"), ("keyword".into(), 0));
    assert_eq!(find("MSCDS"), ("class".into(), 1));
    assert_eq!(find("\"MSc Data Science\""), ("string".into(), 0));
    assert_eq!(find("7002DS"), ("type".into(), 0));
    assert_eq!(find("PG.A4.2/module-size"), ("function".into(), 0));
    assert_eq!(find("180"), ("number".into(), 0));
    assert_eq!(find("discipline"), ("enum".into(), 0));
    c.shutdown();
}

#[test]
fn utf8_position_encoding_is_negotiated() {
    let ws = Ws::new();
    let mut c = Client::start(env!("CARGO_BIN_EXE_spec"), ws.root(), &[("SPEC_LSP_DEBOUNCE_MS", "10")]);
    let init = c.initialize(
        Some(ws.root()),
        json!({"general": {"positionEncodings": ["utf-8", "utf-16"]}}),
    );
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-8");
    let f = ws.path("unicode.pspec");
    // A non-ASCII title before the bad level on the same line: `é` is 2
    // bytes (utf-8) but 1 unit (utf-16).
    let text = "module 7009XX \"é\" { level 12 credits 10 outcomes { LO1 \"x\" } assessment A \"a\" { kind exam covers LO1 } }\n";
    c.open(&f, text);
    c.wait_for("invalid level", WAIT, |d| {
        d.get(&uri(&f))
            .is_some_and(|v| codes(v) == vec!["spec/invalid-value".to_string()])
    });
    let d = &c.diagnostics[&uri(&f)][0];
    assert_eq!(d["range"]["start"]["character"], text.find("12").unwrap() as u64);
    c.shutdown();

    let mut c = start(&ws);
    c.open(&f, text);
    c.wait_for("invalid level", WAIT, |d| {
        d.get(&uri(&f))
            .is_some_and(|v| codes(v) == vec!["spec/invalid-value".to_string()])
    });
    let d = &c.diagnostics[&uri(&f)][0];
    assert_eq!(d["range"]["start"]["character"], text.find("12").unwrap() as u64 - 1);
    c.shutdown();
}

#[test]
fn garbage_requests_and_edits_keep_the_server_serving() {
    let ws = Ws::new();
    let mut c = start(&ws);
    let f = ws.path("modules.pspec");
    let unknown = ws.path("nope/unknown.pspec");
    // Unknown URIs, non-file URIs, positions past the end.
    assert_eq!(
        c.call(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri(&unknown)}, "position": {"line": 0, "character": 0}})
        ),
        Value::Null
    );
    assert_eq!(
        c.call(
            "textDocument/hover",
            json!({"textDocument": {"uri": "untitled:Untitled-1"}, "position": {"line": 0, "character": 0}})
        ),
        Value::Null
    );
    let _ = c.call(
        "textDocument/hover",
        json!({"textDocument": td(&f), "position": {"line": 9999, "character": 9999}}),
    );
    let _ = c.call(
        "textDocument/definition",
        json!({"textDocument": td(&f), "position": {"line": 2, "character": 9999}}),
    );
    // An empty file, half-typed text, binary-looking text, an edit with an
    // out-of-range range.
    c.open(&f, "");
    for (i, t) in [
        "module",
        "module 7",
        "module 7001DS \"Res",
        "programme P { structure { core",
        "}}}{{{\"\"\"",
        "\u{0}\u{feff}é\r\n",
    ]
    .iter()
    .enumerate()
    {
        c.change(&f, i as i64 + 2, t);
        let _ = c.call(
            "textDocument/completion",
            json!({"textDocument": td(&f), "position": {"line": 0, "character": t.len()}}),
        );
        let _ = c.call("textDocument/semanticTokens/full", json!({"textDocument": td(&f)}));
        let _ = c.call("textDocument/documentSymbol", json!({"textDocument": td(&f)}));
    }
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri(&f), "version": 99},
               "contentChanges": [{"range": {"start": {"line": 50, "character": 3}, "end": {"line": 2, "character": 0}}, "text": "x"}]}),
    );
    // Unknown method: an error, not a crash.
    assert!(c.request("spec/unknown", json!({})).is_err());
    // Still serving.
    c.change(&f, 200, MODULES);
    let h = c.call("textDocument/hover", at(&f, MODULES, "7002DS", 0));
    assert!(h["contents"]["value"].as_str().unwrap().contains("Machine Learning"));
    assert!(c.alive());
    c.shutdown();
}

#[test]
fn a_panic_in_one_request_does_not_take_the_server_down() {
    let ws = Ws::new();
    let mut c = Client::start(
        env!("CARGO_BIN_EXE_spec"),
        ws.root(),
        &[("SPEC_LSP_TEST_PANIC", "hover")],
    );
    c.initialize(Some(ws.root()), json!({}));
    let f = ws.path("modules.pspec");
    let r = c.request("textDocument/hover", at(&f, MODULES, "7002DS", 0));
    assert_eq!(r.unwrap_err()["code"], -32603);
    let d = c.call("textDocument/definition", at(&f, MODULES, "requires 7001DS", 10));
    assert_eq!(d[0]["uri"], uri(&f));
    assert!(c.alive());
    c.shutdown();
}

#[test]
fn cancelled_requests_are_answered() {
    let ws = Ws::new();
    let mut c = start(&ws);
    let f = ws.path("modules.pspec");
    let id = c.send_request(
        "textDocument/references",
        json!({"textDocument": td(&f), "position": pos(MODULES, "7001DS", 0), "context": {"includeDeclaration": true}}),
    );
    c.notify("$/cancelRequest", json!({"id": id}));
    // Either cancelled (-32800) or already answered: never left hanging.
    match c.response(id) {
        Ok(v) => assert!(v.is_array()),
        Err(e) => assert_eq!(e["code"], -32800),
    }
    assert!(c.call("textDocument/hover", at(&f, MODULES, "7002DS", 0)).is_object());
    c.shutdown();
}

#[test]
fn a_single_file_without_workspace_root() {
    let dir = tempfile::tempdir().unwrap();
    let f = std::fs::canonicalize(dir.path()).unwrap().join("alone.pspec");
    let text = "module 7001XX \"Alone\" {\n  credits 10\n  level 9\n}\n";
    std::fs::write(&f, text).unwrap();
    let mut c = Client::start(
        env!("CARGO_BIN_EXE_spec"),
        dir.path(),
        &[("SPEC_LSP_DEBOUNCE_MS", "10")],
    );
    c.initialize(None, json!({}));
    c.open(&f, text);
    c.wait_for("diagnostics of the lone file", WAIT, |d| {
        d.get(&uri(&f))
            .is_some_and(|v| codes(v).contains(&"spec/invalid-value".into()))
    });
    let h = c.call(
        "textDocument/hover",
        json!({"textDocument": td(&f), "position": pos(text, "7001XX", 0)}),
    );
    assert!(h["contents"]["value"].as_str().unwrap().contains("Alone"));
    c.shutdown();
}

fn conformance(name: &str) -> String {
    std::fs::read_to_string(format!("{}/../shared/conformance/{name}", env!("CARGO_MANIFEST_DIR")))
        .expect("conformance case")
}

/// A workspace holding one conformance case.
fn case_ws(name: &str, text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("spec.toml"), "").unwrap();
    let f = std::fs::canonicalize(dir.path()).unwrap().join(name);
    std::fs::write(&f, text).unwrap();
    (dir, f)
}

#[test]
fn waived_diagnostics_are_hints_naming_the_variance_with_the_rule_in_its_policy_file() {
    let text = conformance("msc-variances.pspec");
    let (dir, f) = case_ws("msc-variances.pspec", &text);
    let mut c = Client::start(
        env!("CARGO_BIN_EXE_spec"),
        dir.path(),
        &[("SPEC_LSP_DEBOUNCE_MS", "10")],
    );
    c.initialize(Some(dir.path()), json!({}));
    c.wait_for("waived module-size", WAIT, |d| {
        d.get(&uri(&f))
            .is_some_and(|v| v.iter().any(|x| x["code"] == "PG.A4.2/module-size"))
    });
    let diags = c.diagnostics[&uri(&f)].clone();
    let waived: Vec<&Value> = diags.iter().filter(|x| x["code"] == "PG.A4.2/module-size").collect();
    assert!(!waived.is_empty());
    for w in &waived {
        assert_eq!(w["severity"], 4, "{w:#}");
        let msg = w["message"].as_str().unwrap();
        assert!(
            msg.contains(", waived by the ") && msg.contains(" variance at "),
            "{msg}"
        );
        assert!(
            msg.contains("clause PG.A4.2: see `spec explain PG.A4.2/module-size`"),
            "{msg}"
        );
        let related = w["relatedInformation"].as_array().expect("related information");
        let rule = related
            .iter()
            .find(|r| {
                r["location"]["uri"]
                    .as_str()
                    .unwrap()
                    .ends_with("/policies/ljmu-pgt-2022.policy")
            })
            .unwrap_or_else(|| panic!("no link to the policy file: {related:#?}"));
        assert!(rule["message"].as_str().unwrap().contains("PG.A4.2/module-size"));
        assert!(related
            .iter()
            .any(|r| r["message"].as_str().unwrap().starts_with("waives this finding: the ")));
    }
    // Not waived: the unused and pending variances.
    let cs = codes(&diags);
    assert!(
        cs.contains(&"spec/variance-unused".to_string()) && cs.contains(&"spec/variance-pending".to_string()),
        "{cs:?}"
    );
    c.shutdown();
}

#[test]
fn rule_ids_hover_complete_and_go_to_their_policy_definition() {
    let text = conformance("msc-variances.pspec");
    let (dir, f) = case_ws("msc-variances.pspec", &text);
    let mut c = Client::start(
        env!("CARGO_BIN_EXE_spec"),
        dir.path(),
        &[("SPEC_LSP_DEBOUNCE_MS", "10")],
    );
    c.initialize(Some(dir.path()), json!({}));
    let p = json!({"textDocument": td(&f), "position": pos(&text, "variance PG.A4.2/module-size", 12)});
    let h = c.call("textDocument/hover", p.clone());
    let md = h["contents"]["value"].as_str().unwrap();
    assert!(md.contains("clause PG.A4.2"), "{md}");
    assert!(
        md.contains("admitted criteria: ") && md.contains("psrb") && md.contains("discipline"),
        "{md}"
    );
    assert!(md.contains("> "), "the clause text is quoted: {md}");
    let d = c.call("textDocument/definition", p);
    let target = d[0]["uri"].as_str().unwrap();
    assert!(target.ends_with("/embedded/policies/ljmu-pgt-2022.policy"), "{target}");
    let path = PathBuf::from(target.trim_start_matches("file://"));
    let policy = std::fs::read_to_string(&path).expect("the embedded pack is materialised");
    assert!(std::fs::metadata(&path).unwrap().permissions().readonly());
    let line = d[0]["range"]["start"]["line"].as_u64().unwrap() as usize;
    assert!(
        policy.lines().nth(line).unwrap().contains("PG.A4.2/module-size"),
        "{}",
        policy.lines().nth(line).unwrap()
    );
    // Award hover: requirements from the pack.
    let h = c.call(
        "textDocument/hover",
        json!({"textDocument": td(&f), "position": pos(&text, "award MSc", 7)}),
    );
    assert!(h["contents"]["value"].as_str().unwrap().contains("credits"), "{h}");
    // Completion after `variance`: waivable rules of the packs, no `spec/` ones.
    let scratch = std::fs::canonicalize(dir.path()).unwrap().join("scratch.pspec");
    let t = "programme P \"p\" {\n  variance ";
    c.open(&scratch, t);
    let r = c.call(
        "textDocument/completion",
        json!({"textDocument": td(&scratch), "position": {"line": 1, "character": 11}}),
    );
    let labels: Vec<&str> = r["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["label"].as_str().unwrap())
        .collect();
    assert!(
        labels.contains(&"PG.A4.2/module-size") && labels.contains(&"PG.C1.4/outcome-assessed"),
        "{labels:?}"
    );
    assert!(
        !labels
            .iter()
            .any(|l| l.starts_with("spec/") || l.starts_with("PG.A1.6/")),
        "{labels:?}"
    );
    let t = "programme P \"p\" {\n  framework ";
    c.change(&scratch, 2, t);
    let r = c.call(
        "textDocument/completion",
        json!({"textDocument": td(&scratch), "position": {"line": 1, "character": 12}}),
    );
    let labels: Vec<&str> = r["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["label"].as_str().unwrap())
        .collect();
    assert!(
        labels.contains(&"ljmu-pgt-2022") && labels.contains(&"ntu-online-2018"),
        "{labels:?}"
    );
    c.shutdown();
}

/// The byte offset of an LSP position in ASCII text.
fn offset_of(text: &str, p: &Value) -> usize {
    let line = p["line"].as_u64().unwrap() as usize;
    let ch = p["character"].as_u64().unwrap() as usize;
    text.split_inclusive('\n').take(line).map(str::len).sum::<usize>() + ch
}

/// (code, severity, line) of each diagnostic, sorted.
fn triples(diags: &[Value]) -> Vec<(String, u64, u64)> {
    let mut v: Vec<(String, u64, u64)> = diags
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap_or("?").to_string(),
                d["severity"].as_u64().unwrap_or(0),
                d["range"]["start"]["line"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    v.sort();
    v
}

/// Issue 9 point 5: one stub per criterion the rule admits (its `admits`
/// line: psrb, discipline, joint-award for PG.A4.2/module-size), `psrb` once
/// per accreditation of the programme and no `joint-award` without a joint
/// partner; each stub, applied as it is, waives the finding and raises only
/// `spec/variance-pending` (no `approved` line: the committee has not met),
/// never an error of its own (D100, D101).
#[test]
fn code_action_inserts_a_variance_stub_for_a_waivable_diagnostic() {
    let text = conformance("msc-violations.pspec").replace(
        "  validated 2024-06-12\n",
        "  validated 2024-06-12\n  previous-validation 2019-06-01\n  accreditation \"Engineering Council\"\n  accreditation \"Institution of \\\"Mechanical\\\" Engineers\"\n",
    );
    let (dir, f) = case_ws("msc-violations.pspec", &text);
    let mut c = Client::start(
        env!("CARGO_BIN_EXE_spec"),
        dir.path(),
        &[("SPEC_LSP_DEBOUNCE_MS", "10")],
    );
    c.initialize(Some(dir.path()), json!({}));
    c.open(&f, &text);
    c.wait_for("module-size", WAIT, |d| {
        d.get(&uri(&f))
            .is_some_and(|v| v.iter().any(|x| x["code"] == "PG.A4.2/module-size"))
    });
    c.drain(Duration::from_millis(300));
    let before = c.diagnostics[&uri(&f)].clone();
    let size_line = pos(&text, "credits 15", 0)["line"].as_u64().unwrap();
    let diag = before
        .iter()
        .find(|x| x["code"] == "PG.A4.2/module-size" && x["range"]["start"]["line"] == size_line)
        .unwrap()
        .clone();
    let r = c.call(
        "textDocument/codeAction",
        json!({"textDocument": td(&f), "range": diag["range"], "context": {"diagnostics": [diag]}}),
    );
    let stubs: Vec<&Value> = r
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| {
            a["title"]
                .as_str()
                .unwrap()
                .starts_with("add a variance for `PG.A4.2/module-size` to programme `MSCEN`")
        })
        .collect();
    let titles: Vec<&str> = stubs.iter().map(|a| a["title"].as_str().unwrap()).collect();
    assert_eq!(
        titles,
        [
            "add a variance for `PG.A4.2/module-size` to programme `MSCEN` (criterion psrb `Engineering Council`)",
            "add a variance for `PG.A4.2/module-size` to programme `MSCEN` (criterion psrb `Institution of \"Mechanical\" Engineers`)",
            "add a variance for `PG.A4.2/module-size` to programme `MSCEN` (criterion `discipline`)",
        ],
        "{r:#}"
    );
    let criteria = [
        "criterion psrb \"Engineering Council\"",
        "criterion psrb \"Institution of \\\"Mechanical\\\" Engineers\"",
        "criterion discipline",
    ];
    for (i, (a, criterion)) in stubs.iter().zip(criteria).enumerate() {
        assert_eq!(a["diagnostics"][0]["code"], "PG.A4.2/module-size");
        let edits = a["edit"]["changes"][uri(&f)].as_array().unwrap();
        assert_eq!(edits.len(), 1, "{a:#}");
        let edit = &edits[0];
        let new = edit["newText"].as_str().unwrap();
        assert_eq!(
            new,
            format!(
                "\n  variance PG.A4.2/module-size {{\n    applies-to 7102EN\n    {criterion}\n    \
                 rationale \"TODO: why the exception is needed\"\n    \
                 alternative \"TODO: what is done instead\"\n    \
                 evidence \"TODO: where the case is documented\"\n    \
                 submitted 2024-06-11  # TODO: the date the application was submitted\n  }}\n"
            ),
            "{a:#}"
        );
        // Apply the edit as the editor would, and send the new text.
        let (s, e) = (
            offset_of(&text, &edit["range"]["start"]),
            offset_of(&text, &edit["range"]["end"]),
        );
        let mut applied = text.clone();
        applied.replace_range(s..e, new);
        assert!(spec::syntax::parse(&applied).errors.is_empty(), "{applied}");
        c.change(&f, 2 + i as i64, &applied);
        c.wait_for("the stub's diagnostics", WAIT, |d| {
            d.get(&uri(&f)).is_some_and(|v| {
                v.iter().any(|x| x["code"] == "spec/variance-pending")
                    && v.iter()
                        .any(|x| x["code"] == "PG.A4.2/module-size" && x["severity"] == 4)
            })
        });
        c.drain(Duration::from_millis(300));
        let after = c.diagnostics[&uri(&f)].clone();
        // Exactly what was there, the finding now waived (a hint), plus the
        // pending warning on the new variance: nothing else.
        let stub_line = applied[..applied.find("variance PG.A4.2/module-size").unwrap()]
            .matches('\n')
            .count() as u64;
        let mut expected: Vec<(String, u64, u64)> = triples(&before)
            .into_iter()
            .map(|(code, sev, line)| {
                if code == "PG.A4.2/module-size" && line == size_line {
                    (code, 4, line)
                } else {
                    (code, sev, line)
                }
            })
            .collect();
        expected.push(("spec/variance-pending".into(), 2, stub_line));
        expected.sort();
        assert_eq!(triples(&after), expected, "{applied}\n{after:#?}");
        let pending = after.iter().find(|x| x["code"] == "spec/variance-pending").unwrap();
        assert!(pending["message"].as_str().unwrap().contains("approved"), "{pending:#}");
        c.change(&f, 100 + i as i64, &text);
        c.wait_for("the stub gone", WAIT, |d| {
            d.get(&uri(&f))
                .is_some_and(|v| !v.iter().any(|x| x["code"] == "spec/variance-pending"))
        });
    }
    c.shutdown();
}

/// Issue 9 point 5: a `joint-award` stub only for a joint partnership, no
/// `psrb` stub without an accreditation.
#[test]
fn variance_stubs_offer_joint_award_only_for_joint_programmes() {
    let text = conformance("msc-violations.pspec").replace(
        "  validated 2024-06-12\n",
        "  validated 2024-06-12\n  partner \"Example College\" {\n    model joint\n    link-tutor \"Dr A\"\n    programme-leader \"Dr B\"\n    operational-framework \"OF-1\"\n  }\n",
    );
    let (dir, f) = case_ws("msc-violations.pspec", &text);
    let mut c = Client::start(
        env!("CARGO_BIN_EXE_spec"),
        dir.path(),
        &[("SPEC_LSP_DEBOUNCE_MS", "10")],
    );
    c.initialize(Some(dir.path()), json!({}));
    c.open(&f, &text);
    c.wait_for("module-size", WAIT, |d| {
        d.get(&uri(&f))
            .is_some_and(|v| v.iter().any(|x| x["code"] == "PG.A4.2/module-size"))
    });
    let p = pos(&text, "credits 15", 8);
    let r = c.call(
        "textDocument/codeAction",
        json!({"textDocument": td(&f), "range": {"start": p, "end": p}, "context": {"diagnostics": []}}),
    );
    let titles: Vec<&str> = r
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .filter(|t| t.starts_with("add a variance for `PG.A4.2/module-size`"))
        .collect();
    assert_eq!(
        titles,
        [
            "add a variance for `PG.A4.2/module-size` to programme `MSCEN` (criterion `discipline`)",
            "add a variance for `PG.A4.2/module-size` to programme `MSCEN` (criterion `joint-award`)",
        ],
        "{r:#}"
    );
    c.shutdown();
}

#[test]
fn policy_compile_errors_are_shown_in_the_policy_file() {
    let dir = tempfile::tempdir().unwrap();
    let root = std::fs::canonicalize(dir.path()).unwrap();
    std::fs::write(root.join("spec.toml"), "[policy]\npaths = [\"extra.policy\"]\n").unwrap();
    std::fs::write(root.join("a.pspec"), MODULES).unwrap();
    let pol = root.join("extra.policy");
    std::fs::write(&pol, "this is not a policy {\n").unwrap();
    let mut c = Client::start(env!("CARGO_BIN_EXE_spec"), &root, &[("SPEC_LSP_DEBOUNCE_MS", "10")]);
    c.initialize(Some(&root), json!({}));
    c.wait_for("a diagnostic in extra.policy", WAIT, |d| {
        d.get(&uri(&pol)).is_some_and(|v| !v.is_empty())
    });
    let d = &c.diagnostics[&uri(&pol)][0];
    assert_eq!(d["severity"], 1, "{d:#}");
    assert_eq!(d["range"]["start"]["line"], 0, "{d:#}");
    // Fixing the file on disk (a save) clears it.
    std::fs::write(&pol, "framework local-extra \"Local extra rules\"\n").unwrap();
    c.notify("textDocument/didSave", json!({"textDocument": td(&pol)}));
    c.wait_for("cleared", WAIT, |d| d.get(&uri(&pol)).is_some_and(|v| v.is_empty()));
    c.shutdown();
}

/// (code, line) pairs of `spec check --format json` for one file.
fn cli_diagnostics(root: &Path, file: &str) -> Vec<(String, u64)> {
    let out = support::bin().args(["check", "--format", "json", "."]).dir(root).run();
    let v: Value = serde_json::from_str(&out.stdout).expect("json");
    let mut r: Vec<(String, u64)> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["file"] == file && d["waived"] == false)
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["range"]["start"]["line"].as_u64().unwrap() - 1,
            )
        })
        .collect();
    r.sort();
    r
}

fn lsp_pairs(diags: &[Value]) -> Vec<(String, u64)> {
    let mut r: Vec<(String, u64)> = diags
        .iter()
        .filter(|d| d["severity"] != 4)
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["range"]["start"]["line"].as_u64().unwrap(),
            )
        })
        .collect();
    r.sort();
    r
}

#[test]
fn every_publication_after_an_edit_agrees_with_spec_check() {
    let ws = Ws::new();
    let mut c = start(&ws);
    let f = ws.path("modules.pspec");
    c.wait_for("startup", WAIT, |d| d.get(&uri(&f)).is_some_and(|v| !v.is_empty()));
    c.open(&f, MODULES);
    // An edit that changes cross-file results: 7002DS becomes 15 credits
    // (the programme's credit total and the option pathways change too).
    let edited = MODULES.replace(
        "module 7002DS \"Machine Learning\" {\n  credits 20",
        "module 7002DS \"Machine Learning\" {\n  credits 15",
    );
    assert_ne!(edited, MODULES);
    std::fs::write(&f, &edited).unwrap();
    let expected = cli_diagnostics(ws.root(), "modules.pspec");
    let prog = ws.path("programme.pspec");
    let expected_prog = cli_diagnostics(ws.root(), "programme.pspec");
    let before = c.publications.len();
    // The edit changes another file's diagnostics: the programme's variance
    // for 7002DS's module size now waives a finding (the credit total is not
    // evaluated: the programme lists 7004DS, whose level is out of range).
    let prog_before = c.diagnostics.get(&uri(&prog)).map(|v| lsp_pairs(v)).unwrap_or_default();
    assert_ne!(
        prog_before, expected_prog,
        "the edit must change the programme's diagnostics"
    );
    c.change(&f, 2, &edited);
    // Wait for the whole-workspace pass to publish the programme's.
    c.wait_for("the programme's diagnostics after the edit", WAIT, |d| {
        d.get(&uri(&prog)).is_some_and(|v| lsp_pairs(v) == expected_prog)
    });
    // The edited file gains a cross-file diagnostic: module-size, from the programme.
    assert!(
        expected.iter().any(|(code, _)| code == "PG.A4.2/module-size"),
        "{expected:?}"
    );
    c.drain(Duration::from_millis(300));
    let after: Vec<&Vec<Value>> = c.publications[before..]
        .iter()
        .filter(|(_, u, _)| *u == uri(&f))
        .map(|(_, _, d)| d)
        .collect();
    assert!(!after.is_empty(), "no publication after the edit");
    for p in &after {
        assert_eq!(lsp_pairs(p), expected);
    }
    c.shutdown();
}

#[test]
fn references_of_a_rule_id_include_its_policy_definition() {
    let text = conformance("msc-variances.pspec");
    let (dir, f) = case_ws("msc-variances.pspec", &text);
    let mut c = Client::start(
        env!("CARGO_BIN_EXE_spec"),
        dir.path(),
        &[("SPEC_LSP_DEBOUNCE_MS", "10")],
    );
    c.initialize(Some(dir.path()), json!({}));
    let p = pos(&text, "variance PG.A4.4/semester-balance", 12);
    let r = c.call(
        "textDocument/references",
        json!({"textDocument": td(&f), "position": p, "context": {"includeDeclaration": true}}),
    );
    let r = r.as_array().unwrap();
    assert_eq!(r.len(), 2, "{r:#?}");
    assert!(
        r[0]["uri"]
            .as_str()
            .unwrap()
            .ends_with("/policies/ljmu-pgt-2022.policy"),
        "{r:#?}"
    );
    assert_eq!(r[1]["uri"], uri(&f));
    assert_eq!(r[1]["range"]["start"], pos(&text, "PG.A4.4/semester-balance {", 0));
    let r = c.call(
        "textDocument/references",
        json!({"textDocument": td(&f), "position": p, "context": {"includeDeclaration": false}}),
    );
    assert_eq!(r.as_array().unwrap().len(), 1);
    c.shutdown();
}

/// xorshift, deterministic.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

#[test]
fn random_edits_and_requests_never_fail_inside_the_server() {
    let ws = Ws::new();
    let mut c = start(&ws);
    let f = ws.path("modules.pspec");
    let mut text = MODULES.to_string() + PROGRAMME + "# é ü 𝄞 \u{feff}\r\n";
    c.open(&f, &text);
    let pieces = [
        "{",
        "}",
        "\"",
        "\"\"\"",
        "\n",
        ",",
        "é",
        "𝄞",
        "covers ",
        "requires ",
        "variance ",
        "option \"x\" choose 10 credits from ",
        "semesters 3-1",
        "99999999",
        "#",
        " ",
        "core ",
        "stage 1 {",
    ];
    // SPEC_FUZZ_SEED / SPEC_FUZZ_N explore further (the default is what CI runs).
    let seed = std::env::var("SPEC_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_1234_abcd_0001);
    let n: i64 = std::env::var("SPEC_FUZZ_N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    let mut rng = Rng(seed);
    for v in 0..n {
        // Delete a random range or insert a random piece (at char boundaries).
        let bounds: Vec<usize> = text.char_indices().map(|(i, _)| i).chain([text.len()]).collect();
        let a = bounds[rng.below(bounds.len())];
        if rng.below(3) == 0 && a < text.len() {
            let b = bounds[(bounds.iter().position(|x| *x == a).unwrap() + 1 + rng.below(20)).min(bounds.len() - 1)];
            text.replace_range(a..b, "");
        } else {
            text.insert_str(a, pieces[rng.below(pieces.len())]);
        }
        c.change(&f, v + 2, &text);
        let lines = text.split('\n').count() as u64;
        let p = json!({"line": rng.below(lines as usize + 1), "character": rng.below(40)});
        let q = json!({"line": rng.below(lines as usize + 1), "character": rng.below(40)});
        let calls = [
            ("textDocument/hover", json!({"textDocument": td(&f), "position": p})),
            (
                "textDocument/completion",
                json!({"textDocument": td(&f), "position": p}),
            ),
            (
                "textDocument/definition",
                json!({"textDocument": td(&f), "position": p}),
            ),
            (
                "textDocument/references",
                json!({"textDocument": td(&f), "position": p, "context": {"includeDeclaration": true}}),
            ),
            ("textDocument/documentSymbol", json!({"textDocument": td(&f)})),
            ("textDocument/semanticTokens/full", json!({"textDocument": td(&f)})),
            (
                "textDocument/inlayHint",
                json!({"textDocument": td(&f), "range": {"start": p, "end": q}}),
            ),
            (
                "textDocument/codeAction",
                json!({"textDocument": td(&f), "range": {"start": p, "end": q}, "context": {"diagnostics": []}}),
            ),
            ("workspace/symbol", json!({"query": "7"})),
        ];
        for (m, params) in calls {
            if let Err(e) = c.request(m, params) {
                assert_ne!(
                    e["code"], -32603,
                    "{m} failed inside the server after edit {v}: {e}\ntext:\n{text}"
                );
            }
        }
        // prepareRename / rename / formatting may refuse (-32602), never fail inside.
        for (m, params) in [
            (
                "textDocument/prepareRename",
                json!({"textDocument": td(&f), "position": p}),
            ),
            (
                "textDocument/rename",
                json!({"textDocument": td(&f), "position": p, "newName": "X9"}),
            ),
            (
                "textDocument/formatting",
                json!({"textDocument": td(&f), "options": {"tabSize": 2, "insertSpaces": true}}),
            ),
        ] {
            if let Err(e) = c.request(m, params) {
                assert_ne!(
                    e["code"], -32603,
                    "{m} failed inside the server after edit {v}: {e}\ntext:\n{text}"
                );
            }
        }
    }
    assert!(c.alive());
    c.shutdown();
}

#[test]
fn unsaved_policy_buffers_are_compiled_as_typed() {
    let dir = tempfile::tempdir().unwrap();
    let root = std::fs::canonicalize(dir.path()).unwrap();
    std::fs::write(root.join("spec.toml"), "[policy]\npaths = [\"rules\"]\n").unwrap();
    std::fs::create_dir(root.join("rules")).unwrap();
    std::fs::write(root.join("a.pspec"), MODULES).unwrap();
    let pol = root.join("rules/extra.policy");
    let good = "framework local-extra \"Local extra rules\"\n";
    std::fs::write(&pol, good).unwrap();
    let mut c = Client::start(env!("CARGO_BIN_EXE_spec"), &root, &[("SPEC_LSP_DEBOUNCE_MS", "10")]);
    c.initialize(Some(&root), json!({}));
    c.wait_for("start-up", WAIT, |d| {
        d.get(&uri(&root.join("a.pspec"))).is_some_and(|v| !v.is_empty())
    });
    assert!(c.diagnostics.get(&uri(&pol)).is_none_or(|v| v.is_empty()));
    c.open(&pol, good);
    // Typing a broken line (not saved): the error shows in the buffer, at the
    // buffer's position.
    let broken = format!("{good}\nthis is not policy\n");
    c.change(&pol, 2, &broken);
    c.wait_for("a diagnostic in the unsaved policy buffer", WAIT, |d| {
        d.get(&uri(&pol)).is_some_and(|v| !v.is_empty())
    });
    assert_eq!(
        c.diagnostics[&uri(&pol)][0]["range"]["start"]["line"],
        2,
        "{:#?}",
        c.diagnostics[&uri(&pol)]
    );
    assert_eq!(
        std::fs::read_to_string(&pol).unwrap(),
        good,
        "the file on disk is untouched"
    );
    // Undoing the edit clears it; so does closing the buffer.
    c.change(&pol, 3, good);
    c.wait_for("cleared", WAIT, |d| d.get(&uri(&pol)).is_some_and(|v| v.is_empty()));
    c.change(&pol, 4, &broken);
    c.wait_for("broken again", WAIT, |d| {
        d.get(&uri(&pol)).is_some_and(|v| !v.is_empty())
    });
    c.notify("textDocument/didClose", json!({"textDocument": td(&pol)}));
    c.wait_for("cleared on close", WAIT, |d| {
        d.get(&uri(&pol)).is_some_and(|v| v.is_empty())
    });
    c.shutdown();
}

/// The messages of a publication (`level `N` is not between 3 and 8`).
fn messages(diags: &[Value]) -> Vec<String> {
    diags
        .iter()
        .filter_map(|d| d["message"].as_str().map(String::from))
        .collect()
}

#[test]
fn rapid_successive_edits_end_with_diagnostics_of_the_final_text_only() {
    let ws = Ws::new();
    let mut c = start(&ws);
    let f = ws.path("electives.pspec");
    let u = uri(&f);
    c.wait_for("startup", WAIT, |d| d.get(&u).is_some_and(|v| !v.is_empty()));
    c.open(&f, ELECTIVES);
    // Twelve versions sent back to back, each with its own invalid level
    // (31..42) in 7004DS; the last one has `level 99`.
    let versions: Vec<String> = (31..43)
        .map(|l| ELECTIVES.replace("level 12", &format!("level {l}")))
        .chain(std::iter::once(ELECTIVES.replace("level 12", "level 99")))
        .collect();
    let before = c.publications.len();
    for (i, t) in versions.iter().enumerate() {
        c.change(&f, i as i64 + 2, t);
    }
    c.wait_for("the final text's diagnostics", WAIT, |d| {
        d.get(&u)
            .is_some_and(|v| messages(v).iter().any(|m| m.contains("level `99` ")))
    });
    // Let any late (stale) publication arrive: none may follow the final one.
    c.drain(Duration::from_millis(800));
    let after: Vec<Vec<String>> = c.publications[before..]
        .iter()
        .filter(|(_, x, _)| *x == u)
        .map(|(_, _, d)| messages(d))
        .collect();
    let last = after.last().expect("a publication after the edits");
    assert!(last.iter().any(|m| m.contains("level `99` ")), "{after:#?}");
    assert!(
        !last
            .iter()
            .any(|m| (31..43).any(|l| m.contains(&format!("level `{l}` ")))),
        "{after:#?}"
    );
    let first_final = after
        .iter()
        .position(|p| p.iter().any(|m| m.contains("level `99` ")))
        .unwrap();
    for p in &after[first_final..] {
        assert_eq!(
            p, last,
            "an older version was published after the final one: {after:#?}"
        );
    }
    // At most one quick publication per edit plus the complete pass.
    assert!(after.len() <= versions.len() + 1, "{after:#?}");
    c.shutdown();
}

#[test]
fn hover_right_after_an_edit_in_a_big_workspace_answers_from_the_new_text() {
    // 150 programme files (each with its own modules) and the edited file,
    // whose module one programme lists: the whole-workspace re-check is
    // much slower than the quick analysis of the edited file.
    let dir = tempfile::tempdir().expect("tempdir");
    let root = std::fs::canonicalize(dir.path()).unwrap();
    std::fs::write(root.join("spec.toml"), "").unwrap();
    for i in 0..150 {
        let mut t = String::new();
        for m in 0..9 {
            t.push_str(&format!(
                "module 7{i:03}M{m} \"Module {m}\" {{\n  credits 20\n  level 7\n  outcomes {{ LO1 \"Do\" }}\n  assessment AS1 \"Exam\" {{ kind exam weight 100% covers LO1 }}\n}}\n"
            ));
        }
        let core: Vec<String> = (0..9).map(|m| format!("7{i:03}M{m}")).collect();
        let extra = if i == 0 { ", 7999ED" } else { "" };
        t.push_str(&format!(
            "programme P{i:03} \"MSc {i}\" {{\n  award MSc\n  framework ljmu-pgt-2022\n  credits 180\n  structure {{\n    core {}{extra} semester 1\n  }}\n}}\n",
            core.join(", ")
        ));
        std::fs::write(root.join(format!("p{i:03}.pspec")), t).unwrap();
    }
    let old = "module 7999ED \"Old Title\" {\n  credits 20\n  level 7\n  outcomes { LO1 \"Do\" }\n  assessment AS1 \"Exam\" { kind exam weight 100% covers LO1 }\n}\n";
    let f = root.join("edited.pspec");
    std::fs::write(&f, old).unwrap();
    let mut c = Client::start(env!("CARGO_BIN_EXE_spec"), &root, &[]);
    c.initialize(Some(&root), json!({}));
    let u = uri(&f);
    // Startup: the whole workspace is analysed once.
    c.wait_for("startup", Duration::from_secs(120), |d| !d.is_empty());
    c.open(&f, old);
    let h = c.call("textDocument/hover", at(&f, old, "7999ED", 0));
    assert!(h["contents"]["value"].as_str().unwrap().contains("Old Title"), "{h}");
    // The edit moves the module down three lines and renames it; the hover
    // goes out right behind it, at a position that only exists in the new
    // text.
    let new = format!("# one\n# two\n# three\n{}", old.replace("Old Title", "New Title"));
    c.change(&f, 2, &new);
    let sent = std::time::Instant::now();
    let h = c.call("textDocument/hover", at(&f, &new, "7999ED", 2));
    let took = sent.elapsed();
    let md = h["contents"]["value"].as_str().unwrap_or_default();
    assert!(md.contains("New Title") && !md.contains("Old Title"), "{h}");
    assert_eq!(h["range"]["start"], pos(&new, "7999ED", 0), "{h}");
    // It still knows the programme in another file (the quick analysis
    // includes the programmes listing the module).
    assert!(md.contains("`P000`"), "{md}");
    eprintln!("hover after the edit answered in {took:?}");
    let _ = u;
    c.shutdown();
}

/// Completion scales (issue 9): filtered by the word before the cursor,
/// ranked (the edited file's own modules first), at most 200 items with
/// `isIncomplete` when the list was cut.
#[test]
fn completion_is_filtered_ranked_and_capped() {
    let ws = Ws::new();
    let mut many = String::new();
    for i in 0..450 {
        many.push_str(&format!(
            "module 8{i:03}BIG \"Big {i}\" {{\n  credits 20\n  level 7\n}}\n"
        ));
    }
    std::fs::write(ws.root().join("big.pspec"), many).unwrap();
    let mut c = start(&ws);
    let f = ws.path("draft.pspec");
    let items = |c: &mut Client, text: &str| -> Value {
        c.open(&f, text);
        let lines: Vec<&str> = text.split('\n').collect();
        let p = json!({"line": lines.len() - 1, "character": lines.last().unwrap().len()});
        c.call(
            "textDocument/completion",
            json!({"textDocument": td(&f), "position": p}),
        )
    };
    let labels = |v: &Value| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["label"].as_str().unwrap().to_string())
            .collect()
    };
    // Nothing typed: more than 450 codes, cut at 200 and marked incomplete.
    let all = items(&mut c, "module D1 \"d\" {\n  requires ");
    assert_eq!(all["isIncomplete"], true, "{all}");
    assert_eq!(labels(&all).len(), 200);
    // A prefix: only the codes that start with it (any case), complete.
    let some = items(&mut c, "module D1 \"d\" {\n  requires 801");
    let got = labels(&some);
    assert_eq!(some["isIncomplete"], false);
    assert_eq!(got.len(), 10, "{got:?}");
    assert!(got.iter().all(|l| l.starts_with("801")), "{got:?}");
    let lower = labels(&items(&mut c, "module D1 \"d\" {\n  requires 8001b"));
    assert_eq!(lower, ["8001BIG"]);
    // The edited file's own modules come first.
    let own = labels(&items(
        &mut c,
        "module 8999OWN \"o\" {\n  credits 20\n  level 7\n}\nmodule D1 \"d\" {\n  requires 8",
    ));
    assert_eq!(own.first().map(String::as_str), Some("8999OWN"), "{own:?}");
    c.shutdown();
}

/// The server finds workspaces as `spec check` does (issue 7): opened on a
/// folder holding two workspaces (the same module codes in each) and a
/// loose file, it publishes exactly what `spec check .` reports there, and
/// no `spec/duplicate` from merging them.
#[test]
fn nested_workspaces_publish_what_spec_check_reports() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = std::fs::canonicalize(dir.path()).unwrap();
    for ws in ["fac-a", "fac-b"] {
        let out = support::bin().args(["init", ws]).dir(&root).run();
        assert!(out.code == Some(0));
    }
    let b_modules = root.join("fac-b/modules/example-modules.pspec");
    let text = std::fs::read_to_string(&b_modules).unwrap();
    std::fs::write(&b_modules, text.replace("credits 20", "credits 15")).unwrap();
    std::fs::write(root.join("loose.pspec"), MODULES).unwrap();

    let cli = support::bin().args(["check", "--format", "json", "."]).dir(&root).run();
    let v: Value = serde_json::from_str(&cli.stdout).expect("json");
    let mut expected: std::collections::BTreeMap<String, Vec<(String, u64)>> = Default::default();
    for d in v["diagnostics"].as_array().unwrap() {
        if d["waived"] == true {
            continue;
        }
        expected
            .entry(d["file"].as_str().unwrap().to_string())
            .or_default()
            .push((
                d["code"].as_str().unwrap().to_string(),
                d["range"]["start"]["line"].as_u64().unwrap() - 1,
            ));
    }
    for v in expected.values_mut() {
        v.sort();
    }
    assert!(
        expected.values().flatten().any(|(c, _)| c == "PG.A4.2/module-size"),
        "{expected:?}"
    );
    assert!(!expected.values().flatten().any(|(c, _)| c == "spec/duplicate"));

    let mut c = Client::start(env!("CARGO_BIN_EXE_spec"), &root, &[("SPEC_LSP_DEBOUNCE_MS", "10")]);
    c.initialize(Some(&root), json!({}));
    let want: Vec<String> = expected.keys().map(|f| uri(&root.join(f))).collect();
    c.wait_for("every file with findings", WAIT, |d| {
        want.iter().all(|u| d.get(u).is_some_and(|v| !v.is_empty()))
    });
    c.drain(Duration::from_millis(500));
    let mut got: std::collections::BTreeMap<String, Vec<(String, u64)>> = Default::default();
    for (u, diags) in &c.diagnostics {
        let pairs = lsp_pairs(diags);
        if pairs.is_empty() {
            continue;
        }
        let file = u
            .strip_prefix(&uri(&root))
            .map(|s| s.trim_start_matches('/').to_string())
            .unwrap_or_else(|| u.clone());
        got.insert(file, pairs);
    }
    assert_eq!(got, expected);
    c.shutdown();
}

/// Issue 9 point 5: after `variance ` in an LJMU programme, the rules of its
/// framework and the packs it includes (ljmu-attendance's `ATT/*`), never
/// another framework's (`NTU.10E/*` would be spec/variance-unknown-rule);
/// and the other way round in an NTU programme.
#[test]
fn variance_completion_offers_only_the_rules_of_the_programmes_framework() {
    let ws = Ws::new();
    let mut c = start(&ws);
    let f = ws.path("scratch.pspec");
    let mut version = 1;
    let mut labels = |c: &mut Client, text: &str| -> Vec<String> {
        if version == 1 {
            c.open(&f, text);
        } else {
            c.change(&f, version, text);
        }
        version += 1;
        let lines: Vec<&str> = text.split('\n').collect();
        let line = lines.iter().position(|l| l.ends_with("variance ")).unwrap();
        let p = json!({"line": line, "character": lines[line].len()});
        let r = c.call(
            "textDocument/completion",
            json!({"textDocument": td(&f), "position": p}),
        );
        r["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["label"].as_str().unwrap().to_string())
            .collect()
    };
    let has = |v: &[String], p: &str| v.iter().any(|l| l.starts_with(p));
    let ljmu = labels(
        &mut c,
        "programme P \"p\" {\n  award MSc\n  framework ljmu-pgt-2022\n  credits 180\n  variance \n}\n",
    );
    assert!(ljmu.contains(&"PG.A4.2/module-size".to_string()), "{ljmu:?}");
    assert!(has(&ljmu, "ATT/"), "the included ljmu-attendance rules: {ljmu:?}");
    assert!(!has(&ljmu, "NTU."), "{ljmu:?}");
    assert!(
        !has(&ljmu, "spec/") && !has(&ljmu, "PG.A1.6/"),
        "not waivable: {ljmu:?}"
    );
    // The framework line may come after the cursor.
    let later = labels(
        &mut c,
        "programme P \"p\" {\n  variance \n  framework ljmu-pgt-2022\n}\n",
    );
    assert_eq!(later, ljmu);
    let ntu = labels(
        &mut c,
        "programme P \"p\" {\n  framework ntu-online-2018\n  variance \n}\n",
    );
    assert!(ntu.contains(&"NTU.10E/stage-1".to_string()), "{ntu:?}");
    assert!(!has(&ntu, "PG.") && !has(&ntu, "ATT/"), "{ntu:?}");
    // A second programme in the file has its own framework.
    let two = labels(
        &mut c,
        "programme A \"a\" {\n  framework ljmu-pgt-2022\n}\nprogramme B \"b\" {\n  framework ntu-online-2018\n  variance \n}\n",
    );
    assert_eq!(two, ntu);
    c.shutdown();
}

/// Issue 9 point 5: a staged, block-delivered programme (no semesters) gets
/// its credits per stage after `structure {` and on each stage.
#[test]
fn inlay_hints_show_credits_per_stage_of_a_block_delivered_programme() {
    let text = conformance("ntu-online-msc.pspec").replace(
        "      core 7001OL, 7002OL, 7003OL, 7004OL, 7005OL, 7006OL, 7007OL, 7008OL, 7009OL, 7010OL, 7011OL, 7012OL\n",
        "      core 7001OL, 7002OL, 7003OL, 7004OL, 7005OL, 7006OL, 7007OL, 7008OL, 7009OL, 7012OL\n      option \"Electives\" choose 20 credits from 7010OL, 7011OL\n",
    );
    let (dir, f) = case_ws("ntu-online-msc.pspec", &text);
    let mut c = Client::start(
        env!("CARGO_BIN_EXE_spec"),
        dir.path(),
        &[("SPEC_LSP_DEBOUNCE_MS", "10")],
    );
    c.initialize(Some(dir.path()), json!({}));
    let r = c.call(
        "textDocument/inlayHint",
        json!({"textDocument": td(&f), "range": {"start": {"line": 0, "character": 0}, "end": {"line": 999, "character": 0}}}),
    );
    let hints: Vec<(&str, Value)> = r
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["label"].as_str().unwrap(), h["position"].clone()))
        .collect();
    assert_eq!(
        hints,
        [
            (
                "credits stage 1 120, stage 2 60 = 180; 1 pathway",
                pos(&text, "structure {", 11)
            ),
            ("credits 120", pos(&text, "\"Taught modules\" {", 18)),
            ("1 way to choose", pos(&text, "from 7010OL, 7011OL", 19)),
            ("credits 60", pos(&text, "\"Major piece of work\" {", 23)),
        ],
        "{r:#}"
    );
    c.shutdown();
}

/// Issue 9 point 5: on a rule's own `rule` line in its policy file (here
/// the built-in pack go to definition opens), hover shows the rule and
/// references list its definition and the variances citing it.
#[test]
fn hover_and_references_on_a_rules_own_line_in_its_policy_file() {
    let text = conformance("msc-variances.pspec");
    let (dir, f) = case_ws("msc-variances.pspec", &text);
    let mut c = Client::start(
        env!("CARGO_BIN_EXE_spec"),
        dir.path(),
        &[("SPEC_LSP_DEBOUNCE_MS", "10")],
    );
    c.initialize(Some(dir.path()), json!({}));
    let d = c.call(
        "textDocument/definition",
        json!({"textDocument": td(&f), "position": pos(&text, "variance PG.A4.2/module-size", 12)}),
    );
    let target = d[0]["uri"].as_str().unwrap().to_string();
    assert!(target.ends_with("/embedded/policies/ljmu-pgt-2022.policy"), "{target}");
    let path = PathBuf::from(target.trim_start_matches("file://"));
    let policy = std::fs::read_to_string(&path).unwrap();
    // The editor opens the pack it jumped to.
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": target, "languageId": "spec-policy", "version": 1, "text": policy}}),
    );
    let on_id = pos(&policy, "rule PG.A4.2/module-size {", 9);
    let h = c.call(
        "textDocument/hover",
        json!({"textDocument": {"uri": target}, "position": on_id}),
    );
    let md = h["contents"]["value"]
        .as_str()
        .unwrap_or_else(|| panic!("no hover: {h}"));
    for want in [
        "**rule `PG.A4.2/module-size`**",
        "clause PG.A4.2",
        "severity: error",
        "non-dissertation module is not 10, 20 or 30 credits",
        "admitted criteria: psrb, discipline, joint-award",
        "cited by variances in `MSCCS`",
    ] {
        assert!(md.contains(want), "`{want}` missing from {md}");
    }
    assert_eq!(h["range"]["start"], pos(&policy, "PG.A4.2/module-size {", 0));
    let refs = |c: &mut Client, decl: bool| -> Vec<(String, Value)> {
        let r = c.call(
            "textDocument/references",
            json!({"textDocument": {"uri": target}, "position": on_id, "context": {"includeDeclaration": decl}}),
        );
        r.as_array()
            .unwrap()
            .iter()
            .map(|l| (l["uri"].as_str().unwrap().to_string(), l["range"]["start"].clone()))
            .collect()
    };
    let citing = (uri(&f), pos(&text, "PG.A4.2/module-size {", 0));
    assert_eq!(
        refs(&mut c, true),
        [
            (target.clone(), pos(&policy, "PG.A4.2/module-size {", 0)),
            citing.clone()
        ]
    );
    assert_eq!(refs(&mut c, false), [citing]);
    // Go to definition on the definition itself stays there.
    let d = c.call(
        "textDocument/definition",
        json!({"textDocument": {"uri": target}, "position": on_id}),
    );
    assert_eq!(d.as_array().unwrap().len(), 1, "{d}");
    assert_eq!(d[0]["range"]["start"], pos(&policy, "PG.A4.2/module-size {", 0));
    c.shutdown();
}
