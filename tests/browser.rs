//! Every HTML document the committee commands write (`spec report` of each
//! example programme, `spec variances`, `spec diff`, `spec impact`),
//! rendered in headless Chromium at 1280 px: no console error, no script
//! error, no resource fetched (self-contained), the chart and the graph
//! drawn where the document has them, and nothing wider than the page.
//!
//! The check is a script injected into a copy of each document (the
//! documents themselves have none); it writes its findings into the DOM,
//! which `chromium --dump-dom` prints. Chromium is installed by
//! `scripts/install-test-deps.sh`; without it this test fails, it never
//! skips.

mod support;

use std::path::Path;
use std::process::Command;
use support::copy_dir;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// Installed before anything else on the page: records script errors,
/// failed loads and console errors.
const HOOK: &str = r#"<script>
window.__problems = [];
window.addEventListener('error', function (e) {
  var t = e.target && e.target !== window ? (e.target.tagName + ' ' + (e.target.src || e.target.href || '')) : (e.message || 'error');
  window.__problems.push('error: ' + t);
}, true);
window.addEventListener('securitypolicyviolation', function (e) { window.__problems.push('csp: ' + e.violatedDirective); });
(function () { var orig = console.error; console.error = function () { window.__problems.push('console.error: ' + Array.prototype.join.call(arguments, ' ')); return orig.apply(console, arguments); }; })();
</script>"#;

/// Runs once the page has loaded (every resource tried): measures and
/// reports as JSON in `<pre id="browser-check">`.
const CHECK: &str = r#"<script>
window.addEventListener('load', function () {
  var w = window.innerWidth;
  var out = { width: w, problems: window.__problems.slice(), overflow: [], charts: 0, graphs: 0, resources: 0 };
  if (document.documentElement.scrollWidth > w) out.overflow.push('document ' + document.documentElement.scrollWidth);
  var all = document.body.querySelectorAll('*');
  for (var i = 0; i < all.length; i++) {
    var r = all[i].getBoundingClientRect();
    if (r.right > w + 0.5) out.overflow.push(all[i].tagName + ' right ' + Math.round(r.right));
  }
  var sc = document.querySelectorAll('.scroll');
  for (var j = 0; j < sc.length; j++) {
    if (sc[j].scrollWidth > sc[j].clientWidth + 1) out.overflow.push('scrolling table ' + sc[j].scrollWidth + ' > ' + sc[j].clientWidth);
  }
  var svgSize = function (sel) {
    var n = 0, es = document.querySelectorAll(sel);
    for (var k = 0; k < es.length; k++) { var b = es[k].getBoundingClientRect(); if (b.width > 50 && b.height > 20 && es[k].querySelectorAll('rect').length > 0) n++; }
    return n;
  };
  out.charts = svgSize('figure.chart svg');
  out.graphs = svgSize('figure.graph svg');
  out.resources = performance.getEntriesByType('resource').length;
  var pre = document.createElement('pre');
  pre.id = 'browser-check';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script>"#;

fn spec(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let out = support::spec(args).dir(dir).run();
    (out.code, out.stdout)
}

/// Renders `html` and returns the check's findings.
fn render(dir: &Path, name: &str, html: &str) -> serde_json::Value {
    assert!(!html.contains("<script"), "{name}: the document itself has a script");
    let head = html.find("<head>").unwrap_or_else(|| panic!("{name}: no <head>")) + "<head>".len();
    let body_end = html.rfind("</body>").unwrap_or_else(|| panic!("{name}: no </body>"));
    let page = format!(
        "{}{HOOK}{}{CHECK}{}",
        &html[..head],
        &html[head..body_end],
        &html[body_end..]
    );
    let file = dir.join(format!("{name}.html"));
    std::fs::write(&file, page).unwrap();
    let profile = dir.join(format!("profile-{name}"));
    let out = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            "--disable-extensions",
            "--window-size=1280,1000",
            "--virtual-time-budget=5000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", file.display()))
        .output()
        .expect("chromium runs (install it with scripts/install-test-deps.sh)");
    let dom = String::from_utf8_lossy(&out.stdout);
    let start = dom.find("<pre id=\"browser-check\">").unwrap_or_else(|| {
        panic!(
            "{name}: no check result; chromium stderr:\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    }) + "<pre id=\"browser-check\">".len();
    let end = start + dom[start..].find("</pre>").expect("</pre>");
    let json = dom[start..end]
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    serde_json::from_str(&json).unwrap_or_else(|e| panic!("{name}: {e}: {json}"))
}

#[test]
fn every_html_document_renders_cleanly_in_chromium() {
    let d = tempfile::tempdir().unwrap();
    let ex = d.path().join("examples");
    copy_dir(&Path::new(ROOT).join("examples"), &ex);
    let changed = d.path().join("changed");
    copy_dir(&ex, &changed);
    let m = changed.join("modules/data-science.pspec");
    std::fs::write(
        &m,
        std::fs::read_to_string(&m)
            .unwrap()
            .replacen("credits 20", "credits 15", 1),
    )
    .unwrap();

    // (name, html, has chart and graph)
    let mut docs: Vec<(String, String, bool)> = Vec::new();
    for p in [
        "msc-data-science",
        "pgcert-academic-practice",
        "msc-business-analytics-online",
    ] {
        let (code, html) = spec(&ex, &["report", "--format", "html", &format!("programmes/{p}.pspec")]);
        assert_eq!(code, Some(0), "report {p}");
        docs.push((format!("report-{p}"), html, true));
    }
    let (code, html) = spec(
        &changed,
        &["report", "--format", "html", "programmes/msc-data-science.pspec"],
    );
    assert_eq!(code, Some(1));
    docs.push(("report-failing".into(), html, true));
    let (_, html) = spec(&ex, &["variances", "--format", "html"]);
    docs.push(("variances".into(), html, false));
    let (code, html) = spec(d.path(), &["diff", "--format", "html", "examples", "changed"]);
    assert_eq!(code, Some(1));
    docs.push(("diff".into(), html, false));
    let (_, html) = spec(&ex, &["impact", "--framework", "ntu-online-2018", "--format", "html"]);
    docs.push(("impact".into(), html, false));

    for (name, html, figures) in &docs {
        let r = render(d.path(), name, html);
        assert_eq!(r["width"], 1280, "{name}: {r}");
        assert_eq!(
            r["problems"],
            serde_json::json!([]),
            "{name}: console or load errors: {r}"
        );
        assert_eq!(r["resources"], 0, "{name}: fetched resources: {r}");
        assert_eq!(r["overflow"], serde_json::json!([]), "{name}: wider than the page: {r}");
        if *figures {
            assert_eq!(r["charts"], 1, "{name}: the credits chart: {r}");
            assert_eq!(r["graphs"], 1, "{name}: the prerequisite graph: {r}");
        }
    }
}

/// The check can fail: a page wider than 1280 px, a failed load and a
/// script error are all reported.
#[test]
fn the_browser_check_catches_overflow_and_errors() {
    let d = tempfile::tempdir().unwrap();
    let html = "<!DOCTYPE html><html><head><title>x</title></head><body><div style=\"width:2000px\">wide</div><img src=\"missing.png\"></body></html>";
    let r = render(d.path(), "bad", html);
    assert_ne!(r["overflow"], serde_json::json!([]), "{r}");
    assert!(
        r["problems"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p.as_str().unwrap().contains("IMG")),
        "{r}"
    );
    assert_eq!(r["charts"], 0);
}
