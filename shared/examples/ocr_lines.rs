fn main() {
    let path = std::env::args().nth(1).unwrap();
    shared::pdf::init(std::path::Path::new(
        &std::env::var("PDFIUM_LIB_PATH").unwrap(),
    ))
    .unwrap();
    let bytes = std::fs::read(path).unwrap();
    let ocr = shared::config::OcrConfig::read(&shared::config::Env::process()).unwrap();
    shared::pdf::read_pages(&bytes, ocr.as_ref(), |page, _| {
        if let Some(o) = &page.ocr {
            for w in &o.words {
                if w.conf < 70.0 {
                    println!(
                        "LOW p{} {:.0} {:?} line {}",
                        page.number, w.conf, w.text, w.line
                    );
                }
            }
        }
        for l in shared::extract::lines::build_lines(&page.glyphs) {
            let segs: Vec<String> = l
                .segments
                .iter()
                .map(|s| format!("[{:.0}-{:.0} {}]", s.left, s.right, s.text()))
                .collect();
            println!("p{} fs={:.1} {}", page.number, l.font_size, segs.join(" "));
        }
    })
    .unwrap();
}
