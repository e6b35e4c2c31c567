//! Acceptance check for typed states: no Rust or template file of the workspace spells a document
//! status or stage as a quoted string (in Rust, in templates, or quoted the SQL way) except the module
//! that defines the enums, so every use goes through `DocumentStatus` / `Stage` and a renamed or
//! added state cannot be missed.
use std::path::{Path, PathBuf};

use shared::domain::{DocumentStatus, Stage};

/// The enums' own module: the one place their names are written out.
const DEFINITIONS: &str = "shared/src/domain/status.rs";

/// Literals that look like a state but are not one: (file, quote, word, why).
fn allowed() -> [(&'static str, char, &'static str, &'static str); 3] {
    let embedding = Stage::Embedding.as_str();
    [
        (
            "shared/src/db/chunks.rs",
            '\'',
            embedding,
            "the document_chunks.embedding column, looked up in pg_attribute",
        ),
        (
            "shared/tests/embed_remote.rs",
            '"',
            embedding,
            "the object type an OpenAI-style embeddings API answers with",
        ),
        (
            "e2e/tests/many_workers.rs",
            '"',
            embedding,
            "the document_chunks.embedding column, left out of a row comparison",
        ),
    ]
}

/// Directories with no sources of ours.
fn skipped(name: &str) -> bool {
    name.starts_with('.') || matches!(name, "target" | "node_modules" | "screenshots")
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry.unwrap().path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if path.is_dir() {
            if !skipped(name) {
                sources(&path, out);
            }
        } else if name.ends_with(".rs") || name.ends_with(".html") {
            out.push(path);
        }
    }
}

#[test]
fn no_file_spells_a_status_or_stage_as_a_string() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let mut files = Vec::new();
    sources(root, &mut files);
    let words: Vec<&str> = (DocumentStatus::ALL.iter().map(|s| s.as_str()))
        .chain(Stage::ALL.iter().map(|s| s.as_str()))
        .collect();
    let allowed = allowed();
    let mut found = Vec::new();
    for path in &files {
        let rel = path
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if rel == DEFINITIONS {
            continue;
        }
        let text = std::fs::read_to_string(path).unwrap();
        for (n, line) in text.lines().enumerate() {
            for word in &words {
                for quote in ['"', '\''] {
                    let literal = format!("{quote}{word}{quote}");
                    let excused = allowed
                        .iter()
                        .any(|(f, q, w, _)| *f == rel && *q == quote && w == word);
                    if line.contains(&literal) && !excused {
                        found.push(format!("{rel}:{}: {literal}", n + 1));
                    }
                }
            }
        }
    }
    // The walk must have reached every crate's sources, or a passing check means nothing.
    for dir in [
        "api/src",
        "api/templates",
        "worker/src",
        "shared/src",
        "loadtest/src",
    ] {
        assert!(
            files.iter().any(|f| f.starts_with(root.join(dir))),
            "no source file found under {dir}"
        );
    }
    assert!(
        found.is_empty(),
        "use DocumentStatus / Stage (`.bind(DocumentStatus::Queued)`, `.as_str()`) instead of \
         these literals:\n{}",
        found.join("\n")
    );
}
