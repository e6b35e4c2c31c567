//! Tesseract 5 as a child process: the page goes in as a PGM on stdin, words come back as TSV.
//! A process per page keeps a crash or a runaway page out of the worker, and the timeout kills it.
use std::io::{Read, Write};
use std::process::{Command, Stdio};

use wait_timeout::ChildExt;

use super::orient;
use super::regions::{self, Region};
use super::{OcrError, OcrWord, PageImage};
use crate::config::OcrConfig;

/// A region read again counts only if its words read like text (mean confidence at least this):
/// a logo, a signature or a chart gives low-confidence fragments that are better left out.
const REGION_MIN_CONFIDENCE: f32 = 60.0;

/// The page's words and the quarter turns (clockwise) it took to stand it upright: the whole
/// page with layout analysis, turned if it reads like a page upside down or sideways
/// (`orient.rs`), then each region where that left text unread (`regions.rs`) on its own.
pub(super) fn recognize(
    image: PageImage,
    config: &OcrConfig,
) -> Result<(Vec<OcrWord>, u8), OcrError> {
    let mut image = image;
    let mut words = read(&image, config)?;
    let mut turns = 0;
    if orient::page_confidence(&words) < orient::UPRIGHT_MIN_CONFIDENCE
        && let Some(t) = orient::quarter_turns(&run(&image, config, "osd", &["--psm", "0"])?)?
    {
        let turned = orient::turn(&image, t);
        let again = read(&turned, config)?;
        if orient::page_confidence(&again) > orient::page_confidence(&words) {
            (image, words, turns) = (turned, again, t);
        }
    }
    for region in regions::unread(&image, &words) {
        let (crop, margin) = regions::crop(&image, region, &words);
        let found = read(&crop, config)?;
        replace(&mut words, found, region, margin);
    }
    Ok((words, turns))
}

/// The region's words from its own pass, moved back into page pixels, take the place of those
/// the page pass read there, if they read like text and hold at least as many characters.
fn replace(words: &mut Vec<OcrWord>, found: Vec<OcrWord>, region: Region, margin: usize) {
    let found: Vec<OcrWord> = found
        .into_iter()
        .map(|mut w| {
            w.left = (w.left as usize + region.x0).saturating_sub(margin) as u32;
            w.top = (w.top as usize + region.y0).saturating_sub(margin) as u32;
            w
        })
        .collect();
    if found.is_empty() {
        return;
    }
    let mean = found.iter().map(|w| w.conf).sum::<f32>() / found.len() as f32;
    let before = chars(words.iter().filter(|w| regions::holds(&region, w)));
    if mean < REGION_MIN_CONFIDENCE || chars(found.iter()) < before {
        return;
    }
    // Where the region's first line was in reading order, or where the next line below starts.
    let at = words
        .iter()
        .position(|w| regions::holds(&region, w) || w.top as usize > region.y0)
        .unwrap_or(words.len());
    let at = words[..at]
        .iter()
        .filter(|w| !regions::holds(&region, w))
        .count();
    words.retain(|w| !regions::holds(&region, w));
    let at = match words.get(at) {
        // Not in the middle of a line: back to where that line starts.
        Some(next) => {
            let line = next.line;
            words.iter().position(|w| w.line == line).unwrap_or(at)
        }
        None => at,
    };
    let first_line = words.iter().map(|w| w.line + 1).max().unwrap_or(0);
    let found = found.into_iter().map(|mut w| {
        w.line += first_line;
        w
    });
    words.splice(at..at, found);
}

fn chars<'a>(words: impl Iterator<Item = &'a OcrWord>) -> usize {
    words.map(|w| w.text.chars().count()).sum()
}

/// Words with boxes and confidences, with layout analysis (`--psm 3`).
fn read(image: &PageImage, config: &OcrConfig) -> Result<Vec<OcrWord>, OcrError> {
    run(image, config, &config.languages, &["--psm", "3", "tsv"]).map(|tsv| parse_tsv(&tsv))
}

/// One run of the engine on the image with a language model (`osd` finds which way is up);
/// its standard output.
fn run(
    image: &PageImage,
    config: &OcrConfig,
    languages: &str,
    args: &[&str],
) -> Result<String, OcrError> {
    let mut command = if config.nice > 0 {
        let mut c = Command::new("nice");
        c.arg("-n")
            .arg(config.nice.to_string())
            .arg(&config.tesseract);
        c
    } else {
        Command::new(&config.tesseract)
    };
    let mut child = command
        .args(["-", "-", "-l", languages, "--dpi"])
        .arg(image.dpi.to_string())
        .args(args)
        .env("OMP_THREAD_LIMIT", config.threads.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| OcrError::Missing(format!("{}: {e}", config.tesseract.display())))?;
    let mut stdin = child.stdin.take().expect("piped stdin");
    let pgm = pgm(image);
    let writer = std::thread::spawn(move || stdin.write_all(&pgm));
    let reader = drain(child.stdout.take().expect("piped stdout"));
    // Read while it runs too: a full stderr pipe would stall the engine until the timeout.
    let errors = drain(child.stderr.take().expect("piped stderr"));
    let status = match child.wait_timeout(config.page_timeout) {
        Ok(Some(status)) => status,
        Ok(None) => {
            let _ = child.kill();
            let _ = child.wait();
            return Err(OcrError::Timeout(config.page_timeout.as_secs()));
        }
        Err(e) => return Err(OcrError::Failed(e.to_string())),
    };
    let _ = writer.join();
    let output = reader
        .join()
        .map_err(|_| OcrError::Failed("reading its output panicked".into()))?
        .map_err(|e| OcrError::Failed(e.to_string()))?;
    if !status.success() {
        let err = errors.join().ok().and_then(Result::ok).unwrap_or_default();
        // `nice` could not start the engine (not found, not executable).
        if config.nice > 0 && matches!(status.code(), Some(126 | 127)) {
            return Err(OcrError::Missing(format!(
                "{}: {}",
                config.tesseract.display(),
                err.trim()
            )));
        }
        return Err(OcrError::Failed(format!(
            "tesseract exited with {status}: {}",
            err.trim()
        )));
    }
    Ok(output)
}

/// Reads a pipe to its end on a thread of its own.
fn drain(mut pipe: impl Read + Send + 'static) -> std::thread::JoinHandle<std::io::Result<String>> {
    std::thread::spawn(move || {
        let mut out = String::new();
        pipe.read_to_string(&mut out).map(|_| out)
    })
}

/// Binary PGM: the simplest image format Tesseract's Leptonica reads from a pipe.
fn pgm(image: &PageImage) -> Vec<u8> {
    let mut out = format!("P5\n{} {}\n255\n", image.width, image.height).into_bytes();
    out.extend_from_slice(&image.pixels);
    out
}

/// Word rows (level 5) of Tesseract's TSV; a line is numbered by its block, paragraph and line.
fn parse_tsv(tsv: &str) -> Vec<OcrWord> {
    let mut words = Vec::new();
    let mut line_ids: Vec<(u32, u32, u32)> = Vec::new();
    for row in tsv.lines().skip(1) {
        let f: Vec<&str> = row.split('\t').collect();
        if f.len() < 12 || f[0] != "5" {
            continue;
        }
        let text = f[11].trim();
        let num = |i: usize| f[i].parse::<u32>().unwrap_or(0);
        let conf: f32 = f[10].parse().unwrap_or(-1.0);
        if text.is_empty() || conf < 0.0 {
            continue;
        }
        let key = (num(2), num(3), num(4));
        let line = match line_ids.iter().position(|k| *k == key) {
            Some(i) => i,
            None => {
                line_ids.push(key);
                line_ids.len() - 1
            }
        } as u32;
        words.push(OcrWord {
            text: text.to_string(),
            left: num(6),
            top: num(7),
            width: num(8),
            height: num(9),
            conf,
            line,
        });
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_word_rows_and_numbers_lines() {
        let tsv = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n\
            4\t1\t1\t1\t1\t0\t808\t340\t899\t67\t-1\t\n\
            5\t1\t1\t1\t1\t1\t808\t352\t261\t55\t96.65\tBeacon\n\
            5\t1\t1\t1\t1\t2\t1096\t348\t317\t55\t41.2\tVentures\n\
            5\t1\t1\t1\t2\t1\t221\t495\t256\t54\t95\t$1,000\n\
            5\t1\t1\t1\t2\t2\t600\t495\t20\t54\t95\t \n";
        let words = parse_tsv(tsv);
        assert_eq!(words.len(), 3);
        assert_eq!(
            (words[1].text.as_str(), words[1].conf, words[1].line),
            ("Ventures", 41.2, 0)
        );
        assert_eq!(
            (words[2].text.as_str(), words[2].left, words[2].line),
            ("$1,000", 221, 1)
        );
    }

    fn word(text: &str, left: u32, top: u32, line: u32) -> OcrWord {
        OcrWord {
            text: text.into(),
            left,
            top,
            width: 100,
            height: 30,
            conf: 90.0,
            line,
        }
    }

    const TABLE: Region = Region {
        x0: 0,
        y0: 200,
        x1: 1000,
        y1: 400,
    };

    #[test]
    fn a_region_read_better_takes_the_place_of_its_words_in_reading_order() {
        let mut words = vec![
            word("Title", 0, 100, 0),
            word("13-Apr-2022", 50, 250, 1),
            word("Commentary", 0, 500, 2),
        ];
        // Read in the crop's pixels: the crop starts 60 px before the region.
        let found = vec![
            word("Date", 110, 60, 0),
            word("Amount", 300, 60, 0),
            word("13-Apr-2022", 110, 110, 1),
            word("-317", 300, 110, 1),
        ];
        replace(&mut words, found, TABLE, 60);
        let texts: Vec<(&str, u32, u32)> = words
            .iter()
            .map(|w| (w.text.as_str(), w.top, w.line))
            .collect();
        assert_eq!(
            texts,
            [
                ("Title", 100, 0),
                ("Date", 200, 3),
                ("Amount", 200, 3),
                ("13-Apr-2022", 250, 4),
                ("-317", 250, 4),
                ("Commentary", 500, 2),
            ]
        );
    }

    #[test]
    fn a_region_read_worse_or_as_noise_changes_nothing() {
        let words = vec![
            word("13-Apr-2022", 50, 250, 0),
            word("Capital", 300, 250, 0),
        ];
        let mut shorter = words.clone();
        replace(&mut shorter, vec![word("13-Apr", 110, 110, 0)], TABLE, 60);
        assert_eq!(shorter, words);
        let mut noise = words.clone();
        let mut scribble = word("~~wWmM~~~~~~~~~~~~~~~~~", 110, 110, 0);
        scribble.conf = 20.0;
        replace(&mut noise, vec![scribble], TABLE, 60);
        assert_eq!(noise, words);
    }
}
