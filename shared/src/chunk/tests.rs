//! Unit tests of section-aware chunking.
use super::*;

fn block(page: u32, kind: TextBlockKind, text: &str) -> TextBlock {
    TextBlock {
        page,
        kind,
        text: text.to_string(),
    }
}

fn heading(page: u32, text: &str) -> TextBlock {
    block(page, TextBlockKind::Heading, text)
}

fn para(page: u32, text: &str) -> TextBlock {
    block(page, TextBlockKind::Paragraph, text)
}

/// `n` distinct sentences of ten words (13 estimated tokens) each.
fn sentences(tag: &str, n: usize) -> String {
    (0..n)
        .map(|i| format!("Sentence {tag}{i} has exactly ten words in it for testing."))
        .collect::<Vec<_>>()
        .join(" ")
}

fn words(s: &str) -> Vec<&str> {
    s.split_whitespace().collect()
}

#[test]
fn empty_input_gives_no_chunks() {
    assert!(chunk_blocks(&[]).is_empty());
    assert!(chunk_blocks(&[para(1, "   \n "), heading(1, "Lonely heading")]).is_empty());
}

#[test]
fn headings_start_chunks_and_are_carried() {
    let chunks = chunk_blocks(&[
        para(1, "Preamble   text\nacross lines."),
        heading(1, "Definitions"),
        para(1, "DPI is distributions divided by paid-in capital."),
        para(2, "TVPI adds NAV to distributions."),
        heading(2, "Capital Calls"),
        para(3, "Three calls were made."),
    ]);
    assert_eq!(chunks.len(), 3);
    assert_eq!(chunks[0].heading, None);
    assert_eq!(chunks[0].content, "Preamble text across lines.");
    assert_eq!(chunks[1].heading.as_deref(), Some("Definitions"));
    assert_eq!(
        chunks[1].content,
        "DPI is distributions divided by paid-in capital.\n\nTVPI adds NAV to distributions."
    );
    assert_eq!((chunks[1].page_start, chunks[1].page_end), (1, 2));
    assert_eq!(chunks[2].heading.as_deref(), Some("Capital Calls"));
    assert_eq!((chunks[2].page_start, chunks[2].page_end), (3, 3));
    let indexes: Vec<u32> = chunks.iter().map(|c| c.index).collect();
    assert_eq!(indexes, vec![0, 1, 2]);
    assert_eq!(
        chunks[1].text(),
        format!("Definitions\n\n{}", chunks[1].content)
    );
    assert_eq!(
        chunks[1].token_count as usize,
        estimate_tokens(&chunks[1].text())
    );
}

#[test]
fn stacked_headings_combine() {
    let chunks = chunk_blocks(&[
        heading(1, "Part II"),
        heading(1, "Definitions"),
        para(1, "Text."),
    ]);
    assert_eq!(chunks[0].heading.as_deref(), Some("Part II — Definitions"));
}

#[test]
fn long_section_splits_within_size_with_sentence_overlap() {
    // Six paragraphs of 5 sentences (65 tokens each): 390 tokens, more than one chunk.
    let blocks: Vec<TextBlock> = std::iter::once(heading(1, "Notes"))
        .chain((0..6).map(|p| para(1 + p as u32 / 3, &sentences(&format!("p{p}s"), 5))))
        .collect();
    let chunks = chunk_blocks(&blocks);
    assert_eq!(chunks.len(), 2);
    for c in &chunks {
        assert_eq!(c.heading.as_deref(), Some("Notes"));
        assert!(c.token_count <= 300 + 2, "{}", c.token_count);
    }
    assert!(chunks[0].token_count >= 200);
    // The second chunk opens with the last sentence of the first.
    let last_sentence = chunks[0].content.rsplit(". ").next().unwrap();
    assert!(chunks[1].content.starts_with(last_sentence), "{chunks:#?}");
    // Nothing is lost: every sentence appears in some chunk.
    for p in 0..6 {
        for s in 0..5 {
            let needle = format!("Sentence p{p}s{s} ");
            assert!(
                chunks.iter().any(|c| c.content.contains(&needle)),
                "{needle}"
            );
        }
    }
}

#[test]
fn overlap_never_crosses_a_heading() {
    let chunks = chunk_blocks(&[
        heading(1, "A"),
        para(1, "Alpha ends here."),
        heading(1, "B"),
        para(1, "Beta starts here."),
    ]);
    assert_eq!(chunks[1].content, "Beta starts here.");
}

#[test]
fn very_long_paragraph_splits_at_sentence_boundaries() {
    let long = sentences("x", 60); // 780 tokens
    let chunks = chunk_blocks(&[para(4, &long)]);
    assert!(chunks.len() >= 3);
    for c in &chunks {
        assert!(c.token_count <= 300);
        assert!(c.content.ends_with("testing."), "{}", c.content);
        assert!(c.content.starts_with("Sentence x"));
        // Sentences of one paragraph are joined by spaces, not paragraph breaks.
        assert!(!c.content.contains("\n\n"));
        assert_eq!((c.page_start, c.page_end), (4, 4));
    }
}

#[test]
fn sentence_without_punctuation_splits_between_words() {
    let long: String = (0..1000).map(|i| format!("w{i} ")).collect();
    let chunks = chunk_blocks(&[para(1, &long)]);
    assert!(chunks.len() >= 4);
    let mut seen = Vec::new();
    for c in &chunks {
        assert!(c.token_count <= 300);
        for w in words(&c.content) {
            assert!(w.starts_with('w') && w[1..].parse::<u32>().is_ok(), "{w}");
            seen.push(w.to_string());
        }
    }
    seen.dedup();
    for i in 0..1000 {
        assert!(seen.contains(&format!("w{i}")));
    }
}

#[test]
fn table_title_stays_with_what_follows() {
    // The first paragraph nearly fills a chunk; the title must move on with the note after it.
    let chunks = chunk_blocks(&[
        para(1, &sentences("a", 22)), // 286 tokens
        block(1, TextBlockKind::TableTitle, "Table 2: Distributions"),
        para(2, &sentences("b", 4)),
    ]);
    assert_eq!(chunks.len(), 2);
    assert!(!chunks[0].content.contains("Table 2"));
    assert!(
        chunks[1]
            .content
            .starts_with("Table 2: Distributions\n\nSentence b0")
    );
    assert_eq!((chunks[1].page_start, chunks[1].page_end), (1, 2));
}

#[test]
fn table_title_before_a_heading_closes_its_section() {
    let chunks = chunk_blocks(&[
        para(1, "Intro."),
        block(1, TextBlockKind::TableTitle, "Table 1: Calls"),
        heading(2, "Next"),
        para(2, "More."),
    ]);
    assert_eq!(chunks[0].content, "Intro.\n\nTable 1: Calls");
    assert_eq!(chunks[1].content, "More.");
}

#[test]
fn overlong_heading_is_treated_as_text() {
    let text = sentences("h", 5);
    let chunks = chunk_blocks(&[heading(1, &text)]);
    assert_eq!(chunks.len(), 1);
    assert_eq!(chunks[0].heading, None);
    assert_eq!(chunks[0].content, text);
}

#[test]
fn small_paragraphs_fill_up_to_the_target() {
    let blocks: Vec<TextBlock> = (0..40)
        .map(|i| para(1, &sentences(&format!("q{i}s"), 1)))
        .collect();
    let chunks = chunk_blocks(&blocks);
    for c in &chunks[..chunks.len() - 1] {
        assert!((200..=300).contains(&c.token_count), "{}", c.token_count);
    }
}

#[test]
fn unicode_text_is_never_cut_inside_a_character() {
    let long = "Größe des Fonds beträgt €1,5 Mrd — ".repeat(200);
    let chunks = chunk_blocks(&[para(1, &long)]);
    let rejoined: Vec<&str> = chunks.iter().flat_map(|c| words(&c.content)).collect();
    assert!(rejoined.iter().all(|w| words(&long).contains(w)));
}

#[test]
fn the_model_reads_words_and_full_text_keeps_figures() {
    let chunks = chunk_blocks(&[
        heading(1, "Performance Summary"),
        para(1, "Total Capital Called: $29,939,000"),
        para(
            1,
            "DPI: 0.44x Net IRR: 10.0% as of 06/30/2025, adjustments (1,250).",
        ),
        para(1, "Q2 2025 closed with 16 platform investments in Fund-3."),
    ]);
    assert_eq!(chunks.len(), 1);
    assert!(chunks[0].content.contains("$29,939,000"));
    assert_eq!(
        chunks[0].embedding_text(),
        "Performance Summary\nTotal Capital Called:\nDPI: Net IRR: as of adjustments\n\
         Q2 closed with platform investments in Fund-3."
    );
}
