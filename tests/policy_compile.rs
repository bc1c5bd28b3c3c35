//! Policy files are compiled like code: every problem is a diagnostic in the
//! policy file, with a span, a `policy/...` code and a help line; one broken
//! rule does not hide errors in the next. Snapshots of the rendered errors.

use spec::diag::Diagnostic;
use spec::policy::compile::{compile, PackFile, PolicySet};
use spec::policy::embedded_files;
use spec::render::human::render_one;
use spec::source::{Source, SourceKind, Sources};

/// Compiles `text` (as `user.policy`) together with the embedded packs and
/// renders the compile errors.
fn errors_of(text: &str) -> (Vec<String>, String, PolicySet) {
    let mut packs = embedded_files();
    packs.push(PackFile {
        name: "user.policy".into(),
        path: None,
        text: text.into(),
        embedded: false,
    });
    let set = compile(packs);
    let mut sources = Sources::new();
    let ids: Vec<usize> = set
        .packs
        .iter()
        .map(|p| sources.add(Source::new(p.name.clone(), None, p.text.clone(), SourceKind::Policy)))
        .collect();
    let mut codes = Vec::new();
    let mut out = String::new();
    for e in &set.errors {
        // Issue 10 point 5: every compile error says what to do.
        assert!(e.help.is_some(), "`{}` has no help line: {}", e.code, e.message);
        codes.push(e.code.to_string());
        let mut d = Diagnostic::error(e.code, ids[e.pack], e.span, e.message.clone());
        d.help = e.help.clone();
        out.push_str(&render_one(&d, &sources, false));
    }
    (codes, out, set)
}

const HEAD: &str = "extend ljmu-pgt-2022\n";

#[test]
fn embedded_packs_compile_cleanly() {
    let set = compile(embedded_files());
    assert!(set.errors.is_empty(), "{:?}", set.errors);
    assert_eq!(set.frameworks.len(), 5);
    assert_eq!(set.rules.len(), 40);
}

#[test]
fn a_broken_rule_does_not_hide_the_next() {
    let text = format!(
        "{HEAD}
rule LOCAL/one {{
  clause LOCAL \"text\"
  for m in programme.modules
  require m.credits <=
  message \"x\"
}}

rule LOCAL/two {{
  clause LOCAL \"text\"
  for m in programme.modules
  require m.credit <= 20
  message \"module `{{m.code}}` is large\"
}}
"
    );
    let (codes, out, _) = errors_of(&text);
    assert_eq!(codes, vec!["policy/syntax", "policy/unknown-name"]);
    assert!(out.contains("did you mean `credits`?"));
    insta::assert_snapshot!(out);
}

#[test]
fn type_errors() {
    let text = format!(
        "{HEAD}
rule LOCAL/types {{
  clause LOCAL \"text\"
  for m in programme.modules
  when m.dissertation + 1
  require m.credits == \"ten\" and m.level in 7
  message \"x\"
}}
"
    );
    let (codes, out, _) = errors_of(&text);
    assert!(codes.iter().all(|c| c == "policy/type"), "{codes:?}");
    assert_eq!(codes.len(), 4, "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn unknown_names_suggest_the_nearest() {
    let text = format!(
        "{HEAD}
rule LOCAL/names {{
  clause LOCAL \"text\"
  admits psbr
  for m in programme.moduls
  require m.credits in module_size and lne(m.outcomes) > 0
  message \"x\"
}}
"
    );
    let (codes, out, _) = errors_of(&text);
    assert_eq!(codes, vec!["policy/unknown-name"; 4], "{out}");
    for hint in ["`psrb`", "`modules`", "`module_sizes`", "`len`"] {
        assert!(out.contains(hint), "no {hint} in\n{out}");
    }
    insta::assert_snapshot!(out);
}

#[test]
fn duplicates_unknown_includes_and_missing_parts() {
    let text = "framework local-2025 \"Local\"
include ljmu-atendance

rule PG.A4.2/module-size {
  clause PG.A4.2 \"again\"
  require true
  message \"x\"
}

rule LOCAL/empty {
  clause LOCAL \"text\"
}
";
    let (codes, out, _) = errors_of(text);
    assert_eq!(
        codes,
        vec![
            "policy/unknown-name",
            "policy/duplicate",
            "policy/missing",
            "policy/missing"
        ],
        "{out}"
    );
    assert!(out.contains("did you mean `ljmu-attendance`?"));
    insta::assert_snapshot!(out);
}

#[test]
fn pathway_requirements_are_conjunctions_of_linear_comparisons() {
    let text = format!(
        "{HEAD}
rule LOCAL/paths {{
  clause LOCAL \"text\"
  for p in pathways
  require count(m in p where m.dissertation) == 1 or sum(m in p: m.credits) > 100
  message \"x\"
}}

rule LOCAL/paths-2 {{
  clause LOCAL \"text\"
  for p in pathways
  require any m in p: m.dissertation
  message \"x\"
}}

rule LOCAL/paths-3 {{
  clause LOCAL \"text\"
  for p in pathways
  require sum(m in p: m.credits) * sum(m in p: m.level) < 10
  message \"x\"
}}
"
    );
    let (codes, out, _) = errors_of(&text);
    assert_eq!(codes, vec!["policy/type"; 3], "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn a_file_without_a_header_and_stray_text() {
    let (codes, out, _) = errors_of("this is not a policy\nrule X/y { clause X \"t\" require true message \"m\" }\n");
    assert_eq!(codes, vec!["policy/syntax", "policy/syntax"], "{out}");
    insta::assert_snapshot!(out);
}

/// `first` and `codes` (issue 10 point 4) see the failing pathway only in
/// `at` and messages; they take no `: value`; `at first(...).core` compiles.
#[test]
fn first_and_codes_over_a_pathway_only_where_it_is_a_list() {
    let text = format!(
        "{HEAD}
rule LOCAL/listing {{
  clause LOCAL \"text\"
  for p in pathways
  require codes(m in p where m.dissertation) == \"x\"
  at first(m in p where m.dissertation).core
  message \"{{codes(m in p where m.dissertation)}} and {{first(m in p).code}}\"
  require count(m in programme.modules where m.dissertation) <= 1
  message \"{{codes(m in programme.modules: m.credits)}}\"
}}
"
    );
    let (codes, out, _) = errors_of(&text);
    assert_eq!(codes, vec!["policy/type", "policy/type"], "{out}");
    assert!(
        out.contains("`codes` over a pathway can be used only in `at`, `message`, `label` and `help`"),
        "{out}"
    );
    assert!(out.contains("`codes` takes no `: value`"), "{out}");
}
