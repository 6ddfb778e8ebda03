//! Source files and byte spans.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// A half-open byte range `start..end` into a [`SourceFile`].
///
/// Offsets are `u32`: the reader refuses inputs larger than [`crate::json::Limits::max_bytes`],
/// which is far below `u32::MAX`, so every offset fits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    /// First byte of the range.
    pub start: u32,
    /// One past the last byte of the range.
    pub end: u32,
}

impl Span {
    /// A span from `start` to `end` (byte offsets).
    #[must_use]
    pub fn new(start: usize, end: usize) -> Self {
        Self {
            start: to_u32(start),
            end: to_u32(end.max(start)),
        }
    }

    /// An empty span at `offset`.
    #[must_use]
    pub fn at(offset: usize) -> Self {
        Self::new(offset, offset)
    }

    /// Length in bytes.
    #[must_use]
    pub fn len(self) -> usize {
        self.end.saturating_sub(self.start) as usize
    }

    /// Whether the span covers no bytes.
    #[must_use]
    pub fn is_empty(self) -> bool {
        self.end <= self.start
    }

    /// The `start..end` range as `usize`, for slicing.
    #[must_use]
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    /// The smallest span covering both.
    #[must_use]
    pub fn cover(self, other: Self) -> Self {
        Self {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl From<Span> for miette::SourceSpan {
    fn from(span: Span) -> Self {
        (span.start as usize, span.len()).into()
    }
}

/// A value with the span it was read from. Equality and hashing ignore the span, so two ASTs
/// read from differently formatted text compare equal when they mean the same thing.
#[derive(Clone, Copy, Debug, Default)]
pub struct Spanned<T> {
    /// The value.
    pub node: T,
    /// Where it was written.
    pub span: Span,
}

impl<T> Spanned<T> {
    /// Wraps `node` with `span`.
    pub fn new(node: T, span: Span) -> Self {
        Self { node, span }
    }
}

impl<T: PartialEq> PartialEq for Spanned<T> {
    fn eq(&self, other: &Self) -> bool {
        self.node == other.node
    }
}

impl<T: Eq> Eq for Spanned<T> {}

impl<T: std::hash::Hash> std::hash::Hash for Spanned<T> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.node.hash(state);
    }
}

impl<T> std::ops::Deref for Spanned<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.node
    }
}

/// A named input text. Cheap to clone.
#[derive(Clone, Debug)]
pub struct SourceFile {
    name: Arc<str>,
    /// The text and what is learnt of its lines, in one allocation: a run over a thousand
    /// files makes a source (or two) for each.
    body: Arc<Body>,
}

/// What clones of a [`SourceFile`] share besides the name.
#[derive(Debug)]
struct Body {
    // A `String` rather than a `str`: a reader that made the text from its own buffer can
    // take the buffer back with [`SourceFile::into_text`] and fill it with the next file.
    text: String,
    /// Byte offsets of the starts of lines after the first, computed on first use (rendering
    /// many findings in one large file must not rescan it for each).
    newlines: std::sync::OnceLock<Vec<u32>>,
    /// Line counts found without the index (see [`SourceFile::lines_before`]).
    cursor: LineCursor,
}

/// The last line count [`SourceFile::lines_before`] made by counting, and how many bytes it
/// has counted in all. Most texts with findings have one or two, whose lines are near each
/// other: counting the line breaks up to the first, then from there to the next, reads less of
/// the text and costs less than building the whole text's index. Many findings far apart
/// would count the text again and again, so past a budget the index is built instead.
#[derive(Debug, Default)]
struct LineCursor {
    /// `offset << 32 | lines before offset`, one word so that a reader on another thread sees
    /// a matching pair (offsets fit in `u32`, see [`Span`]).
    at: AtomicU64,
    /// Bytes counted so far.
    counted: AtomicU64,
}

impl SourceFile {
    /// A source named `name` (usually a path as the user typed it) holding `text`.
    pub fn new(name: impl Into<Arc<str>>, text: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            body: Arc::new(Body {
                text: text.into(),
                newlines: std::sync::OnceLock::new(),
                cursor: LineCursor::default(),
            }),
        }
    }

    /// A source with this one's name (shared, not copied) holding `text`.
    #[must_use]
    pub fn with_text(&self, text: impl Into<String>) -> Self {
        Self::new(Arc::clone(&self.name), text)
    }

    /// The text, when no clone of this source is left to read it; `None` otherwise.
    #[must_use]
    pub fn into_text(self) -> Option<String> {
        Arc::try_unwrap(self.body).ok().map(|body| body.text)
    }

    /// How many line breaks (`\n`) come before byte `offset`: from the line index when it is
    /// built, otherwise counted from the last count made (see [`LineCursor`]).
    #[must_use]
    pub fn lines_before(&self, offset: usize) -> usize {
        let bytes = self.body.text.as_bytes();
        let offset = offset.min(bytes.len());
        if let Some(nl) = self.body.newlines.get() {
            return nl.partition_point(|&n| (n as usize) < offset);
        }
        let packed = self.body.cursor.at.load(Ordering::Relaxed);
        let (at, lines) = ((packed >> 32) as usize, (packed & 0xffff_ffff) as usize);
        let at = at.min(bytes.len());
        let (from, to) = (at.min(offset), at.max(offset));
        let distance = to.saturating_sub(from) as u64;
        let counted = self
            .body
            .cursor
            .counted
            .fetch_add(distance, Ordering::Relaxed);
        // Past twice the text counted, further counts would cost more than the index.
        if counted.saturating_add(distance) > (bytes.len() as u64).saturating_mul(2) {
            return self
                .newline_offsets()
                .partition_point(|&n| (n as usize) < offset);
        }
        let between = count_newlines(bytes.get(from..to).unwrap_or(&[]));
        let found = if offset >= at {
            lines.saturating_add(between)
        } else {
            lines.saturating_sub(between)
        };
        self.body.cursor.at.store(
            (u64::from(to_u32(offset)) << 32) | u64::from(to_u32(found)),
            Ordering::Relaxed,
        );
        found
    }

    /// Byte offsets of the `\n`s of the text, in order (computed on first use).
    pub(crate) fn newline_offsets(&self) -> &[u32] {
        self.body
            .newlines
            .get_or_init(|| newline_offsets(self.body.text.as_bytes()))
    }

    /// The name given at construction.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The full text.
    #[must_use]
    pub fn text(&self) -> &str {
        &self.body.text
    }

    /// The text under `span`, or `""` when the span does not fall on character boundaries.
    #[must_use]
    pub fn slice(&self, span: Span) -> &str {
        self.body.text.get(span.range()).unwrap_or("")
    }

    /// One-based line and column (in characters) of a byte offset (the same as [`line_col`],
    /// with the line found in the file's cached line index).
    #[must_use]
    pub fn line_col(&self, offset: u32) -> LineCol {
        let text: &str = &self.body.text;
        let mut offset = (offset as usize).min(text.len());
        while !text.is_char_boundary(offset) {
            offset = offset.saturating_sub(1);
        }
        let before = self.lines_before(offset);
        let line_start =
            nth_newline_back(text.as_bytes(), offset, 1).map_or(0, |n| n.saturating_add(1));
        let column = text
            .get(line_start..offset)
            .map_or(0, |s| s.chars().count())
            .saturating_add(1);
        LineCol {
            line: before.saturating_add(1),
            column,
        }
    }
}

/// Byte offsets of every `\n` in `bytes`, in order: sixteen bytes compared at a time
/// (`crate::swar`), the last few one by one. Texts with findings are indexed whole for their
/// line numbers, some of them a hundred kilobytes long.
fn newline_offsets(bytes: &[u8]) -> Vec<u32> {
    let mut out = Vec::with_capacity(bytes.len() / 32);
    let mut chunks = bytes.chunks_exact(16);
    let mut base = 0usize;
    for chunk in &mut chunks {
        if let Some(block) = chunk.first_chunk::<16>() {
            let mut found =
                crate::swar::bits(crate::swar::lanes_eq(crate::swar::load(block), b'\n'), 0);
            while found != 0 {
                out.push(to_u32(base + found.trailing_zeros() as usize));
                found &= found - 1;
            }
        }
        base += 16;
    }
    for (i, &b) in chunks.remainder().iter().enumerate() {
        if b == b'\n' {
            out.push(to_u32(base + i));
        }
    }
    out
}

/// How many `\n`s `bytes` holds, sixteen bytes compared at a time.
pub(crate) fn count_newlines(bytes: &[u8]) -> usize {
    let mut total = 0usize;
    // Each compare gives -1 in the lanes that hold a `\n`; subtracting the compares adds one
    // to those lanes of `sum`, which is added up after 252 blocks (before a lane could
    // overflow), so that most blocks cost a load, a compare and a subtraction. Four blocks a
    // step, for fewer loop steps.
    for part in bytes.chunks(64 * 63) {
        let mut quads = part.chunks_exact(64);
        let mut sum = wide::i8x16::splat(0);
        for quad in quads.by_ref() {
            for chunk in quad.chunks_exact(16) {
                if let Some(block) = chunk.first_chunk::<16>() {
                    sum -= crate::swar::lanes_eq(crate::swar::load(block), b'\n');
                }
            }
        }
        let mut blocks = quads.remainder().chunks_exact(16);
        for chunk in blocks.by_ref() {
            if let Some(block) = chunk.first_chunk::<16>() {
                sum -= crate::swar::lanes_eq(crate::swar::load(block), b'\n');
            }
        }
        // Most counts are of the few lines between two spans, shorter than a block.
        if part.len() >= 16 {
            total = total.saturating_add(lane_sum(sum));
        }
        let mut rest = blocks.remainder();
        if let Some((word, tail)) = rest.split_first_chunk::<8>() {
            let found = crate::swar::eq_bytes(u64::from_le_bytes(*word), b'\n');
            total = total.saturating_add(found.count_ones() as usize);
            rest = tail;
        }
        let rest = rest.iter().filter(|&&b| b == b'\n').count();
        total = total.saturating_add(rest);
    }
    total
}

/// The sum of the lanes of `sum` as unsigned bytes (each at most 252): bytes added in pairs
/// into sixteen-bit lanes, then those by a multiplication that gathers them in the top lane
/// (the total, at most 4,032, fits).
fn lane_sum(sum: wide::i8x16) -> usize {
    const LOW_BYTES: u64 = 0x00ff_00ff_00ff_00ff;
    let bytes = sum.to_array().map(|lane| lane as u8);
    let (lo, hi) = bytes.split_at(8);
    let pairs = |half: &[u8]| {
        let x = half
            .first_chunk::<8>()
            .map_or(0, |w| u64::from_le_bytes(*w));
        (x & LOW_BYTES).wrapping_add((x >> 8) & LOW_BYTES)
    };
    let lanes = pairs(lo).wrapping_add(pairs(hi));
    (lanes.wrapping_mul(0x0001_0001_0001_0001) >> 48) as usize
}

/// The offset of the `n`-th `\n` (from 1) of `bytes[..to]` counted back from `to`, if there
/// are `n`.
pub(crate) fn nth_newline_back(bytes: &[u8], to: usize, n: usize) -> Option<usize> {
    let head = bytes.get(..to.min(bytes.len()))?;
    let mut left = n;
    if left == 0 {
        return None;
    }
    let mut blocks = head.rchunks_exact(16);
    let mut end = head.len();
    for chunk in blocks.by_ref() {
        end = end.saturating_sub(16);
        if let Some(block) = chunk.first_chunk::<16>() {
            let mut found =
                crate::swar::bits(crate::swar::lanes_eq(crate::swar::load(block), b'\n'), 0);
            while found != 0 {
                let top = 31u32.saturating_sub(found.leading_zeros());
                if left == 1 {
                    return Some(end.saturating_add(top as usize));
                }
                left = left.saturating_sub(1);
                found &= !(1u32 << top);
            }
        }
    }
    for (i, &b) in blocks.remainder().iter().enumerate().rev() {
        if b == b'\n' {
            if left == 1 {
                return Some(i);
            }
            left = left.saturating_sub(1);
        }
    }
    None
}

/// The offset of the `n`-th `\n` (from 1) of `bytes[from..]`, or, when there are fewer, how
/// many there are.
pub(crate) fn nth_newline(bytes: &[u8], from: usize, n: usize) -> Result<usize, usize> {
    let Some(tail) = bytes.get(from..) else {
        return Err(0);
    };
    let mut left = n;
    if left == 0 {
        return Err(0);
    }
    let mut blocks = tail.chunks_exact(16);
    let mut base = from;
    for chunk in blocks.by_ref() {
        if let Some(block) = chunk.first_chunk::<16>() {
            let mut found =
                crate::swar::bits(crate::swar::lanes_eq(crate::swar::load(block), b'\n'), 0);
            while found != 0 {
                if left == 1 {
                    return Ok(base.saturating_add(found.trailing_zeros() as usize));
                }
                left = left.saturating_sub(1);
                found &= found.wrapping_sub(1);
            }
        }
        base = base.saturating_add(16);
    }
    for (i, &b) in blocks.remainder().iter().enumerate() {
        if b == b'\n' {
            if left == 1 {
                return Ok(base.saturating_add(i));
            }
            left = left.saturating_sub(1);
        }
    }
    Err(n.saturating_sub(left))
}

/// One-based line and column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineCol {
    /// Line, from 1.
    pub line: usize,
    /// Column in Unicode scalar values, from 1.
    pub column: usize,
}

/// One-based line and column of byte `offset` in `text` (clamped to the text).
#[must_use]
pub fn line_col(text: &str, offset: usize) -> LineCol {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset = offset.saturating_sub(1);
    }
    let before = text.get(..offset).unwrap_or("");
    let line_start = before.rfind('\n').map_or(0, |i| i.saturating_add(1));
    let line = before
        .bytes()
        .filter(|&b| b == b'\n')
        .count()
        .saturating_add(1);
    let column = before
        .get(line_start..)
        .map_or(0, |s| s.chars().count())
        .saturating_add(1);
    LineCol { line, column }
}

/// One step of a 64-bit linear congruential generator: repeatable pseudo-random inputs for
/// tests of this crate.
#[cfg(test)]
pub(crate) fn lcg_step(state: u64) -> u64 {
    state
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text comes back only from the last clone; clones share the line index; a source
    /// made `with_text` has the name and only the new text.
    #[test]
    fn clones_share_the_text_and_give_it_back_last() {
        let text = String::from("a\nb\nc");
        let source = SourceFile::new("p.json", text);
        let clone = source.clone();
        assert_eq!(clone.line_col(4).line, 3);
        // One index, built once for both.
        assert!(std::ptr::eq(
            source.newline_offsets().as_ptr(),
            clone.newline_offsets().as_ptr()
        ));
        assert_eq!(source.newline_offsets(), [1, 3]);
        let other = source.with_text("x");
        assert_eq!((other.name(), other.text()), ("p.json", "x"));
        assert_eq!(other.line_col(0).line, 1);
        assert_eq!(source.into_text(), None);
        assert_eq!(clone.into_text().as_deref(), Some("a\nb\nc"));
        assert_eq!(other.into_text().as_deref(), Some("x"));
    }

    #[test]
    fn newline_offsets_match_a_byte_scan() {
        let mut text = Vec::new();
        for i in 0..300u32 {
            text.push(match i % 7 {
                0 => b'\n',
                1 => 0x8a, // \n with the high bit set
                2 => 0x0b,
                3 => 0x09,
                4 if i % 3 == 0 => b'\n',
                _ => b'a',
            });
            for len in [0, 1, 7, 8, 9, 15, 16, 17, 31, 33, usize::MAX] {
                let t = text.get(text.len().saturating_sub(len)..).unwrap_or(&[]);
                let want: Vec<u32> = t
                    .iter()
                    .enumerate()
                    .filter(|&(_, &b)| b == b'\n')
                    .map(|(i, _)| u32::try_from(i).unwrap_or(u32::MAX))
                    .collect();
                assert_eq!(newline_offsets(t), want);
            }
        }
        let all = vec![b'\n'; 37];
        assert_eq!(newline_offsets(&all), (0..37).collect::<Vec<u32>>());
    }

    #[test]
    fn cached_line_col_agrees_with_the_scan() {
        let text = "{\n  \"a\": \"é\u{1F600}x\",\r\n\n  \"b\": 1\n}";
        let f = SourceFile::new("t", text);
        for offset in 0..=text.len() + 2 {
            assert_eq!(
                f.line_col(u32::try_from(offset).unwrap_or(u32::MAX)),
                line_col(text, offset),
                "{offset}"
            );
        }
    }

    fn text_of(len: usize, seed: u64) -> Vec<u8> {
        let mut state = seed | 1;
        (0..len)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                match state % 5 {
                    0 => b'\n',
                    1 => 0x8a,
                    _ => b'a',
                }
            })
            .collect()
    }

    #[test]
    fn newline_searches_match_a_byte_scan() {
        for len in [
            0,
            1,
            15,
            16,
            17,
            40,
            255 * 16 - 1,
            255 * 16,
            255 * 16 + 17,
            9000,
        ] {
            let text = text_of(len, len as u64);
            let at: Vec<usize> = text
                .iter()
                .enumerate()
                .filter(|&(_, &b)| b == b'\n')
                .map(|(i, _)| i)
                .collect();
            let mut all = vec![b'\n'; len];
            all.truncate(len);
            assert_eq!(count_newlines(&all), len);
            assert_eq!(count_newlines(&text), at.len());
            let step = (len / 60).max(1);
            for from in (0..=len + 1).step_by(step) {
                let before: Vec<usize> = at.iter().copied().filter(|&p| p < from).collect();
                let after: Vec<usize> = at.iter().copied().filter(|&p| p >= from).collect();
                for n in 0..6usize {
                    let back = n
                        .checked_sub(1)
                        .and_then(|m| before.len().checked_sub(m + 1))
                        .map(|i| before[i]);
                    assert_eq!(nth_newline_back(&text, from, n), back, "{len} {from} {n}");
                    let fwd = match n.checked_sub(1).and_then(|m| after.get(m)) {
                        Some(&p) => Ok(p),
                        None if n == 0 => Err(0),
                        None => Err(after.len()),
                    };
                    assert_eq!(nth_newline(&text, from, n), fwd, "{len} {from} {n}");
                }
            }
        }
    }

    /// Offsets in any order, near and far: the counts from the cursor agree with a scan, before
    /// and after the budget sends them to the index.
    #[test]
    fn counted_lines_agree_with_the_scan() {
        for len in [0, 5, 100, 5000] {
            let text = String::from_utf8(text_of(len, 99).iter().map(|&b| b & 0x7f).collect())
                .unwrap_or_default();
            let file = SourceFile::new("t", text.clone());
            let mut state = 12345u64;
            for _ in 0..200 {
                state = lcg_step(state);
                let offset = (state >> 33) as usize % (len + 3);
                let want = text
                    .as_bytes()
                    .iter()
                    .take(offset)
                    .filter(|&&b| b == b'\n')
                    .count();
                assert_eq!(file.lines_before(offset), want, "{len} {offset}");
            }
            if len > 100 {
                assert!(file.body.newlines.get().is_some());
            }
        }
    }

    #[test]
    fn lane_sums_are_exact() {
        for fill in [0u8, 1, 7, 128, 200, 252] {
            for i in 0..16 {
                let mut lanes = [fill; 16];
                lanes[i] = 252 - fill % 3;
                let want: usize = lanes.iter().map(|&b| usize::from(b)).sum();
                let v = wide::i8x16::from(lanes.map(|b| b as i8));
                assert_eq!(lane_sum(v), want);
            }
        }
    }
}
