//! Every LP document and report is typed right, names its fund only where the document prints
//! one, and a document about many funds names none.
mod common;

use common::{extract, norm};
use shared::testing::data_dir;
use std::path::PathBuf;

use serde_json::Value;
use shared::domain::DocumentType;

/// PDFs with a ground-truth JSON in the given folders of the shared data.
fn documents(folders: &[&str]) -> Vec<(PathBuf, Value)> {
    let mut out = Vec::new();
    for folder in folders {
        let dir = data_dir().join(folder);
        let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        let mut pdfs: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "pdf"))
            .filter(|p| p.with_extension("json").is_file())
            .collect();
        pdfs.sort();
        for p in pdfs {
            let text = std::fs::read_to_string(p.with_extension("json")).expect("json");
            out.push((p, serde_json::from_str(&text).expect("ground truth JSON")));
        }
    }
    out
}

#[test]
fn document_types_and_fund_names() {
    let docs = documents(&["lp_docs", "real", "reports", "third_party", "reference"]);
    assert!(docs.len() >= 30, "found only {} documents", docs.len());
    let mut problems = Vec::new();
    for (path, gt) in &docs {
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let out = extract(path);
        let want_type = gt["document_type"]
            .as_str()
            .unwrap_or("quarterly_report")
            .parse::<DocumentType>()
            .expect("known type");
        if out.document_type != want_type {
            problems.push(format!(
                "{name}: type {:?}, want {want_type:?} (evidence: {:?})",
                out.document_type, out.type_evidence
            ));
        }
        let want_fund = gt["fund"]["name"].as_str().map(norm);
        if out.fund.name.as_deref().map(norm) != want_fund {
            problems.push(format!(
                "{name}: fund {:?}, want {want_fund:?}",
                out.fund.name
            ));
        }
        if want_type.is_multi_fund() && out.fund.name.is_some() {
            problems.push(format!("{name}: a many-funds document named a fund"));
        }
        eprintln!(
            "{name}: {:?} {:?} ({})",
            out.document_type,
            out.fund.name,
            out.type_evidence.join("; ")
        );
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
