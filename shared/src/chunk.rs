//! Splits a document's text blocks, in reading order, into section-aware retrieval chunks.
mod text;

pub use text::estimate_tokens;

use crate::domain::{TextBlock, TextBlockKind};

/// One retrieval unit: a run of consecutive text within one section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    /// 0-based position in the document.
    pub index: u32,
    pub page_start: u32,
    pub page_end: u32,
    /// The heading of the section the text belongs to, if the document had one before it.
    pub heading: Option<String>,
    pub content: String,
    /// Estimated tokens of [`Chunk::text`], what an LLM prompt quoting the chunk sees.
    pub token_count: u32,
}

impl Chunk {
    /// Heading and content together: the heading gives a short paragraph the context it was
    /// written in (e.g. "Definitions").
    pub fn text(&self) -> String {
        match &self.heading {
            Some(h) => format!("{h}\n\n{}", self.content),
            None => self.content.clone(),
        }
    }

    /// What the embedding model reads: [`Chunk::text`] without its figures (amounts, dates,
    /// percentages, multiples). Exact figures are found by full-text search over the content.
    pub fn embedding_text(&self) -> String {
        text::without_numerals(&self.text())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkOptions {
    /// Upper bound on a chunk's estimated tokens (the model truncates at 256 WordPiece tokens
    /// including specials, so keep it near that; the estimate runs a little high for prose).
    pub max_tokens: usize,
    /// A chunk smaller than this is filled with sentences of the next paragraph rather than
    /// closed, so chunks mostly land between `min_tokens` and `max_tokens`.
    pub min_tokens: usize,
    /// The last sentence of a chunk is repeated at the start of the next one in the same section
    /// if it is at most this long; 0 disables overlap.
    pub overlap_max_tokens: usize,
}

impl Default for ChunkOptions {
    fn default() -> Self {
        Self {
            max_tokens: 300,
            min_tokens: 200,
            overlap_max_tokens: 60,
        }
    }
}

/// A "heading" longer than this is a misclassified paragraph and is chunked as one.
const MAX_HEADING_TOKENS: usize = 40;

/// Chunks `blocks` with [`ChunkOptions::default`].
pub fn chunk_blocks(blocks: &[TextBlock]) -> Vec<Chunk> {
    chunk_blocks_with(blocks, &ChunkOptions::default())
}

/// Chunks `blocks` (in reading order). A heading closes the current chunk and becomes the heading
/// of the chunks after it; a table title is kept with the text after it; paragraphs are kept whole
/// when they fit and split at sentence boundaries (or, failing those, between words) otherwise.
pub fn chunk_blocks_with(blocks: &[TextBlock], options: &ChunkOptions) -> Vec<Chunk> {
    let mut builder = Builder::new(options);
    for block in blocks {
        let text = text::normalize(&block.text);
        if text.is_empty() {
            continue;
        }
        match block.kind {
            TextBlockKind::Heading if estimate_tokens(&text) <= MAX_HEADING_TOKENS => {
                builder.heading(text)
            }
            TextBlockKind::TableTitle => builder.table_title(text, block.page),
            _ => builder.paragraph(&text, block.page),
        }
    }
    builder.finish()
}

/// A sentence (or a whole paragraph) placed in a chunk.
#[derive(Debug, Clone)]
struct Piece {
    text: String,
    page: u32,
    tokens: usize,
    /// Continues the paragraph of the piece before it, so it is joined with a space, not a break.
    continues: bool,
    /// Repeated from the previous chunk: does not make a chunk worth emitting on its own.
    overlap: bool,
    /// A table title: never left as the last thing in a chunk when the chunk closes for size.
    sticky: bool,
}

struct Builder<'a> {
    options: &'a ChunkOptions,
    heading: Option<String>,
    /// Set when the section heading has been seen but nothing below it yet.
    heading_open: bool,
    pieces: Vec<Piece>,
    chunks: Vec<Chunk>,
}

impl<'a> Builder<'a> {
    fn new(options: &'a ChunkOptions) -> Self {
        Self {
            options,
            heading: None,
            heading_open: false,
            pieces: Vec::new(),
            chunks: Vec::new(),
        }
    }

    fn tokens(&self) -> usize {
        self.pieces.iter().map(|p| p.tokens).sum()
    }

    fn has_new_content(&self) -> bool {
        self.pieces.iter().any(|p| !p.overlap)
    }

    /// Longest piece allowed, leaving room for the overlap so any piece fits in a fresh chunk.
    fn max_piece_tokens(&self) -> usize {
        self.options
            .max_tokens
            .saturating_sub(self.options.overlap_max_tokens)
            .max(1)
    }

    fn heading(&mut self, text: String) {
        self.close_section();
        // Stacked headings ("Part II" then "Definitions") describe one section together.
        self.heading = match (self.heading_open, self.heading.take()) {
            (true, Some(outer)) => Some(format!("{outer} — {text}")),
            _ => Some(text),
        };
        self.heading_open = true;
    }

    fn table_title(&mut self, text: String, page: u32) {
        let tokens = estimate_tokens(&text);
        self.push_fitting(vec![Piece {
            text,
            page,
            tokens,
            continues: false,
            overlap: false,
            sticky: true,
        }]);
    }

    fn paragraph(&mut self, text: &str, page: u32) {
        let max_piece = self.max_piece_tokens();
        let mut pieces = Vec::new();
        for sentence in text::sentences(text) {
            let parts = if estimate_tokens(&sentence) > max_piece {
                text::word_windows(&sentence, max_piece)
            } else {
                vec![sentence]
            };
            pieces.extend(parts.into_iter().map(|part| Piece {
                tokens: estimate_tokens(&part),
                text: part,
                page,
                continues: true,
                overlap: false,
                sticky: false,
            }));
        }
        if let Some(first) = pieces.first_mut() {
            first.continues = false;
        }
        self.push_fitting(pieces);
    }

    /// Adds a paragraph's pieces: whole if it fits, else sentence by sentence into a chunk that is
    /// still small, else into a fresh chunk.
    fn push_fitting(&mut self, pieces: Vec<Piece>) {
        self.heading_open = false;
        let total: usize = pieces.iter().map(|p| p.tokens).sum();
        if self.tokens() + total <= self.options.max_tokens {
            self.pieces.extend(pieces);
            return;
        }
        if self.tokens() >= self.options.min_tokens && self.has_new_content() {
            self.close_for_size();
            if self.tokens() + total <= self.options.max_tokens {
                self.pieces.extend(pieces);
                return;
            }
        }
        for piece in pieces {
            if self.tokens() + piece.tokens > self.options.max_tokens && self.has_new_content() {
                self.close_for_size();
            }
            self.pieces.push(piece);
        }
    }

    /// Closes the current chunk because it is full, carrying a trailing table title, or else the
    /// last sentence, into the next chunk of the same section.
    fn close_for_size(&mut self) {
        let split = self
            .pieces
            .iter()
            .rposition(|p| !p.sticky)
            .map_or(0, |i| i + 1);
        let carried = if self.pieces[..split].iter().any(|p| !p.overlap) {
            self.pieces.split_off(split)
        } else {
            Vec::new()
        };
        let overlap = if carried.is_empty() {
            self.overlap_piece()
        } else {
            None
        };
        self.emit();
        self.pieces.extend(overlap);
        self.pieces.extend(carried);
    }

    fn overlap_piece(&self) -> Option<Piece> {
        let last = self.pieces.last()?;
        let sentence = text::sentences(&last.text).pop()?;
        let tokens = estimate_tokens(&sentence);
        (tokens <= self.options.overlap_max_tokens && !last.sticky).then_some(Piece {
            text: sentence,
            page: last.page,
            tokens,
            continues: false,
            overlap: true,
            sticky: false,
        })
    }

    fn close_section(&mut self) {
        if self.has_new_content() {
            self.emit();
        }
        self.pieces.clear();
    }

    fn emit(&mut self) {
        let pieces = std::mem::take(&mut self.pieces);
        let (Some(page_start), Some(page_end)) = (
            pieces.iter().map(|p| p.page).min(),
            pieces.iter().map(|p| p.page).max(),
        ) else {
            return;
        };
        let mut content = String::new();
        for (i, piece) in pieces.iter().enumerate() {
            if i > 0 {
                content.push_str(if piece.continues { " " } else { "\n\n" });
            }
            content.push_str(&piece.text);
        }
        let mut chunk = Chunk {
            index: u32::try_from(self.chunks.len()).unwrap_or(u32::MAX),
            page_start,
            page_end,
            heading: self.heading.clone(),
            content,
            token_count: 0,
        };
        chunk.token_count = u32::try_from(estimate_tokens(&chunk.text())).unwrap_or(u32::MAX);
        self.chunks.push(chunk);
    }

    fn finish(mut self) -> Vec<Chunk> {
        self.close_section();
        self.chunks
    }
}

#[cfg(test)]
mod tests;
