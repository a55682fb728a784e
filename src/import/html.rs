//! Web pages → text. Government sites publish a plan as a page: a disclosure table (索引号,
//! 发文机关, 发文字号, 成文日期 …), a title, the text in nested blocks, and around it navigation,
//! share buttons and footers. The page is parsed with html5ever (through scraper); the article
//! is the block that holds the most text not inside links (what readers of the page read), the
//! title the heading before it, the disclosure fields the labelled cells wherever they are.
//!
//! The text written out starts with the disclosure fields found (one `label：value` line each,
//! before `body_start`), then the title, then the article's paragraphs; tables keep their cells
//! as ranges of that text.

use std::collections::{HashMap, HashSet};

use ego_tree::iter::Edge;
use ego_tree::{NodeId, NodeRef};
use scraper::{Html, Node};

use super::text::{DocumentText, MetaField, MetaKey, ReadError, TextBuilder};

/// Elements whose content is never the document's text.
const SKIPPED: &[&str] = &[
    "script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "canvas",
    "button", "select", "option", "input", "textarea", "nav", "header", "footer", "aside", "head",
    "title", "map", "audio", "video",
];

/// Elements that start and end a line of text.
const BLOCKS: &[&str] = &[
    "address",
    "article",
    "blockquote",
    "body",
    "caption",
    "center",
    "dd",
    "details",
    "dialog",
    "dir",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "html",
    "li",
    "main",
    "menu",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
    "br",
];

/// A label and the field it names, if planlint reads that field.
type Label = (&'static str, Option<MetaKey>);

/// The labels of disclosure tables, compacted (no spaces, no colon): the four read, and the
/// others, which end a value written after them in the same cell.
const LABELS: &[Label] = &[
    ("标题", Some(MetaKey::Title)),
    ("名称", Some(MetaKey::Title)),
    ("文件名称", Some(MetaKey::Title)),
    ("文件标题", Some(MetaKey::Title)),
    ("信息名称", Some(MetaKey::Title)),
    ("发文标题", Some(MetaKey::Title)),
    ("发文字号", Some(MetaKey::Number)),
    ("文号", Some(MetaKey::Number)),
    ("发文号", Some(MetaKey::Number)),
    ("文件编号", Some(MetaKey::Number)),
    ("发文文号", Some(MetaKey::Number)),
    ("发文机关", Some(MetaKey::Issuer)),
    ("发文单位", Some(MetaKey::Issuer)),
    ("发文机构", Some(MetaKey::Issuer)),
    ("发布机构", Some(MetaKey::Issuer)),
    ("发布机关", Some(MetaKey::Issuer)),
    ("制发机关", Some(MetaKey::Issuer)),
    ("发文部门", Some(MetaKey::Issuer)),
    ("成文日期", Some(MetaKey::Issued)),
    ("成文时间", Some(MetaKey::Issued)),
    ("发文日期", Some(MetaKey::Issued)),
    ("发文时间", Some(MetaKey::Issued)),
    ("索引号", None),
    ("主题分类", None),
    ("体裁分类", None),
    ("组配分类", None),
    ("服务对象分类", None),
    ("信息分类", None),
    ("分类", None),
    ("发布日期", None),
    ("发布时间", None),
    ("公开日期", None),
    ("生成日期", None),
    ("实施日期", None),
    ("废止日期", None),
    ("主题词", None),
    ("关键词", None),
    ("有效性", None),
    ("是否有效", None),
    ("公开方式", None),
    ("公开范围", None),
    ("公开时限", None),
    ("来源", None),
    ("信息来源", None),
    ("浏览次数", None),
    ("阅读人次", None),
    ("评论人次", None),
    ("实施时间", None),
    ("法规类型", None),
    ("所属行业", None),
    ("所属区域", None),
    ("页面功能", None),
];

pub fn read_html(bytes: &[u8]) -> Result<DocumentText, ReadError> {
    let (source, read_as) = decode(bytes)?;
    let page = Html::parse_document(&source);
    let root = page.tree.root();
    let Some(parts) = article(root) else {
        return Err(ReadError::BadHtml(
            "the page holds no text (a page filled in by scripts, or a frame around another page?)"
                .to_owned(),
        ));
    };
    let fields = disclosure_fields(root, &parts);
    let mut out = TextBuilder::default();
    let mut metadata = Vec::new();
    let mut skip: HashSet<NodeId> = HashSet::new();
    for field in &fields {
        skip.extend(field.nodes.iter().copied());
        let Some(key) = field.key else { continue };
        if metadata.iter().any(|m: &MetaField| m.key == key) {
            continue;
        }
        out.push_str(key.zh());
        out.push_str("：");
        let start = out.text.len();
        out.push_str(&field.value);
        metadata.push(MetaField {
            key,
            value: start..out.text.len(),
        });
        out.end_paragraph();
    }
    if let Some(block) = disclosure_block(&fields, root) {
        skip.insert(block);
    }
    let body_start = out.text.len();
    let mut walker = Walker {
        out,
        skip,
        pending_space: false,
        newline_in_space: false,
    };
    let first = parts[0];
    if let Some(title) = title_before(root, first, &walker.skip) {
        let title_text = compact(&text_of(title));
        let article_start = compact(&text_of(first));
        if !article_start.starts_with(&title_text) {
            walker.walk(title);
        }
    }
    for part in parts {
        walker.walk(part);
    }
    let (text, tables) = walker.out.finish();
    if text[body_start..].trim().is_empty() {
        return Err(ReadError::Empty);
    }
    Ok(DocumentText {
        text,
        read_as: match read_as {
            "UTF-8" => "HTML".to_owned(),
            other => format!("HTML ({other})"),
        },
        metadata,
        body_start,
        tables,
    })
}

/// The page's characters: a BOM, else UTF-8 when the bytes are UTF-8 (whatever the page
/// declares: a page re-saved as UTF-8 often keeps its old gb2312 meta), else the declared
/// charset, else detection. GBK and GB2312 are read as GB18030, their superset.
fn decode(bytes: &[u8]) -> Result<(String, &'static str), ReadError> {
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, _, _) = encoding.decode(&bytes[bom..]);
        return Ok((text.into_owned(), encoding.name()));
    }
    if let Ok(text) = crate::source::as_utf8(bytes) {
        return Ok((text.to_owned(), "UTF-8"));
    }
    // Markup is ASCII: decoded as windows-1252 it parses well enough to read its meta tags.
    let (ascii, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
    let declared = declared_charset(&Html::parse_document(&ascii));
    let encoding = match declared {
        Some(e) => e,
        None => {
            let mut detector =
                chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
            detector.feed(bytes, true);
            detector.guess(Some(b"cn"), chardetng::Utf8Detection::Allow)
        }
    };
    let encoding = if encoding == encoding_rs::GBK {
        encoding_rs::GB18030
    } else {
        encoding
    };
    let (text, _, _) = encoding.decode(bytes);
    let name = if encoding == encoding_rs::GB18030 {
        "GBK"
    } else {
        encoding.name()
    };
    Ok((text.into_owned(), name))
}

/// The encoding a page's `<meta charset>` or `<meta http-equiv content="…; charset=…">` names.
fn declared_charset(page: &Html) -> Option<&'static encoding_rs::Encoding> {
    page.tree.root().descendants().find_map(|node| {
        let element = node.value().as_element()?;
        if element.name() != "meta" {
            return None;
        }
        let label = element.attr("charset").map(str::to_owned).or_else(|| {
            let content = element.attr("content")?.to_ascii_lowercase();
            let at = content.find("charset=")?;
            Some(
                content[at + 8..]
                    .trim_matches(|c: char| c == '"' || c == '\'' || c.is_whitespace())
                    .split(|c: char| c == ';' || c.is_whitespace())
                    .next()
                    .unwrap_or("")
                    .to_owned(),
            )
        })?;
        encoding_rs::Encoding::for_label(label.trim().as_bytes())
    })
}

fn element_name<'a>(node: &NodeRef<'a, Node>) -> Option<&'a str> {
    node.value().as_element().map(|e| e.name())
}

fn is_skipped(node: &NodeRef<'_, Node>) -> bool {
    let Some(element) = node.value().as_element() else {
        return false;
    };
    if SKIPPED.contains(&element.name()) || is_chrome(node) {
        return true;
    }
    // Hidden content is not what the page shows.
    element.attr("style").is_some_and(|style| {
        let style: String = style
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase();
        style.contains("display:none") || style.contains("visibility:hidden")
    }) || element.attr("hidden").is_some()
}

/// An element whose class or id says it is the site's furniture (footer, share bar, menus,
/// related links), by a word of the class: `footer-wrap`, `bdsharebuttonbox`, `left-menu`.
fn is_chrome(node: &NodeRef<'_, Node>) -> bool {
    const WORDS: &[&str] = &[
        "foot",
        "bottom",
        "nav",
        "menu",
        "copyright",
        "related",
        "breadcrumb",
        "crumb",
        "banner",
        "toolbar",
        "sidebar",
    ];
    let Some(element) = node.value().as_element() else {
        return false;
    };
    [element.attr("class"), element.attr("id")]
        .into_iter()
        .flatten()
        .flat_map(|v| v.split(|c: char| !c.is_ascii_alphanumeric()))
        .map(str::to_ascii_lowercase)
        .any(|token| token.contains("share") || WORDS.iter().any(|w| token.starts_with(w)))
}

fn is_block(node: &NodeRef<'_, Node>) -> bool {
    element_name(node).is_some_and(|n| BLOCKS.contains(&n))
}

/// The blocks that hold the article: the one whose score is highest — each block's own text (not in links, not skipped) counts
/// for it, its parent block, and half for the grandparent; the highest score wins, the deeper
/// enclosing block on a tie (a block holding one paragraph scores what the paragraph does) — and its siblings that
/// hold much text too.
fn article(root: NodeRef<'_, Node>) -> Option<Vec<NodeRef<'_, Node>>> {
    let mut own: HashMap<NodeId, usize> = HashMap::new();
    let mut skipped_depth = 0usize;
    let mut link_depth = 0usize;
    let mut blocks: Vec<NodeRef<'_, Node>> = Vec::new();
    let mut block_parent: HashMap<NodeId, NodeId> = HashMap::new();
    for edge in root.traverse() {
        match edge {
            Edge::Open(node) => {
                if skipped_depth > 0 || is_skipped(&node) {
                    skipped_depth += usize::from(node.value().is_element());
                    continue;
                }
                if element_name(&node) == Some("a") {
                    link_depth += 1;
                }
                if is_block(&node) {
                    if let Some(parent) = blocks.last() {
                        block_parent.insert(node.id(), parent.id());
                    }
                    blocks.push(node);
                }
                if let (Some(text), 0) = (node.value().as_text(), link_depth) {
                    let n = text.chars().filter(|c| !c.is_whitespace()).count();
                    if n > 0 {
                        if let Some(block) = blocks.last() {
                            *own.entry(block.id()).or_default() += n;
                        }
                    }
                }
            }
            Edge::Close(node) => {
                if skipped_depth > 0 {
                    skipped_depth -= usize::from(node.value().is_element());
                    continue;
                }
                if element_name(&node) == Some("a") {
                    link_depth = link_depth.saturating_sub(1);
                }
                if is_block(&node) {
                    blocks.pop();
                }
            }
        }
    }
    let mut score: HashMap<NodeId, usize> = HashMap::new();
    for (&id, &n) in &own {
        *score.entry(id).or_default() += n;
        if let Some(&parent) = block_parent.get(&id) {
            *score.entry(parent).or_default() += n;
            if let Some(&grandparent) = block_parent.get(&parent) {
                *score.entry(grandparent).or_default() += n / 2;
            }
        }
    }
    let mut best: Option<(usize, NodeRef<'_, Node>)> = None;
    for node in root.descendants() {
        let Some(&s) = score.get(&node.id()) else {
            continue;
        };
        if best.as_ref().is_none_or(|(b, _)| s > *b) {
            best = Some((s, node));
        }
    }
    let (_, article) = best.filter(|(s, _)| *s > 0)?;
    // The text of a subtree outside links: what decides whether a sibling is more article.
    let text_in = |node: NodeRef<'_, Node>| -> usize {
        node.descendants().filter_map(|d| own.get(&d.id())).sum()
    };
    let length = text_in(article);
    // A text split across sibling blocks (the text, then an annex with its table): siblings
    // with a fifth of the article's text, or 100 characters, are read with it, in order.
    let Some(parent) = article.parent() else {
        return Some(vec![article]);
    };
    let parts = parent
        .children()
        .filter(|c| {
            c.id() == article.id()
                || (is_block(c) && !is_skipped(c) && text_in(*c) >= (length / 5).max(300))
        })
        .collect();
    Some(parts)
}

/// The page's title heading: the last h1–h3, or block whose class or id says title, before the
/// article and outside it, that names a document.
fn title_before<'a>(
    root: NodeRef<'a, Node>,
    article: NodeRef<'a, Node>,
    skip: &HashSet<NodeId>,
) -> Option<NodeRef<'a, Node>> {
    let mut found = None;
    let mut skipped_depth = 0usize;
    for edge in root.traverse() {
        let node = match edge {
            Edge::Open(node) => node,
            Edge::Close(node) => {
                skipped_depth = skipped_depth
                    .saturating_sub(usize::from(skipped_depth > 0 && node.value().is_element()));
                continue;
            }
        };
        if node.id() == article.id() {
            break;
        }
        if skipped_depth > 0 || is_skipped(&node) || skip.contains(&node.id()) {
            skipped_depth += usize::from(node.value().is_element());
            continue;
        }
        let Some(element) = node.value().as_element() else {
            continue;
        };
        let titled = matches!(element.name(), "h1" | "h2" | "h3")
            || (is_block(&node)
                && [element.attr("class"), element.attr("id")]
                    .into_iter()
                    .flatten()
                    .any(|v| v.to_ascii_lowercase().contains("title")));
        if !titled {
            continue;
        }
        let text = compact(&text_of(node));
        let n = text.chars().count();
        if (6..=200).contains(&n)
            && ["方案", "要点", "规划", "通知", "意见", "计划", "安排"]
                .iter()
                .any(|w| text.contains(w))
        {
            found = Some(node);
        }
    }
    found
}

/// A labelled value of the disclosure table and the elements it was read from.
#[derive(Debug)]
struct Field {
    label: &'static str,
    key: Option<MetaKey>,
    value: String,
    nodes: Vec<NodeId>,
}

/// The disclosure fields anywhere in the page: a cell (or list item, or line) that starts with
/// a known label, its value after the colon or in the next cell; several labels in one line
/// split it. Fields are read only when at least two labels are found: one label alone could be
/// the text's own words.
fn disclosure_fields<'a>(root: NodeRef<'a, Node>, article: &[NodeRef<'a, Node>]) -> Vec<Field> {
    let chunks = leaf_blocks(root);
    let mut fields: Vec<Field> = Vec::new();
    let mut i = 0;
    while i < chunks.len() {
        let (node, text) = &chunks[i];
        i += 1;
        if text.chars().count() > 300 {
            continue;
        }
        let labelled = split_labels(text);
        if labelled.is_empty() {
            continue;
        }
        let count = labelled.len();
        for (n, (label, key, value)) in labelled.into_iter().enumerate() {
            let mut nodes = vec![*node];
            let mut value = value;
            // A label alone in its cell: the value is the next cell (when not a label itself).
            if value.is_empty() && n + 1 == count {
                if let Some((next, next_text)) = chunks.get(i) {
                    if split_labels(next_text).is_empty() && next_text.chars().count() <= 300 {
                        value = next_text.trim().to_owned();
                        nodes.push(*next);
                        i += 1;
                    }
                }
            }
            fields.push(Field {
                label,
                key,
                value,
                nodes,
            });
        }
    }
    let distinct: HashSet<&str> = fields.iter().map(|f| f.label).collect();
    if distinct.len() < 2 {
        return Vec::new();
    }
    // The article's own lines are never fields (a text that says 标题：… in passing).
    let inside: HashSet<NodeId> = article
        .iter()
        .flat_map(|a| a.descendants())
        .map(|n| n.id())
        .collect();
    let in_article = fields
        .iter()
        .filter(|f| f.nodes.iter().all(|n| inside.contains(n)))
        .count();
    if in_article == fields.len() && fields.len() < 3 {
        return Vec::new();
    }
    fields.retain(|f| !f.value.is_empty());
    fields
}

/// The element holding all the disclosure fields (their table or list), when it holds little
/// else: skipped as a whole when the article contains it.
fn disclosure_block(fields: &[Field], root: NodeRef<'_, Node>) -> Option<NodeId> {
    let tree = root.tree();
    // The lowest common ancestor: the longest common prefix of the root-first ancestor chains.
    let chain = |id: NodeId| -> Vec<NodeId> {
        let mut ids: Vec<NodeId> = tree
            .get(id)
            .map(|n| n.ancestors().map(|a| a.id()).collect())
            .unwrap_or_default();
        ids.reverse();
        ids
    };
    let mut nodes = fields.iter().flat_map(|f| f.nodes.iter().copied());
    let mut common = chain(nodes.next()?);
    for id in nodes {
        let other = chain(id);
        let shared = common
            .iter()
            .zip(&other)
            .take_while(|(a, b)| a == b)
            .count();
        common.truncate(shared);
    }
    let block = tree.get(*common.last()?)?;
    let field_chars: usize = fields.iter().map(|f| f.value.chars().count() + 6).sum();
    let block_chars = compact(&text_of(block)).chars().count();
    (block_chars <= field_chars * 2 + 40).then_some(block.id())
}

/// Splits `发文字号：X 成文日期：Y` into its (label, key, value) triples; empty when the text does
/// not start with a label.
fn split_labels(text: &str) -> Vec<(&'static str, Option<MetaKey>, String)> {
    // The text without spaces (labels are spaced out to align: 标　　题), each character with
    // its byte offset in the text.
    let chars: Vec<(usize, char)> = text
        .char_indices()
        .filter(|(_, c)| !c.is_whitespace())
        .collect();
    let compacted: String = chars.iter().map(|(_, c)| *c).collect();
    // Labels found: (index in `chars` where the label starts, where its value starts, label).
    let mut hits: Vec<(usize, usize, &'static Label)> = Vec::new();
    let mut at = 0; // index in `chars`
    let mut byte = 0; // the same place in `compacted`
    while at < chars.len() {
        let rest = &compacted[byte..];
        let label = LABELS
            .iter()
            .filter(|(l, _)| rest.starts_with(l))
            .max_by_key(|(l, _)| l.len());
        if let Some(found) = label {
            let after = &rest[found.0.len()..];
            let colon = after.starts_with(['：', ':']);
            // At the start a label may stand alone (its value in the next cell); further on,
            // only a label followed by a colon ends the value before it.
            if colon || (at == 0 && after.is_empty()) {
                let skip = found.0.chars().count() + usize::from(colon);
                hits.push((at, at + skip, found));
                byte += found.0.len()
                    + after
                        .chars()
                        .next()
                        .filter(|_| colon)
                        .map_or(0, char::len_utf8);
                at += skip;
                continue;
            }
        }
        if hits.is_empty() {
            return Vec::new();
        }
        byte += chars[at].1.len_utf8();
        at += 1;
    }
    let byte_at = |index: usize| chars.get(index).map(|(b, _)| *b).unwrap_or(text.len());
    hits.iter()
        .enumerate()
        .map(|(n, &(_, value_start, &(label, key)))| {
            let value_end = hits.get(n + 1).map(|h| h.0).unwrap_or(chars.len());
            let value = if value_start >= value_end {
                String::new()
            } else {
                text[byte_at(value_start)..byte_at(value_end)]
                    .trim()
                    .to_owned()
            };
            (label, key, value)
        })
        .collect()
}

/// Every block without block children (a cell, list item, paragraph), with its text: one pass,
/// so that deep nesting costs what its size does.
fn leaf_blocks(root: NodeRef<'_, Node>) -> Vec<(NodeId, String)> {
    let mut out = Vec::new();
    // Open blocks: (id, has a block inside, text so far).
    let mut open: Vec<(NodeId, bool, String)> = Vec::new();
    let mut skipped_depth = 0usize;
    let is_leaf_kind = |n: &NodeRef<'_, Node>| is_block(n) && element_name(n) != Some("br");
    for edge in root.traverse() {
        match edge {
            Edge::Open(n) => {
                if skipped_depth > 0 || is_skipped(&n) {
                    skipped_depth += usize::from(n.value().is_element());
                } else if let Some(t) = n.value().as_text() {
                    if let Some(top) = open.last_mut() {
                        top.2.push_str(t);
                    }
                } else if is_leaf_kind(&n) {
                    if let Some(top) = open.last_mut() {
                        top.1 = true;
                    }
                    open.push((n.id(), false, String::new()));
                } else if element_name(&n) == Some("br") {
                    if let Some(top) = open.last_mut() {
                        top.2.push(' ');
                    }
                }
            }
            Edge::Close(n) => {
                if skipped_depth > 0 {
                    skipped_depth -= usize::from(n.value().is_element());
                } else if is_leaf_kind(&n) {
                    if let Some((id, has_blocks, text)) = open.pop() {
                        let text = collapse(&text);
                        if !has_blocks && !text.is_empty() {
                            out.push((id, text));
                        }
                    }
                }
            }
        }
    }
    out
}

/// The text of a node, skipped elements left out.
fn text_of(node: NodeRef<'_, Node>) -> String {
    let mut out = String::new();
    let mut skipped_depth = 0usize;
    for edge in node.traverse() {
        match edge {
            Edge::Open(n) => {
                if skipped_depth > 0 || is_skipped(&n) {
                    skipped_depth += usize::from(n.value().is_element());
                } else if let Some(t) = n.value().as_text() {
                    out.push_str(t);
                } else if element_name(&n) == Some("br") {
                    out.push(' ');
                }
            }
            Edge::Close(n) => {
                if skipped_depth > 0 {
                    skipped_depth -= usize::from(n.value().is_element());
                }
            }
        }
    }
    out
}

fn collapse(s: &str) -> String {
    s.split(|c: char| c.is_ascii_whitespace() || c == '\u{a0}')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn compact(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn is_wide(c: char) -> bool {
    matches!(c as u32, 0x2E80..=0x9FFF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF | 0x20000..=0x3FFFF)
}

/// Writes a subtree's text as paragraphs, whitespace as a browser shows it.
struct Walker {
    out: TextBuilder,
    skip: HashSet<NodeId>,
    pending_space: bool,
    newline_in_space: bool,
}

impl Walker {
    fn walk(&mut self, node: NodeRef<'_, Node>) {
        let mut skipped_depth = 0usize;
        for edge in node.traverse() {
            match edge {
                Edge::Open(n) => {
                    if skipped_depth > 0 || is_skipped(&n) || self.skip.contains(&n.id()) {
                        skipped_depth += usize::from(n.value().is_element());
                        continue;
                    }
                    if let Some(text) = n.value().as_text() {
                        self.text(text);
                        continue;
                    }
                    let Some(element) = n.value().as_element() else {
                        continue;
                    };
                    let name = element.name();
                    if BLOCKS.contains(&name) {
                        self.break_line();
                    }
                    match name {
                        "table" => self.out.start_table(),
                        "tr" => self.out.start_row(),
                        "td" | "th" => {
                            self.out.start_cell();
                            let span = |a: &str| {
                                element
                                    .attr(a)
                                    .and_then(|v| v.trim().parse::<usize>().ok())
                                    .unwrap_or(1)
                            };
                            self.out.cell_span(span("rowspan"), span("colspan"));
                        }
                        _ => {}
                    }
                }
                Edge::Close(n) => {
                    if skipped_depth > 0 {
                        skipped_depth -= usize::from(n.value().is_element());
                        continue;
                    }
                    let Some(name) = element_name(&n) else {
                        continue;
                    };
                    if BLOCKS.contains(&name) {
                        self.break_line();
                    }
                    match name {
                        "td" | "th" => self.out.end_cell(false),
                        "table" => self.out.end_table(),
                        _ => {}
                    }
                }
            }
        }
        self.break_line();
    }

    fn break_line(&mut self) {
        self.pending_space = false;
        self.newline_in_space = false;
        self.out.end_paragraph();
    }

    fn text(&mut self, text: &str) {
        for c in text.chars() {
            if c.is_ascii_whitespace() || c == '\u{a0}' {
                // Indents of &nbsp; and spaces at a line's start are not text.
                let line_has_text = !self.out.text.is_empty() && !self.out.text.ends_with('\n');
                if line_has_text {
                    self.pending_space = true;
                    self.newline_in_space |= matches!(c, '\n' | '\r');
                }
                continue;
            }
            if self.pending_space {
                let before = self.out.text.chars().next_back();
                // A line break in the markup between two Chinese characters is no space (as
                // browsers render it).
                let joined = self.newline_in_space && before.is_some_and(is_wide) && is_wide(c);
                if !joined {
                    self.out.push_str(" ");
                }
                self.pending_space = false;
                self.newline_in_space = false;
            }
            let mut buf = [0u8; 4];
            self.out.push_str(c.encode_utf8(&mut buf));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"<!DOCTYPE html><html><head><meta charset="utf-8"><title>某市</title>
<script>var x = "一、不是正文";</script></head><body>
<div class="nav"><a href="/">首页</a> &gt; <a href="/zc">政策文件</a></div>
<table class="xxgk"><tr><td>索&nbsp;引&nbsp;号：</td><td>11410300/2021-00123</td><td>主题分类：</td><td>科技</td></tr>
<tr><td>发文机关：</td><td>某市人民政府办公室</td><td>成文日期：</td><td>2021年12月30日</td></tr>
<tr><td>标　　题：</td><td colspan="3">某市人民政府办公室关于印发某市全民科学素质行动规划纲要实施方案（2021—2025年）的通知</td></tr>
<tr><td>发文字号：</td><td>某政办〔2021〕80号</td><td>发布日期：</td><td>2022年01月05日</td></tr></table>
<h1 class="title">某市人民政府办公室关于印发某市全民科学素质行动规划纲要实施方案（2021—2025年）的通知</h1>
<div class="share">分享到：<a>微信</a><a>微博</a></div>
<div id="zoom"><div class="TRS_Editor">
<p style="text-indent:2em">&nbsp;&nbsp;&nbsp;&nbsp;各县（市、区）人民政府，市人民政府各部门：</p>
<p>　　现将《某市全民科学素质行动规划纲要实施方案（2021—2025年）》印发给你们，请认真贯彻
执行。</p><p><span style="font-family:仿宋">一、</span><span>总体要求</span></p>
<p>（一）青少年科学素质提升行动。<br>牵头单位：市教育局</p>
<table><tr><th>任务</th><th>牵头单位</th></tr><tr><td rowspan="2">甲</td><td>市科协</td></tr><tr><td>市教育局</td></tr></table>
<p style="display:none">隐藏的字</p>
</div></div>
<div class="footer">主办：某市人民政府办公室 版权所有</div>
</body></html>"#;

    fn read(page: &str) -> DocumentText {
        read_html(page.as_bytes()).unwrap()
    }

    #[test]
    fn the_article_and_its_disclosure_fields_are_read_and_nothing_else() {
        let doc = read(PAGE);
        let body = &doc.text[doc.body_start..];
        assert!(body.starts_with("某市人民政府办公室关于印发"), "{body}");
        assert!(
            body.contains("\n各县（市、区）人民政府，市人民政府各部门：\n"),
            "{body}"
        );
        // The line break in the markup between two Chinese characters joins them.
        assert!(body.contains("请认真贯彻执行。\n一、总体要求\n"), "{body}");
        assert!(body.contains("（一）青少年科学素质提升行动。\n牵头单位：市教育局\n"));
        for absent in [
            "首页",
            "分享到",
            "版权所有",
            "不是正文",
            "隐藏",
            "索引号",
            "11410300",
        ] {
            assert!(!doc.text.contains(absent), "{absent} in {}", doc.text);
        }
        let field = |key| {
            doc.metadata
                .iter()
                .find(|m| m.key == key)
                .map(|m| &doc.text[m.value.clone()])
        };
        assert_eq!(field(MetaKey::Number), Some("某政办〔2021〕80号"));
        assert_eq!(field(MetaKey::Issued), Some("2021年12月30日"));
        assert_eq!(field(MetaKey::Issuer), Some("某市人民政府办公室"));
        assert!(field(MetaKey::Title).unwrap().ends_with("的通知"));
        assert!(doc.text[..doc.body_start].starts_with("发文机关：某市人民政府办公室\n"));
        // The table keeps its grid; a cell spanning two rows is at both.
        let table = &doc.tables[0];
        let cell = |r: usize, c: usize| &doc.text[table.rows[r][c].clone()];
        assert_eq!(table.rows.len(), 3);
        assert_eq!((cell(0, 0), cell(0, 1)), ("任务", "牵头单位"));
        assert_eq!(
            (cell(1, 0), cell(2, 0), cell(2, 1)),
            ("甲", "甲", "市教育局")
        );
    }

    #[test]
    fn an_annex_in_a_sibling_block_is_read_with_the_text_and_the_footer_is_not() {
        let long = "一、总体要求。".repeat(60);
        let annex = "<tr><td>实施青少年科学素质提升行动</td><td>市教育局、市科协、团市委</td></tr>"
            .repeat(12);
        let page = format!(
            "<html><body><div class=\"main\"><div class=\"content\"><p>{long}</p></div>\
             <div class=\"fj\"><p>附件</p><table><tr><th>任务</th><th>牵头单位</th></tr>{annex}</table></div>\
             <div class=\"footer\"><p>{}</p></div></div></body></html>",
            "主办单位：某市人民政府办公室，技术支持：某公司。".repeat(20)
        );
        let doc = read(&page);
        assert!(doc.text.contains("附件"), "{}", doc.text);
        assert_eq!(doc.tables.len(), 1);
        assert!(!doc.text.contains("主办单位"));
    }

    #[test]
    fn gbk_pages_are_decoded_as_they_declare_or_as_detected() {
        let declared = PAGE.replace("utf-8", "gb2312");
        let (gbk, _, _) = encoding_rs::GBK.encode(&declared);
        let doc = read_html(&gbk).unwrap();
        assert_eq!(doc.read_as, "HTML (GBK)");
        assert_eq!(doc.text, read(PAGE).text);
        let undeclared = PAGE.replace("<meta charset=\"utf-8\">", "");
        let (gbk, _, _) = encoding_rs::GBK.encode(&undeclared);
        assert_eq!(read_html(&gbk).unwrap().text, read(PAGE).text);
    }

    #[test]
    fn one_label_in_the_text_is_not_a_disclosure_table() {
        let doc = read("<html><body><p>标题：不是公开信息</p><p>正文第一段很长很长很长很长很长很长很长。</p><p>正文第二段。</p></body></html>");
        assert!(doc.metadata.is_empty());
        assert_eq!(doc.body_start, 0);
        assert!(doc.text.contains("标题：不是公开信息"));
        // The same label twice is still one label; two labels of which one is read are a table.
        let twice = read("<html><body><p>标题：甲</p><p>标题：乙</p><p>正文第一段很长很长很长很长很长很长很长。</p></body></html>");
        assert!(twice.metadata.is_empty());
        let table = read("<html><body><table><tr><td>索引号：</td><td>123</td><td>发文字号：</td><td>某政办〔2021〕1号</td></tr></table><div><p>正文第一段很长很长很长很长很长很长很长。</p><p>正文第二段也很长很长很长很长很长很长。</p></div></body></html>");
        assert_eq!(table.metadata.len(), 1);
        assert_eq!(
            &table.text[table.metadata[0].value.clone()],
            "某政办〔2021〕1号"
        );
    }

    #[test]
    fn labels_in_one_line_are_split_and_font_size_is_no_number() {
        let found = split_labels("发文字号：某政办〔2021〕80号 成文日期： 2021-12-30");
        assert_eq!(
            found,
            vec![
                (
                    "发文字号",
                    Some(MetaKey::Number),
                    "某政办〔2021〕80号".to_owned()
                ),
                ("成文日期", Some(MetaKey::Issued), "2021-12-30".to_owned())
            ]
        );
        assert!(split_labels("字号：大 中 小").is_empty());
        // Labels spaced out to align, with a half-width colon after a space.
        assert_eq!(
            split_labels("索引号 : 11346509/2012-1563602 文       号 : 赤政办发〔2012〕3号"),
            vec![
                ("索引号", None, "11346509/2012-1563602".to_owned()),
                (
                    "文号",
                    Some(MetaKey::Number),
                    "赤政办发〔2012〕3号".to_owned()
                )
            ]
        );
        assert!(split_labels("标题党不是标签").is_empty());
    }

    #[test]
    fn a_page_without_text_is_refused() {
        assert!(matches!(
            read_html(b"<html><head><script>load()</script></head><body></body></html>"),
            Err(ReadError::BadHtml(_))
        ));
        // Deep nesting is neither a stack overflow nor slow.
        let deep = format!("{}正文{}", "<div>".repeat(50_000), "</div>".repeat(50_000));
        assert!(read_html(deep.as_bytes()).unwrap().text.contains("正文"));
    }
}
