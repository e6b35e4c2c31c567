//! Command-line access to the extractor: `extract` prints one document's JSON, `bench-extract` times it.
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use shared::config::FileStoreKind;
use shared::domain::Extraction;
use shared::extract::DocumentExtractor;
use shared::pdf;

const USAGE: &str = "usage:
  fundlens extract FILE.pdf              print the extraction as JSON
  fundlens bench-extract [FILE|DIR...]   time extraction (default: the data dir's reports/, reference/, third_party/, lp_docs/, real/)
  fundlens funds-cleanup [--apply]       list funds made from names that are not funds' (\"IRR\", \"To: Joe\"); --apply unlinks their documents and deletes them
  fundlens files-move --to s3|postgres   move every stored PDF into the S3 bucket or back into Postgres (resumable; safe beside running workers)

PDFIUM_LIB_PATH must point at libpdfium.so (or its folder); FUNDLENS_DATA_DIR overrides the data dir;
funds-cleanup reads DATABASE_URL; files-move reads DATABASE_URL and the S3_* settings.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("extract") if args.len() == 2 => extract_cmd(Path::new(&args[1])),
        Some("bench-extract") => bench_cmd(&args[1..]),
        Some("funds-cleanup") if args.len() <= 2 => {
            cleanup_cmd(args.get(1).map(String::as_str) == Some("--apply"))
        }
        Some("files-move") if args.len() == 3 && args[1] == "--to" => match args[2].as_str() {
            "s3" => files_move_cmd(FileStoreKind::S3),
            "postgres" => files_move_cmd(FileStoreKind::Postgres),
            _ => {
                eprintln!("{USAGE}");
                return ExitCode::from(2);
            }
        },
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            Ok(())
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// OCR as the worker would run it (`OCR_*` settings), for scans given on the command line.
fn ocr_config() -> Result<Option<shared::config::OcrConfig>> {
    Ok(shared::config::OcrConfig::read(
        &shared::config::Env::process(),
    )?)
}

fn bind_pdfium() -> Result<()> {
    let lib = shared::config::Env::process()
        .get("PDFIUM_LIB_PATH")
        .context("PDFIUM_LIB_PATH is not set (run: eval \"$(scripts/setup.sh)\")")?;
    pdf::init(Path::new(&lib))?;
    Ok(())
}

/// Reads and extracts one file; returns the extraction and the pages read.
fn run(path: &Path) -> Result<Extraction> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut ex = DocumentExtractor::new();
    pdf::read_pages(&bytes, ocr_config()?.as_ref(), |page, _total| {
        ex.add_page(&page)
    })
    .with_context(|| format!("{}", path.display()))?;
    Ok(ex.finish())
}

/// Runs `work` on a one-connection pool to DATABASE_URL, on a runtime of its own.
fn with_database<F, Fut>(work: F) -> Result<()>
where
    F: FnOnce(sqlx::PgPool) -> Fut,
    Fut: std::future::Future<Output = Result<()>>,
{
    let url = shared::config::Env::process().required("DATABASE_URL")?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        let pool = sqlx::postgres::PgPoolOptions::new()
            .max_connections(1)
            .connect(&url)
            .await
            .context("cannot connect to DATABASE_URL")?;
        work(pool).await
    })
}

/// Lists (and with `apply` removes) funds created from names that do not read as a fund's.
fn cleanup_cmd(apply: bool) -> Result<()> {
    with_database(|pool| async move {
        let junk = shared::db::funds::junk_funds(&pool).await?;
        if junk.is_empty() {
            println!("No fund needs cleaning up.");
        }
        for f in &junk {
            if apply {
                shared::db::funds::remove_junk_fund(&pool, f).await?;
                println!(
                    "removed fund {} {:?}; {} document(s) unlinked",
                    f.id, f.name, f.documents
                );
            } else {
                println!(
                    "would remove fund {} {:?} ({} document(s))",
                    f.id, f.name, f.documents
                );
            }
        }
        if !apply && !junk.is_empty() {
            println!("Run again with --apply to unlink these documents and delete the funds.");
        }
        Ok(())
    })
}

/// Moves every stored file to `to` and prints what it did; files it cannot find are listed.
fn files_move_cmd(to: FileStoreKind) -> Result<()> {
    let env = shared::config::Env::process();
    let files = shared::config::FilesConfig::read(&env)?;
    anyhow::ensure!(
        files.s3.is_some(),
        "files-move needs the bucket's settings: S3_BUCKET (and S3_ENDPOINT, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY, S3_REGION as needed)"
    );
    let store = shared::files::FileStore::new(&files)?;
    with_database(|pool| async move {
        shared::MIGRATOR
            .run(&pool)
            .await
            .context("applying migrations")?;
        let started = Instant::now();
        let report = shared::files::moving::move_all(&store, &pool, to).await?;
        let (in_postgres, in_bucket) = shared::db::files::counts(&pool).await?;
        println!(
            "moved {} file(s), {:.1} MB, in {:.1} s; {} skipped (changed meanwhile); now {in_postgres} in Postgres, {in_bucket} in the bucket",
            report.moved,
            report.bytes as f64 / 1e6,
            started.elapsed().as_secs_f64(),
            report.skipped,
        );
        for (id, key) in &report.missing {
            println!("document {id}: object {key} is missing from the bucket; left as it is");
        }
        if to == FileStoreKind::S3 && report.moved > 0 {
            println!("Postgres gives the space back after VACUUM (FULL) document_files.");
        }
        anyhow::ensure!(
            report.missing.is_empty(),
            "{} file(s) could not be moved",
            report.missing.len()
        );
        Ok(())
    })
}

fn extract_cmd(path: &Path) -> Result<()> {
    bind_pdfium()?;
    let out = run(path)?;
    // The extraction as stored, plus its cash flows in the API's shape
    // (`GET /api/documents/{id}/transactions`).
    let mut json = serde_json::to_value(&out)?;
    json["transactions"] = serde_json::to_value(out.transactions())?;
    println!("{}", serde_json::to_string_pretty(&json)?);
    Ok(())
}

fn data_dir() -> PathBuf {
    if let Some(dir) = shared::config::Env::process().get("FUNDLENS_DATA_DIR") {
        return PathBuf::from(dir);
    }
    // The data sits beside the clone: <workspace root>/../shared/data.
    let worker = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = worker.parent().unwrap_or(worker);
    root.join("..").join("shared").join("data")
}

fn collect(paths: &[String]) -> Result<Vec<PathBuf>> {
    let roots: Vec<PathBuf> = if paths.is_empty() {
        let d = data_dir();
        ["reports", "reference", "third_party", "lp_docs", "real"]
            .iter()
            .map(|s| d.join(s))
            .collect()
    } else {
        paths.iter().map(PathBuf::from).collect()
    };
    let mut files = Vec::new();
    for r in roots {
        if r.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(&r)
                .with_context(|| format!("cannot list {}", r.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x.eq_ignore_ascii_case("pdf")))
                .collect();
            found.sort();
            files.extend(found);
        } else if r.is_file() {
            files.push(r);
        } else {
            bail!("{} does not exist", r.display());
        }
    }
    Ok(files)
}

fn bench_cmd(paths: &[String]) -> Result<()> {
    bind_pdfium()?;
    let ocr = ocr_config()?;
    let files = collect(paths)?;
    println!(
        "{:<50} {:>5} {:>9} {:>8} {:>8} {:>5} {:>6} {:>9}  type",
        "document", "pages", "ms", "ms/page", "pages/s", "rows", "facts", "portfolio"
    );
    let (mut pages_all, mut ms_all, mut rows_all) = (0u32, 0f64, 0usize);
    for f in files {
        let bytes = std::fs::read(&f).with_context(|| format!("cannot read {}", f.display()))?;
        let name = f
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let start = Instant::now();
        let mut ex = DocumentExtractor::new();
        let pages = match pdf::read_pages(&bytes, ocr.as_ref(), |page, _| ex.add_page(&page)) {
            Ok(p) => p,
            Err(e) => {
                println!("{name:<50} failed: {e}");
                continue;
            }
        };
        let out = ex.finish();
        let ms = start.elapsed().as_secs_f64() * 1000.0;
        let rows = out.capital_calls.len() + out.distributions.len() + out.adjustments.len();
        println!(
            "{name:<50} {pages:>5} {ms:>9.2} {:>8.2} {:>8.0} {rows:>5} {:>6} {:>9}  {}",
            ms / f64::from(pages.max(1)),
            f64::from(pages) / (ms / 1000.0).max(1e-9),
            out.facts.len(),
            out.portfolio.len(),
            out.document_type.as_str()
        );
        pages_all += pages;
        ms_all += ms;
        rows_all += rows;
    }
    println!(
        "{:<50} {pages_all:>5} {ms_all:>9.2} {:>8.2} {:>8.0} {rows_all:>5}",
        "TOTAL",
        ms_all / f64::from(pages_all.max(1)),
        f64::from(pages_all) / (ms_all / 1000.0).max(1e-9)
    );
    Ok(())
}
