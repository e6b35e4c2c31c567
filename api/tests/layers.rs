//! The module layering, checked from the source: no import cycle between the modules of any
//! crate, the config is a leaf, and above the API's service layer nothing touches the pool or
//! calls `shared::db`, so one rule (a cache, a 404, a blocking computation) serves every caller.
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every `.rs` file under `dir`, with its path relative to `dir`.
fn sources(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "rs") {
                let rel = p
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push((rel, std::fs::read_to_string(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// The code of a file without its unit tests (which may reach anywhere).
fn code(src: &str) -> &str {
    src.split("#[cfg(test)]").next().unwrap_or(src)
}

/// `a/b/c.rs` → `["a", "b", "c"]`; `a/mod.rs` → `["a"]`.
fn module_path(rel: &str) -> Vec<String> {
    let mut parts: Vec<String> = rel
        .trim_end_matches(".rs")
        .split('/')
        .map(String::from)
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

/// Edges between the modules at `depth` below `prefix` (depth 1 = the crate's top-level modules),
/// from `crate::…` paths in the code.
fn graph(files: &[(String, String)], prefix: &[&str]) -> BTreeMap<String, BTreeSet<String>> {
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let depth = prefix.len();
    for (rel, src) in files {
        let path = module_path(rel);
        if path.len() <= depth
            || path[..depth] != *prefix
            || matches!(path[0].as_str(), "lib" | "main" | "bin")
        {
            continue;
        }
        let from = path[depth].clone();
        let code = code(src);
        let needle = format!(
            "crate::{}",
            prefix.iter().map(|p| format!("{p}::")).collect::<String>()
        );
        for (i, _) in code.match_indices(&needle) {
            let rest = &code[i + needle.len()..];
            let to: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !to.is_empty() && to != from && to.chars().next().is_some_and(char::is_lowercase) {
                edges.entry(from.clone()).or_default().insert(to);
            }
        }
    }
    edges
}

/// A cycle in the graph, if there is one, as the modules along it.
fn cycle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        n: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == n) {
            let mut c = path[i..].to_vec();
            c.push(n.to_string());
            return Some(c);
        }
        if done.contains(n) {
            return None;
        }
        path.push(n.to_string());
        for m in edges.get(n).into_iter().flatten() {
            if let Some(c) = visit(m, edges, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(n.to_string());
        None
    }
    let mut done = BTreeSet::new();
    edges
        .keys()
        .find_map(|n| visit(n, edges, &mut Vec::new(), &mut done))
}

#[test]
fn no_module_depends_on_itself_through_others() {
    let crates = ["shared/src", "api/src", "worker/src", "loadtest/src"];
    let mut checked = 0;
    for krate in crates {
        let files = sources(&workspace().join(krate));
        let mut levels: Vec<Vec<&str>> = vec![vec![]];
        // One level down where a module is a layer of its own.
        levels.extend([
            vec!["service"],
            vec!["routes"],
            vec!["console"],
            vec!["db"],
            vec!["extract"],
            vec!["embed"],
            vec!["metrics"],
        ]);
        for prefix in &levels {
            let g = graph(&files, prefix);
            checked += g.len();
            if let Some(c) = cycle(&g) {
                panic!(
                    "{krate}: import cycle {} (under crate::{})",
                    c.join(" -> "),
                    prefix.join("::")
                );
            }
        }
    }
    assert!(
        checked > 10,
        "the check found almost no modules: is it reading the sources?"
    );
}

#[test]
fn the_config_is_a_leaf() {
    let files = sources(&workspace().join("shared/src"));
    let g = graph(&files, &[]);
    let uses = g.get("config").cloned().unwrap_or_default();
    assert!(
        uses.is_empty(),
        "shared::config depends on {uses:?}; it must be a leaf"
    );
    assert!(
        g.values().any(|to| to.contains("config")),
        "nothing uses the config?"
    );
}

/// The names a `use` statement brings in: `use a::b::{C, d as e}` → `["C", "e"]`.
fn imported_names(stmt: &str) -> Vec<String> {
    let body = stmt.trim().trim_start_matches("use ").trim();
    let items: Vec<&str> = match (body.find('{'), body.rfind('}')) {
        (Some(open), Some(close)) => body[open + 1..close].split(',').collect(),
        _ => vec![body],
    };
    items
        .iter()
        .map(|item| {
            let item = item.trim();
            let item = item.rsplit(" as ").next().unwrap_or(item);
            item.rsplit("::").next().unwrap_or(item).trim().to_string()
        })
        .filter(|n| !n.is_empty())
        .collect()
}

#[test]
fn use_statements_name_what_they_import() {
    assert_eq!(
        imported_names("use shared::db::funds::{self, Fund}"),
        ["self", "Fund"]
    );
    assert_eq!(
        imported_names("use shared::db::transactions::Kind"),
        ["Kind"]
    );
    assert_eq!(
        imported_names("use shared::db::{documents, funds as f}"),
        ["documents", "f"]
    );
}

#[test]
fn above_the_service_layer_nothing_touches_the_pool() {
    let files = sources(&workspace().join("api/src"));
    let mut offences = Vec::new();
    let mut seen = 0;
    for (rel, src) in &files {
        let top = module_path(rel)[0].clone();
        // `error` only classifies a `sqlx::Error` it is handed (503 or 500); it queries nothing.
        if matches!(top.as_str(), "service" | "state" | "lib" | "main" | "error") {
            continue;
        }
        seen += 1;
        for (n, line) in code(src).lines().enumerate() {
            let l = line.trim();
            let reaches_db = l.contains("PgPool")
                || l.contains("sqlx::query")
                || l.contains("state.db")
                || l.contains("state.queue")
                // A call into the db layer by path: `shared::db::funds::list(`.
                || l.split("shared::db::").skip(1).any(|rest| {
                    let mut segs = rest.split("::");
                    let _module = segs.next();
                    segs.next().is_some_and(|f| {
                        f.chars().next().is_some_and(char::is_lowercase) && f.contains('(')
                    })
                });
            if reaches_db {
                offences.push(format!("api/src/{rel}:{}: {l}", n + 1));
            }
        }
        // Importing a db module (not just its types) is how such calls start.
        for (i, _) in code(src).match_indices("use shared::db") {
            let stmt = code(src)[i..].split(';').next().unwrap_or_default();
            if imported_names(stmt)
                .iter()
                .any(|n| n.chars().next().is_some_and(|c| !c.is_uppercase()))
            {
                offences.push(format!(
                    "api/src/{rel}: {}",
                    stmt.split_whitespace().collect::<Vec<_>>().join(" ")
                ));
            }
        }
    }
    assert!(seen > 10, "the check read almost no files");
    assert!(
        offences.is_empty(),
        "go through the service layer instead:\n{}",
        offences.join("\n")
    );
}

#[test]
fn route_modules_do_not_call_each_other() {
    let files = sources(&workspace().join("api/src"));
    let mut offences = Vec::new();
    for (rel, src) in &files {
        let path = module_path(rel);
        if path.len() == 2 && (path[0] == "routes" || path[0] == "console") {
            for (n, line) in code(src).lines().enumerate() {
                if line.contains("crate::routes::") || line.contains("crate::console::") {
                    offences.push(format!("api/src/{rel}:{}: {}", n + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        offences.is_empty(),
        "shared logic belongs in the service layer:\n{}",
        offences.join("\n")
    );
}
